package io.tailshard.common.ottl;

import io.tailshard.common.config.GoRegex;
import io.tailshard.common.ottl.Lexer.Token;
import io.tailshard.common.ottl.Parser.Arg;
import io.tailshard.common.ottl.Parser.Expr;
import io.tailshard.common.ottl.Parser.FunctionRef;
import io.tailshard.common.ottl.Parser.ListExpr;
import io.tailshard.common.ottl.Parser.Literal;
import io.tailshard.common.ottl.Parser.PathExpr;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.MatchResult;
import java.util.regex.PatternSyntaxException;

/**
 * The editors and converters of the subset, with their parameters as the Collector declares them
 * (names for named arguments, which ones must be literals), bound and checked at parse time.
 */
final class Functions {
  /** What an argument must be. */
  private enum Type {
    /** Any value, evaluated per element. */
    VALUE,
    /** A path that can be written. */
    PATH,
    /** A literal string. */
    STRING,
    /** A literal string holding a regular expression, compiled at parse time. */
    REGEX,
    INT,
    BOOL,
    /** A literal list of literal strings. */
    STRINGS,
    /** A list of values (a list literal or any value that is a list). */
    LIST,
    /** A converter name without parentheses: SHA256, ToLowerCase, ToUpperCase. */
    FUNCTION
  }

  private record Param(String name, Type type, boolean optional) {}

  /** Arguments bound to parameters, converted as their types say. */
  private static final class Bound {
    final Map<String, Object> values = new LinkedHashMap<>();

    Object get(String name) {
      return values.get(name);
    }

    Expr expr(String name) {
      return (Expr) values.get(name);
    }
  }

  private static final List<String> EDITORS = List.of("set", "delete_key", "delete_matching_keys", "keep_keys",
      "replace_pattern", "replace_all_patterns", "truncate_all", "limit");
  private static final List<String> CONVERTERS = List.of("Concat", "Split", "ToLowerCase", "ToUpperCase", "SHA256",
      "IsMatch");

  private Functions() {}

  static Consumer<EvalContext> editor(Parser p, Token name, List<Arg> args) {
    switch (name.text()) {
      case "set": {
        Bound b = bind(p, name, args, param("target", Type.PATH), param("value", Type.VALUE));
        Paths.Accessor target = ((PathExpr) b.get("target")).accessor();
        Expr value = b.expr("value");
        return ctx -> {
          Object v = value.eval(ctx);
          if (v != null) {
            target.set(ctx, v);
          }
        };
      }
      case "delete_key": {
        Bound b = bind(p, name, args, param("target", Type.PATH), param("key", Type.VALUE));
        Paths.Accessor target = ((PathExpr) b.get("target")).accessor();
        Expr key = b.expr("key");
        return ctx -> {
          MutableMap m = target.map(ctx);
          m.remove(string(key.eval(ctx), "key"));
          m.commit();
        };
      }
      case "delete_matching_keys": {
        Bound b = bind(p, name, args, param("target", Type.PATH), param("pattern", Type.REGEX));
        Paths.Accessor target = ((PathExpr) b.get("target")).accessor();
        GoRegex pattern = (GoRegex) b.get("pattern");
        return ctx -> {
          MutableMap m = target.map(ctx);
          for (String k : m.keys()) {
            if (pattern.find(k)) {
              m.remove(k);
            }
          }
          m.commit();
        };
      }
      case "keep_keys": {
        Bound b = bind(p, name, args, param("target", Type.PATH), param("keys", Type.STRINGS));
        Paths.Accessor target = ((PathExpr) b.get("target")).accessor();
        @SuppressWarnings("unchecked")
        Set<String> keep = new HashSet<>((List<String>) b.get("keys"));
        return ctx -> {
          MutableMap m = target.map(ctx);
          for (String k : m.keys()) {
            if (!keep.contains(k)) {
              m.remove(k);
            }
          }
          m.commit();
        };
      }
      case "replace_pattern": {
        Bound b = bind(p, name, args, param("target", Type.PATH), param("regex", Type.REGEX),
            param("replacement", Type.VALUE), optional("function", Type.FUNCTION),
            optional("replacement_format", Type.VALUE));
        Paths.Accessor target = ((PathExpr) b.get("target")).accessor();
        Replacer replacer = replacer(b);
        return ctx -> {
          Object v = target.get(ctx);
          if (v instanceof String s && replacer.regex.find(s)) {
            target.set(ctx, replacer.apply(s, ctx));
          }
        };
      }
      case "replace_all_patterns": {
        Bound b = bind(p, name, args, param("target", Type.PATH), param("mode", Type.STRING),
            param("regex", Type.REGEX), param("replacement", Type.VALUE), optional("function", Type.FUNCTION),
            optional("replacement_format", Type.VALUE));
        Paths.Accessor target = ((PathExpr) b.get("target")).accessor();
        String mode = (String) b.get("mode");
        if (!mode.equals("key") && !mode.equals("value")) {
          throw p.error(argOffset(args, 1, "mode"), "invalid mode '" + mode + "', must be either 'key' or 'value'");
        }
        Replacer replacer = replacer(b);
        boolean keys = mode.equals("key");
        return ctx -> {
          MutableMap m = target.map(ctx);
          if (keys) {
            LinkedHashMap<String, Object> renamed = new LinkedHashMap<>();
            for (String k : m.keys()) {
              renamed.put(replacer.regex.find(k) ? replacer.apply(k, ctx) : k, m.get(k));
            }
            m.replaceAll(renamed);
          } else {
            for (String k : m.keys()) {
              if (m.get(k) instanceof String s && replacer.regex.find(s)) {
                m.put(k, replacer.apply(s, ctx));
              }
            }
          }
          m.commit();
        };
      }
      case "truncate_all": {
        Bound b = bind(p, name, args, param("target", Type.PATH), param("limit", Type.INT),
            optional("utf8_safe", Type.BOOL), optional("truncation_marker", Type.STRING));
        Paths.Accessor target = ((PathExpr) b.get("target")).accessor();
        long limit = (Long) b.get("limit");
        String marker = b.get("truncation_marker") == null ? "" : (String) b.get("truncation_marker");
        if (limit < 0) {
          throw p.error(argOffset(args, 1, "limit"), "invalid limit for truncate_all: " + limit + " cannot be negative");
        }
        int markerBytes = marker.getBytes(StandardCharsets.UTF_8).length;
        if (markerBytes > limit) {
          throw p.error(argOffset(args, 3, "truncation_marker"),
              "truncation_marker is longer (" + markerBytes + " bytes) than the limit " + limit);
        }
        return ctx -> {
          MutableMap m = target.map(ctx);
          for (String k : m.keys()) {
            if (m.get(k) instanceof String s) {
              String cut = truncate(s, (int) Math.min(limit, Integer.MAX_VALUE), marker, markerBytes);
              if (cut != null) {
                m.put(k, cut);
              }
            }
          }
          m.commit();
        };
      }
      case "limit": {
        Bound b = bind(p, name, args, param("target", Type.PATH), param("limit", Type.INT),
            param("priority_keys", Type.STRINGS));
        Paths.Accessor target = ((PathExpr) b.get("target")).accessor();
        long limit = (Long) b.get("limit");
        @SuppressWarnings("unchecked")
        List<String> priority = (List<String>) b.get("priority_keys");
        if (limit < 0) {
          throw p.error(argOffset(args, 1, "limit"), "invalid limit for limit: " + limit + " cannot be negative");
        }
        if (priority.size() > limit) {
          throw p.error(argOffset(args, 2, "priority_keys"),
              "limit " + limit + " is less than the number of priority keys (" + priority.size() + ")");
        }
        Set<String> keep = new HashSet<>(priority);
        return ctx -> {
          MutableMap m = target.map(ctx);
          List<String> keys = m.keys();
          if (keys.size() <= limit) {
            return;
          }
          long count = 0;
          for (String k : keep) {
            if (m.containsKey(k)) {
              count++;
            }
          }
          for (String k : keys) {
            if (keep.contains(k)) {
              continue;
            }
            if (count < limit) {
              count++;
            } else {
              m.remove(k);
            }
          }
          m.commit();
        };
      }
      default:
        throw p.error(name, "unknown editor '" + name.text() + "'; supported: " + String.join(", ", EDITORS)
            + (CONVERTERS.stream().anyMatch(c -> c.equalsIgnoreCase(name.text()))
                ? " (converters start with an uppercase letter and cannot be statements)" : ""));
    }
  }

  static Expr converter(Parser p, Token name, List<Arg> args) {
    switch (name.text()) {
      case "Concat": {
        Bound b = bind(p, name, args, param("vals", Type.LIST), param("delimiter", Type.STRING));
        Expr vals = b.expr("vals");
        String delimiter = (String) b.get("delimiter");
        return ctx -> {
          Object list = vals.eval(ctx);
          if (!(list instanceof List<?> items)) {
            throw new OttlException("Concat expects a list of values but got " + OttlValues.typeName(list));
          }
          StringBuilder sb = new StringBuilder();
          boolean first = true;
          for (Object item : items) {
            if (!first) {
              sb.append(delimiter);
            }
            first = false;
            String s = OttlValues.stringLike(item);
            sb.append(s == null ? "<nil>" : s);
          }
          return sb.toString();
        };
      }
      case "Split": {
        Bound b = bind(p, name, args, param("target", Type.VALUE), param("delimiter", Type.STRING));
        Expr target = b.expr("target");
        String delimiter = (String) b.get("delimiter");
        return ctx -> split(string(target.eval(ctx), "target"), delimiter);
      }
      case "ToLowerCase": {
        Bound b = bind(p, name, args, param("target", Type.VALUE));
        Expr target = b.expr("target");
        return ctx -> string(target.eval(ctx), "target").toLowerCase(Locale.ROOT);
      }
      case "ToUpperCase": {
        Bound b = bind(p, name, args, param("target", Type.VALUE));
        Expr target = b.expr("target");
        return ctx -> string(target.eval(ctx), "target").toUpperCase(Locale.ROOT);
      }
      case "SHA256": {
        Bound b = bind(p, name, args, param("value", Type.VALUE));
        Expr value = b.expr("value");
        return ctx -> sha256(string(value.eval(ctx), "value"));
      }
      case "IsMatch": {
        Bound b = bind(p, name, args, param("target", Type.VALUE), param("pattern", Type.REGEX));
        Expr target = b.expr("target");
        GoRegex pattern = (GoRegex) b.get("pattern");
        return ctx -> {
          String s = OttlValues.stringLike(target.eval(ctx));
          return s != null && pattern.find(s);
        };
      }
      default:
        throw p.error(name, "unknown converter '" + name.text() + "'; supported: " + String.join(", ", CONVERTERS)
            + (EDITORS.contains(name.text().toLowerCase(Locale.ROOT))
                ? " (editors start with a lowercase letter and cannot be values)" : ""));
    }
  }

  /** The shared part of replace_pattern and replace_all_patterns. */
  private static final class Replacer {
    final GoRegex regex;
    final Expr replacement;
    final Function<String, String> function;
    final Expr format;

    Replacer(GoRegex regex, Expr replacement, Function<String, String> function, Expr format) {
      this.regex = regex;
      this.replacement = replacement;
      this.function = function;
      this.format = format;
    }

    /**
     * Without a function, Go's ReplaceAllString. With one, as the Collector does: each match's
     * expanded replacement goes through the function (and the format), and every occurrence of
     * the matched text is replaced by the result.
     */
    String apply(String s, EvalContext ctx) {
      String template = string(replacement.eval(ctx), "replacement");
      if (function == null) {
        return regex.replaceAll(s, template);
      }
      String fmt = format == null ? null : string(format.eval(ctx), "replacement_format");
      if (fmt != null && !singleStringVerb(fmt)) {
        throw new OttlException("replacement_format must contain exactly one %s and no other verb: '" + fmt + "'");
      }
      String updated = s;
      for (MatchResult m : regex.findAll(s)) {
        String full = s.substring(m.start(), m.end());
        String result = function.apply(regex.expand(template, m, s));
        if (fmt != null) {
          result = fmt.replace("%s", result);
        }
        updated = updated.replace(full, result);
      }
      return updated;
    }
  }

  private static Replacer replacer(Bound b) {
    @SuppressWarnings("unchecked")
    Function<String, String> fn = (Function<String, String>) b.get("function");
    return new Replacer((GoRegex) b.get("regex"), b.expr("replacement"), fn, b.expr("replacement_format"));
  }

  private static boolean singleStringVerb(String fmt) {
    int verbs = 0;
    for (int k = 0; k < fmt.length(); k++) {
      if (fmt.charAt(k) == '%') {
        if (k + 1 < fmt.length() && fmt.charAt(k + 1) == 's') {
          verbs++;
          k++;
        } else {
          return false;
        }
      }
    }
    return verbs == 1;
  }

  /** Cuts {@code s} to at most {@code limit} UTF-8 bytes on a character boundary, marker included; null when short enough. */
  private static String truncate(String s, int limit, String marker, int markerBytes) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= limit) {
      return null;
    }
    int cut = limit - markerBytes;
    while (cut > 0 && (bytes[cut] & 0xC0) == 0x80) {
      cut--;
    }
    return new String(bytes, 0, cut, StandardCharsets.UTF_8) + marker;
  }

  /** Go's {@code strings.Split}: every separator splits, empty pieces kept; an empty separator splits characters. */
  private static List<Object> split(String s, String sep) {
    List<Object> out = new ArrayList<>();
    if (sep.isEmpty()) {
      s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
      return out;
    }
    int from = 0;
    while (true) {
      int at = s.indexOf(sep, from);
      if (at < 0) {
        out.add(s.substring(from));
        return out;
      }
      out.add(s.substring(from, at));
      from = at + sep.length();
    }
  }

  static String sha256(String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static String string(Object v, String what) {
    if (v instanceof String s) {
      return s;
    }
    throw new OttlException(what + ": expected string but got " + OttlValues.typeName(v));
  }

  // ---- binding

  private static Param param(String name, Type type) {
    return new Param(name, type, false);
  }

  private static Param optional(String name, Type type) {
    return new Param(name, type, true);
  }

  /** Binds positional then named arguments to {@code params}, checking each against its type. */
  private static Bound bind(Parser p, Token fn, List<Arg> args, Param... params) {
    Bound b = new Bound();
    boolean named = false;
    for (int k = 0; k < args.size(); k++) {
      Arg a = args.get(k);
      Param target;
      if (a.name() == null) {
        if (named) {
          throw p.error(a.offset(), "a positional argument cannot follow named ones");
        }
        if (k >= params.length) {
          throw p.error(a.offset(), fn.text() + " takes at most " + params.length + " arguments");
        }
        target = params[k];
      } else {
        named = true;
        target = null;
        for (Param candidate : params) {
          if (candidate.name().equals(a.name())) {
            target = candidate;
          }
        }
        if (target == null) {
          throw p.error(a.offset(), fn.text() + " has no argument named '" + a.name() + "'; its arguments: "
              + String.join(", ", java.util.Arrays.stream(params).map(Param::name).toList()));
        }
        if (b.values.containsKey(target.name())) {
          throw p.error(a.offset(), "argument '" + a.name() + "' is given twice");
        }
      }
      b.values.put(target.name(), check(p, fn, target, a));
    }
    for (Param param : params) {
      if (!param.optional() && !b.values.containsKey(param.name())) {
        throw p.error(fn, fn.text() + " needs its argument '" + param.name() + "'");
      }
    }
    return b;
  }

  private static Object check(Parser p, Token fn, Param param, Arg a) {
    Expr v = a.value();
    String where = fn.text() + "'s " + param.name();
    if (v instanceof FunctionRef ref && param.type() != Type.FUNCTION) {
      throw p.error(a.offset(), "unknown enum '" + ref.name() + "'; known: " + Parser.Enums.names());
    }
    switch (param.type()) {
      case VALUE:
      case LIST:
        return v;
      case PATH:
        if (!(v instanceof PathExpr)) {
          throw p.error(a.offset(), where + " must be a path such as attributes[\"key\"]");
        }
        return v;
      case STRING:
        return literal(p, a, String.class, where + " must be a literal string");
      case REGEX: {
        String pattern = (String) literal(p, a, String.class, where + " must be a literal string (a regular expression)");
        try {
          return GoRegex.compile(pattern);
        } catch (PatternSyntaxException e) {
          throw p.error(a.offset(), "invalid regular expression in " + where + ": " + e.getDescription());
        }
      }
      case INT:
        return literal(p, a, Long.class, where + " must be a literal int");
      case BOOL:
        return literal(p, a, Boolean.class, where + " must be true or false");
      case STRINGS: {
        if (!(v instanceof ListExpr list)) {
          throw p.error(a.offset(), where + " must be a list of literal strings such as [\"a\", \"b\"]");
        }
        List<String> out = new ArrayList<>();
        for (Expr item : list.items()) {
          if (!(item instanceof Literal lit) || !(lit.value() instanceof String s)) {
            throw p.error(a.offset(), where + " must be a list of literal strings such as [\"a\", \"b\"]");
          }
          out.add(s);
        }
        return List.copyOf(out);
      }
      default: {
        if (!(v instanceof FunctionRef ref)) {
          throw p.error(a.offset(), where + " must be a converter name such as SHA256");
        }
        switch (ref.name()) {
          case "SHA256":
            return (Function<String, String>) Functions::sha256;
          case "ToLowerCase":
            return (Function<String, String>) s -> s.toLowerCase(Locale.ROOT);
          case "ToUpperCase":
            return (Function<String, String>) s -> s.toUpperCase(Locale.ROOT);
          default:
            throw p.error(a.offset(), where + ": '" + ref.name() + "' is not supported; supported: SHA256, ToLowerCase,"
                + " ToUpperCase");
        }
      }
    }
  }

  private static Object literal(Parser p, Arg a, Class<?> type, String problem) {
    if (a.value() instanceof Literal lit && type.isInstance(lit.value())) {
      return lit.value();
    }
    throw p.error(a.offset(), problem);
  }

  /** Where the argument for {@code name} (at {@code position} when positional) starts. */
  private static int argOffset(List<Arg> args, int position, String name) {
    for (Arg a : args) {
      if (name.equals(a.name())) {
        return a.offset();
      }
    }
    return position < args.size() ? args.get(position).offset() : 0;
  }
}

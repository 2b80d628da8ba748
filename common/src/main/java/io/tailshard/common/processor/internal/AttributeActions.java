package io.tailshard.common.processor.internal;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.config.ConfigNode;
import io.tailshard.common.config.GoRegex;
import io.tailshard.common.otlp.model.AttributeMap;
import io.tailshard.common.otlp.model.Values;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.PatternSyntaxException;

/**
 * The Collector's attribute actions, shared by the {@code attributes} processor (on span
 * attributes) and the {@code resource} processor (on resource attributes): an ordered list, each
 * item one of
 *
 * <ul>
 *   <li>{@code insert}: sets {@code key} where it is absent;
 *   <li>{@code update}: sets {@code key} where it is present;
 *   <li>{@code upsert}: sets {@code key} either way;
 *   <li>{@code delete}: removes {@code key} and/or every key matching {@code pattern};
 *   <li>{@code hash}: replaces the value of {@code key} and/or of keys matching {@code pattern}
 *       with the lowercase hex SHA-256 of its bytes (strings as UTF-8, ints and doubles as 8
 *       little-endian bytes, booleans as one byte; other kinds become "");
 *   <li>{@code extract}: matches {@code pattern}'s named groups against the string value of
 *       {@code key} and upserts one attribute per group;
 *   <li>{@code convert}: converts the value of {@code key} to {@code converted_type}
 *       ({@code int}, {@code double}, {@code string}), leaving it as it is when it cannot.
 * </ul>
 *
 * The value of insert, update and upsert comes from exactly one of {@code value} (typed as YAML
 * types it) or {@code from_attribute} (another attribute of the same map; absent means no action).
 * {@code action} is case-insensitive, as in the Collector. {@code from_context} (client metadata)
 * is refused: tailshard does not carry client metadata to processors.
 *
 * <p>Immutable and thread-safe once parsed.
 */
public final class AttributeActions {
  /** One action, validated. */
  record Action(String kind, String key, AnyValue value, String fromAttribute, GoRegex pattern, String convertedType) {}

  private final List<Action> actions;

  private AttributeActions(List<Action> actions) {
    this.actions = List.copyOf(actions);
  }

  /**
   * Reads the list under {@code listKey} ({@code actions} or {@code attributes}) of {@code block};
   * a missing or empty list is an error, as in the Collector.
   */
  public static AttributeActions parse(ConfigMap block, String listKey) {
    Optional<ConfigNode> list = block.get(listKey);
    if (list.isEmpty() || list.get().isNull() || list.get().items().isEmpty()) {
      throw block.error(listKey, "at least one action is required");
    }
    List<Action> actions = new ArrayList<>();
    for (ConfigNode item : list.get().items()) {
      actions.add(parseAction(item.asMap()));
    }
    return new AttributeActions(actions);
  }

  private static Action parseAction(ConfigMap m) {
    String kind = m.requiredString("action").toLowerCase(Locale.ROOT);
    String key = m.string("key", "");
    Optional<ConfigNode> valueNode = m.get("value");
    AnyValue value = valueNode.map(ConfigValues::toAnyValue).orElse(null);
    String fromAttribute = m.string("from_attribute", "");
    String patternText = m.string("pattern", "");
    String convertedType = m.string("converted_type", "");
    if (m.has("from_context")) {
      throw m.error("from_context",
          "not supported: tailshard does not pass client metadata to processors; use value or from_attribute");
    }
    m.done();
    int sources = (value != null ? 1 : 0) + (fromAttribute.isEmpty() ? 0 : 1);
    GoRegex pattern = null;
    if (!patternText.isEmpty()) {
      try {
        pattern = GoRegex.compile(patternText);
      } catch (PatternSyntaxException e) {
        throw m.error("pattern", "invalid regular expression: " + e.getDescription());
      }
    }
    switch (kind) {
      case "insert":
      case "update":
      case "upsert":
        requireKey(m, key);
        if (sources != 1) {
          throw m.error("action " + kind + " needs exactly one of value or from_attribute");
        }
        forbid(m, kind, pattern != null, "pattern");
        forbid(m, kind, !convertedType.isEmpty(), "converted_type");
        break;
      case "delete":
      case "hash":
        if (key.isEmpty() && pattern == null) {
          throw m.error("action " + kind + " needs key, pattern or both");
        }
        forbid(m, kind, sources > 0, "value or from_attribute");
        forbid(m, kind, !convertedType.isEmpty(), "converted_type");
        break;
      case "extract":
        requireKey(m, key);
        forbid(m, kind, sources > 0, "value or from_attribute");
        forbid(m, kind, !convertedType.isEmpty(), "converted_type");
        if (pattern == null) {
          throw m.error("pattern", "action extract needs a pattern with named groups");
        }
        List<String> names = pattern.groupNames();
        if (names.size() <= 1) {
          throw m.error("pattern", "has no named groups, so extract would set nothing");
        }
        if (names.subList(1, names.size()).contains("")) {
          throw m.error("pattern", "has an unnamed group; every group of an extract pattern must be named");
        }
        break;
      case "convert":
        requireKey(m, key);
        forbid(m, kind, sources > 0 || pattern != null, "value, from_attribute or pattern");
        if (!List.of("int", "double", "string").contains(convertedType)) {
          throw m.error("converted_type", convertedType.isEmpty()
              ? "action convert needs converted_type: int, double or string"
              : "'" + convertedType + "' is not allowed; allowed: int, double, string");
        }
        break;
      default:
        throw m.error("action",
            "'" + kind + "' is not allowed; allowed: insert, update, upsert, delete, hash, extract, convert");
    }
    return new Action(kind, key, value, fromAttribute, pattern, convertedType);
  }

  private static void requireKey(ConfigMap m, String key) {
    if (key.isEmpty()) {
      throw m.error("key", "required key is missing");
    }
  }

  private static void forbid(ConfigMap m, String kind, boolean present, String what) {
    if (present) {
      throw m.error("action " + kind + " does not use " + what + "; remove it");
    }
  }

  /** Applies every action, in order, to {@code attrs}. */
  public void apply(AttributeMap attrs) {
    for (Action a : actions) {
      switch (a.kind()) {
        case "insert": {
          AnyValue v = source(a, attrs);
          if (v != null && !attrs.containsKey(a.key())) {
            attrs.put(a.key(), v);
          }
          break;
        }
        case "update": {
          AnyValue v = source(a, attrs);
          if (v != null && attrs.containsKey(a.key())) {
            attrs.put(a.key(), v);
          }
          break;
        }
        case "upsert": {
          AnyValue v = source(a, attrs);
          if (v != null) {
            attrs.put(a.key(), v);
          }
          break;
        }
        case "delete":
          if (!a.key().isEmpty()) {
            attrs.remove(a.key());
          }
          if (a.pattern() != null) {
            attrs.removeIf((k, v) -> a.pattern().find(k));
          }
          break;
        case "hash":
          if (!a.key().isEmpty()) {
            hash(attrs, a.key());
          }
          if (a.pattern() != null) {
            for (String k : attrs.keys()) {
              if (a.pattern().find(k)) {
                hash(attrs, k);
              }
            }
          }
          break;
        case "extract":
          extract(a, attrs);
          break;
        default:
          convert(a, attrs);
      }
    }
  }

  private static AnyValue source(Action a, AttributeMap attrs) {
    return a.value() != null ? a.value() : attrs.get(a.fromAttribute());
  }

  private static void hash(AttributeMap attrs, String key) {
    AnyValue v = attrs.get(key);
    if (v != null) {
      attrs.put(key, Values.string(sha256Hex(v)));
    }
  }

  /** The Collector's attribute hash: SHA-256 over the value's bytes, lowercase hex; "" when not hashable. */
  static String sha256Hex(AnyValue v) {
    byte[] bytes;
    switch (v.getValueCase()) {
      case STRING_VALUE:
        bytes = v.getStringValue().getBytes(StandardCharsets.UTF_8);
        break;
      case BOOL_VALUE:
        bytes = new byte[] {(byte) (v.getBoolValue() ? 1 : 0)};
        break;
      case INT_VALUE:
        bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v.getIntValue()).array();
        break;
      case DOUBLE_VALUE:
        bytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
            .putLong(Double.doubleToRawLongBits(v.getDoubleValue())).array();
        break;
      default:
        return "";
    }
    return sha256Hex(bytes);
  }

  public static String sha256Hex(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static void extract(Action a, AttributeMap attrs) {
    AnyValue v = attrs.get(a.key());
    if (v == null || v.getValueCase() != AnyValue.ValueCase.STRING_VALUE) {
      return;
    }
    Matcher m = a.pattern().pattern().matcher(v.getStringValue());
    if (!m.find()) {
      return;
    }
    List<String> names = a.pattern().groupNames();
    for (int g = 1; g < names.size(); g++) {
      // A group that took no part in the match is the empty string in Go.
      String s = m.start(g) < 0 ? "" : m.group(g);
      attrs.put(names.get(g), Values.string(s));
    }
  }

  private static void convert(Action a, AttributeMap attrs) {
    AnyValue v = attrs.get(a.key());
    if (v == null) {
      return;
    }
    AnyValue converted = convert(v, a.convertedType());
    if (converted != null) {
      attrs.put(a.key(), converted);
    }
  }

  /** The Collector's conversions; null when the value stays as it is. */
  static AnyValue convert(AnyValue v, String to) {
    switch (to) {
      case "string":
        return v.getValueCase() == AnyValue.ValueCase.STRING_VALUE ? null : Values.string(Values.asString(v));
      case "int":
        switch (v.getValueCase()) {
          case DOUBLE_VALUE:
            return Values.integer(goFloatToInt(v.getDoubleValue()));
          case BOOL_VALUE:
            return Values.integer(v.getBoolValue() ? 1 : 0);
          case STRING_VALUE:
            try {
              return Values.integer(Long.parseLong(v.getStringValue()));
            } catch (NumberFormatException e) {
              return null;
            }
          default:
            return null;
        }
      default:
        switch (v.getValueCase()) {
          case INT_VALUE:
            return Values.decimal(v.getIntValue());
          case BOOL_VALUE:
            return Values.decimal(v.getBoolValue() ? 1 : 0);
          case STRING_VALUE:
            return parseGoFloat(v.getStringValue()).map(Values::decimal).orElse(null);
          default:
            return null;
        }
    }
  }

  /** Go's {@code int64(f)}: truncation; out-of-range values are undefined in Go, saturated here. */
  private static long goFloatToInt(double d) {
    return (long) d;
  }

  /** {@code strconv.ParseFloat}: decimal and hex floats, "inf", "infinity", "nan" in any case. */
  static Optional<Double> parseGoFloat(String s) {
    String t = s.toLowerCase(Locale.ROOT);
    String unsigned = t.startsWith("+") || t.startsWith("-") ? t.substring(1) : t;
    if (unsigned.equals("inf") || unsigned.equals("infinity")) {
      return Optional.of(t.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
    }
    if (unsigned.equals("nan")) {
      return Optional.of(Double.NaN);
    }
    if (unsigned.isEmpty() || unsigned.endsWith("d") || unsigned.endsWith("f") || !s.equals(s.strip())) {
      return Optional.empty(); // Java would read "1d", "1f" and " 1"; Go does not
    }
    try {
      return Optional.of(Double.parseDouble(s));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}

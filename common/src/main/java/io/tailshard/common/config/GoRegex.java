package io.tailshard.common.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;
import java.util.regex.MatchResult;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A regular expression written for the Collector (Go's RE2 syntax), run with {@link Pattern} and
 * Go's matching conventions, so that patterns pasted from an otelcol config behave the same:
 *
 * <ul>
 *   <li>named groups {@code (?P<name>...)} and {@code (?<name>...)}, with any RE2 name
 *       ({@code http_method} included, which Java's own group names forbid);
 *   <li>POSIX classes {@code [[:alpha:]]} and friends;
 *   <li>{@link #find}: matches anywhere, unanchored, like Go's {@code MatchString};
 *   <li>{@link #replaceAll}: Go's {@code ReplaceAllString}, with {@code $1}, {@code $name},
 *       {@code ${name}} and {@code $$} expanded as {@code Regexp.Expand} does, and Go's rule that
 *       an empty match right after a previous match is not replaced (Java's would be).
 * </ul>
 *
 * RE2 rejects backreferences and lookaround; Java accepts them, so a pattern the Collector refuses
 * may load here. Immutable and thread-safe.
 */
public final class GoRegex {
  private static final Pattern GO_NAMED_GROUP = Pattern.compile("\\(\\?P?<([A-Za-z0-9_]+)>");
  private static final String[][] POSIX = {
    {"[:alnum:]", "\\p{Alnum}"}, {"[:alpha:]", "\\p{Alpha}"}, {"[:ascii:]", "\\p{ASCII}"},
    {"[:blank:]", "\\p{Blank}"}, {"[:cntrl:]", "\\p{Cntrl}"}, {"[:digit:]", "\\p{Digit}"},
    {"[:graph:]", "\\p{Graph}"}, {"[:lower:]", "\\p{Lower}"}, {"[:print:]", "\\p{Print}"},
    {"[:punct:]", "\\p{Punct}"}, {"[:space:]", "\\s"}, {"[:upper:]", "\\p{Upper}"},
    {"[:word:]", "\\w"}, {"[:xdigit:]", "\\p{XDigit}"}
  };

  private final String source;
  private final Pattern pattern;
  /** Group names by group number, index 0 the whole match; "" for unnamed groups. */
  private final List<String> groupNames;

  private GoRegex(String source, Pattern pattern, List<String> groupNames) {
    this.source = source;
    this.pattern = pattern;
    this.groupNames = groupNames;
  }

  /** Compiles a Go-syntax pattern; throws {@link PatternSyntaxException} when it is invalid. */
  public static GoRegex compile(String goPattern) {
    String javaPattern = goPattern;
    for (String[] p : POSIX) {
      javaPattern = javaPattern.replace(p[0], p[1]);
    }
    // Number the groups as Go does (every unescaped '(' not followed by '?', plus named ones),
    // and rename named groups to plain numbered ones; names are kept aside.
    List<String> names = new ArrayList<>();
    names.add("");
    StringBuilder out = new StringBuilder(javaPattern.length());
    boolean inClass = false;
    for (int i = 0; i < javaPattern.length(); i++) {
      char c = javaPattern.charAt(i);
      if (c == '\\' && i + 1 < javaPattern.length()) {
        out.append(c).append(javaPattern.charAt(++i));
        continue;
      }
      if (inClass) {
        if (c == ']') {
          inClass = false;
        }
        out.append(c);
        continue;
      }
      if (c == '[') {
        inClass = true;
        out.append(c);
        // A ']' right after '[' or '[^' is a literal member of the class.
        if (i + 1 < javaPattern.length() && javaPattern.charAt(i + 1) == '^') {
          out.append('^');
          i++;
        }
        if (i + 1 < javaPattern.length() && javaPattern.charAt(i + 1) == ']') {
          out.append(']');
          i++;
        }
        continue;
      }
      if (c == '(') {
        Matcher named = GO_NAMED_GROUP.matcher(javaPattern).region(i, javaPattern.length());
        if (named.lookingAt()) {
          names.add(named.group(1));
          out.append('(');
          i = named.end() - 1;
          continue;
        }
        if (i + 1 >= javaPattern.length() || javaPattern.charAt(i + 1) != '?') {
          names.add("");
        }
      }
      out.append(c);
    }
    Pattern compiled = Pattern.compile(out.toString());
    if (compiled.matcher("").groupCount() != names.size() - 1) {
      // Our count disagrees with Java's (an unusual construct): fall back to unnamed groups.
      names = new ArrayList<>(Collections.nCopies(compiled.matcher("").groupCount() + 1, ""));
    }
    return new GoRegex(goPattern, compiled, Collections.unmodifiableList(names));
  }

  /** The pattern as written. */
  public String source() {
    return source;
  }

  public Pattern pattern() {
    return pattern;
  }

  /** Group names by number (index 0 is the whole match); "" for unnamed groups. */
  public List<String> groupNames() {
    return groupNames;
  }

  /** True when the pattern matches anywhere in {@code s} (Go's {@code MatchString}). */
  public boolean find(CharSequence s) {
    return pattern.matcher(s).find();
  }

  /**
   * Every match in {@code s} as Go's {@code FindAllStringSubmatchIndex} finds them: successive,
   * non-overlapping, and no empty match right after the previous match.
   */
  public List<MatchResult> findAll(String s) {
    List<MatchResult> out = new ArrayList<>();
    Matcher m = pattern.matcher(s);
    int pos = 0;
    int prevMatchEnd = -1;
    while (pos <= s.length() && m.find(pos)) {
      boolean accept = true;
      if (m.end() == m.start()) {
        if (m.start() == prevMatchEnd) {
          accept = false;
        }
        pos = m.end() < s.length() ? m.end() + Character.charCount(s.codePointAt(m.end())) : m.end() + 1;
      } else {
        pos = m.end();
      }
      prevMatchEnd = m.end();
      if (accept) {
        out.add(m.toMatchResult());
      }
    }
    return out;
  }

  /** Go's {@code Regexp.Expand}: {@code template} with {@code $1}, {@code ${name}}, {@code $$} filled from a match of {@code s}. */
  public String expand(String template, MatchResult match, String s) {
    return expandMatch(template, match, s);
  }

  /** Go's {@code ReplaceAllString}: every match replaced by {@code template}, expanded. */
  public String replaceAll(String s, String template) {
    return replace(s, m -> expandMatch(template, m, s));
  }

  /** Go's {@code ReplaceAllStringFunc}: every match replaced by {@code f(match)}. */
  public String replaceAllFunc(String s, Function<String, String> f) {
    return replace(s, m -> f.apply(s.substring(m.start(), m.end())));
  }

  private String replace(String s, Function<MatchResult, String> replacement) {
    Matcher m = pattern.matcher(s);
    StringBuilder out = null;
    int lastMatchEnd = 0;
    int searchPos = 0;
    while (searchPos <= s.length() && m.find(searchPos)) {
      if (out == null) {
        out = new StringBuilder(s.length() + 16);
      }
      out.append(s, lastMatchEnd, m.start());
      // Go does not replace an empty match that directly follows the previous match.
      if (m.end() > lastMatchEnd || m.start() == 0) {
        out.append(replacement.apply(m));
      }
      lastMatchEnd = m.end();
      int width = searchPos < s.length() ? Character.charCount(s.codePointAt(searchPos)) : 1;
      if (searchPos + width > m.end()) {
        searchPos += width;
      } else if (searchPos + 1 > m.end()) {
        searchPos++;
      } else {
        searchPos = m.end();
      }
    }
    if (out == null) {
      return s;
    }
    out.append(s, lastMatchEnd, s.length());
    return out.toString();
  }

  private String expandMatch(String template, MatchResult m, String s) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < template.length()) {
      int dollar = template.indexOf('$', i);
      if (dollar < 0) {
        break;
      }
      out.append(template, i, dollar);
      i = dollar + 1;
      if (i < template.length() && template.charAt(i) == '$') {
        out.append('$');
        i++;
        continue;
      }
      int nameStart;
      int nameEnd;
      int after;
      if (i < template.length() && template.charAt(i) == '{') {
        nameStart = i + 1;
        nameEnd = nameStart;
        while (nameEnd < template.length() && isNameChar(template.charAt(nameEnd))) {
          nameEnd++;
        }
        if (nameEnd == nameStart || nameEnd >= template.length() || template.charAt(nameEnd) != '}') {
          out.append('$'); // malformed: the '$' is literal text
          continue;
        }
        after = nameEnd + 1;
      } else {
        nameStart = i;
        nameEnd = i;
        while (nameEnd < template.length() && isNameChar(template.charAt(nameEnd))) {
          nameEnd++;
        }
        if (nameEnd == nameStart) {
          out.append('$');
          continue;
        }
        after = nameEnd;
      }
      String name = template.substring(nameStart, nameEnd);
      i = after;
      int group = groupNumber(name);
      if (group < 0) {
        group = groupNames.indexOf(name);
      }
      if (group >= 0 && group <= m.groupCount() && m.start(group) >= 0) {
        out.append(s, m.start(group), m.end(group));
      }
    }
    out.append(template, Math.min(i, template.length()), template.length());
    return out.toString();
  }

  private static boolean isNameChar(char c) {
    return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  /** The group number a name stands for, as Go reads it (digits, no leading zero), else -1. */
  private static int groupNumber(String name) {
    if (name.length() > 1 && name.charAt(0) == '0') {
      return -1;
    }
    int n = 0;
    for (int k = 0; k < name.length(); k++) {
      char c = name.charAt(k);
      if (c < '0' || c > '9' || n >= 100_000_000) {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  @Override
  public String toString() {
    return source;
  }
}

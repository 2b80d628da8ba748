package io.tailshard.common.ottl;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses OTTL statements and conditions for a context. Parse once at start-up; a text that is not
 * in the supported subset fails with an {@link OttlParseException} giving the column.
 */
public final class Ottl {
  private static final Pattern STRING_LITERAL = Pattern.compile("\"(\\\\.|[^\"\\\\])*\"");
  private static final Pattern PREFIX =
      Pattern.compile("(?<![A-Za-z0-9_.])(spanevent|span|instrumentation_scope|scope|resource)\\.");

  private Ottl() {}

  /** A statement such as {@code set(attributes["a"], "b") where name == "x"}. */
  public static Statement parseStatement(String text, OttlContext context) {
    return Parser.statement(text, context);
  }

  /**
   * The context a statement written without one is for, as the Collector infers it from path
   * prefixes: the most specific context any path names ({@code spanevent.} over {@code span.} over
   * {@code scope.} over {@code resource.}); {@code defaultContext} when no path has a prefix.
   */
  public static OttlContext inferContext(String text, OttlContext defaultContext) {
    String code = STRING_LITERAL.matcher(text).replaceAll("\"\"");
    OttlContext best = null;
    Matcher m = PREFIX.matcher(code);
    while (m.find()) {
      OttlContext c = switch (m.group(1)) {
        case "spanevent" -> OttlContext.SPANEVENT;
        case "span" -> OttlContext.SPAN;
        case "scope", "instrumentation_scope" -> OttlContext.SCOPE;
        default -> OttlContext.RESOURCE;
      };
      if (best == null || c.ordinal() > best.ordinal()) {
        best = c;
      }
    }
    return best == null ? defaultContext : best;
  }

  /** A condition such as {@code attributes["a"] != nil and not IsMatch(name, "^health")}. */
  public static Condition parseCondition(String text, OttlContext context) {
    return Parser.condition(text, context);
  }
}

package io.tailshard.common.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Durations as the Collector writes them (Go's {@code time.ParseDuration}): one or more
 * number-unit pairs, units {@code ns us µs ms s m h}, e.g. {@code 500ms}, {@code 30s}, {@code 1m30s}.
 * A bare {@code 0} is zero. A bare number other than zero is refused, because its unit would be a
 * guess.
 */
public final class Durations {
  private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");

  private Durations() {}

  public static Duration parse(ConfigNode node) {
    try {
      return parse(node.text());
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(node, e.getMessage());
    }
  }

  /** Parses a duration; throws {@link IllegalArgumentException} with a readable message. */
  public static Duration parse(String text) {
    String s = text.trim();
    if (s.equals("0")) {
      return Duration.ZERO;
    }
    Matcher m = PART.matcher(s);
    int pos = 0;
    double nanos = 0;
    while (pos < s.length()) {
      if (!m.find(pos) || m.start() != pos) {
        throw new IllegalArgumentException(
            "expected a duration such as 500ms, 30s, 1m or 1h30m, found '" + text + "'");
      }
      double value = Double.parseDouble(m.group(1));
      nanos += value * unitNanos(m.group(2));
      pos = m.end();
    }
    return Duration.ofNanos(Math.round(nanos));
  }

  private static double unitNanos(String unit) {
    switch (unit) {
      case "ns":
        return 1;
      case "us":
      case "µs":
        return 1e3;
      case "ms":
        return 1e6;
      case "s":
        return 1e9;
      case "m":
        return 60e9;
      default:
        return 3600e9;
    }
  }

  /** Go-style text of a duration, for logs and config dumps: {@code 1m30s}, {@code 500ms}. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms == 0) {
      return d.isZero() ? "0s" : d.toNanos() + "ns";
    }
    if (ms % 1000 != 0) {
      return ms + "ms";
    }
    long s = ms / 1000;
    StringBuilder sb = new StringBuilder();
    if (s >= 3600) {
      sb.append(s / 3600).append('h');
      s %= 3600;
    }
    if (s >= 60) {
      sb.append(s / 60).append('m');
      s %= 60;
    }
    if (s > 0 || sb.length() == 0) {
      sb.append(s).append('s');
    }
    return sb.toString();
  }
}

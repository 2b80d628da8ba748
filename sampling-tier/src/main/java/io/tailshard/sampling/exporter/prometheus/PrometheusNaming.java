package io.tailshard.sampling.exporter.prometheus;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * OpenTelemetry names to Prometheus names, as the Collector's Prometheus translator does them:
 * metric names split into words at every character that is not a letter or digit, the unit's
 * Prometheus word appended ({@code ms} becomes {@code milliseconds}; {@code {annotations}} dropped),
 * {@code total} for monotonic sums, {@code ratio} for gauges in unit {@code 1}, joined with
 * {@code _} after an optional namespace; label names with every invalid character replaced by
 * {@code _}, a {@code key_} prefix before a leading digit and {@code key} before a single leading
 * underscore. Stateless.
 */
final class PrometheusNaming {
  private static final Map<String, String> UNITS = Map.ofEntries(
      Map.entry("d", "days"), Map.entry("h", "hours"), Map.entry("min", "minutes"), Map.entry("s", "seconds"),
      Map.entry("ms", "milliseconds"), Map.entry("us", "microseconds"), Map.entry("ns", "nanoseconds"),
      Map.entry("By", "bytes"), Map.entry("KiBy", "kibibytes"), Map.entry("MiBy", "mebibytes"),
      Map.entry("GiBy", "gibibytes"), Map.entry("TiBy", "tibibytes"), Map.entry("KBy", "kilobytes"),
      Map.entry("MBy", "megabytes"), Map.entry("GBy", "gigabytes"), Map.entry("TBy", "terabytes"),
      Map.entry("m", "meters"), Map.entry("V", "volts"), Map.entry("A", "amperes"), Map.entry("J", "joules"),
      Map.entry("W", "watts"), Map.entry("g", "grams"), Map.entry("Cel", "celsius"), Map.entry("Hz", "hertz"),
      Map.entry("%", "percent"));
  private static final Map<String, String> PER_UNITS = Map.of(
      "s", "second", "m", "minute", "h", "hour", "d", "day", "w", "week", "mo", "month", "y", "year");

  /** What kind of Prometheus metric a name is built for. */
  enum Kind {
    COUNTER,
    GAUGE,
    HISTOGRAM
  }

  private PrometheusNaming() {}

  static String metricName(String name, String unit, Kind kind, String namespace, boolean addSuffixes) {
    String out;
    if (addSuffixes) {
      List<String> words = words(name);
      for (String u : unitWords(unit, kind)) {
        if (!words.contains(u)) {
          words.add(u);
        }
      }
      if (kind == Kind.COUNTER) {
        words.removeIf(w -> w.equals("total"));
        words.add("total");
      }
      out = String.join("_", words);
    } else {
      out = clean(name);
    }
    if (!namespace.isEmpty()) {
      out = clean(namespace) + "_" + out;
    }
    if (!out.isEmpty() && Character.isDigit(out.charAt(0))) {
      out = "_" + out;
    }
    return out;
  }

  private static List<String> words(String name) {
    List<String> out = new ArrayList<>();
    StringBuilder w = new StringBuilder();
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (Character.isLetterOrDigit(c) && c < 128) {
        w.append(c);
      } else if (w.length() > 0) {
        out.add(w.toString());
        w.setLength(0);
      }
    }
    if (w.length() > 0) {
      out.add(w.toString());
    }
    return out;
  }

  private static List<String> unitWords(String unit, Kind kind) {
    List<String> out = new ArrayList<>();
    if (unit == null || unit.isEmpty()) {
      return out;
    }
    String u = unit.replaceAll("\\{[^}]*}", "");
    if (u.equals("1")) {
      if (kind == Kind.GAUGE) {
        out.add("ratio");
      }
      return out;
    }
    String main = u;
    String per = "";
    int slash = u.indexOf('/');
    if (slash >= 0) {
      main = u.substring(0, slash);
      per = u.substring(slash + 1);
    }
    if (!main.isEmpty()) {
      out.addAll(words(UNITS.getOrDefault(main, main)));
    }
    if (!per.isEmpty()) {
      out.add("per");
      out.addAll(words(PER_UNITS.getOrDefault(per, per)));
    }
    return out;
  }

  /** A label name as the translator writes it. */
  static String labelName(String attribute) {
    if (attribute.isEmpty()) {
      return attribute;
    }
    String s = clean(attribute);
    if (Character.isDigit(s.charAt(0))) {
      return "key_" + s;
    }
    if (s.startsWith("_") && !s.startsWith("__")) {
      return "key" + s;
    }
    return s;
  }

  /** Every character outside {@code [a-zA-Z0-9_]} (and {@code :} in metric names) as {@code _}. */
  static String clean(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      sb.append(ok ? c : '_');
    }
    return sb.toString();
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}

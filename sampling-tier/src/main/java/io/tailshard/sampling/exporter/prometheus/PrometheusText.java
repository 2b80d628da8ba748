package io.tailshard.sampling.exporter.prometheus;

import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.tailshard.sampling.exporter.prometheus.MetricStore.Family;
import io.tailshard.sampling.exporter.prometheus.MetricStore.Point;
import io.tailshard.sampling.exporter.prometheus.PrometheusNaming.Kind;
import java.util.HexFormat;
import java.util.List;

/**
 * Writes metric families as Prometheus text format 0.0.4 or, when asked, OpenMetrics 1.0 (which
 * alone carries exemplars: on counters the newest, on each histogram bucket the newest exemplar
 * whose value falls in it). Stateless.
 */
final class PrometheusText {
  static final String TEXT_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
  static final String OPENMETRICS_CONTENT_TYPE = "application/openmetrics-text; version=1.0.0; charset=utf-8";

  private PrometheusText() {}

  static String write(List<Family> families, boolean openMetrics, boolean timestamps) {
    StringBuilder sb = new StringBuilder(4096);
    for (Family f : families) {
      String typeName = f.name;
      if (openMetrics && f.kind == Kind.COUNTER && typeName.endsWith("_total")) {
        typeName = typeName.substring(0, typeName.length() - "_total".length());
      }
      sb.append("# HELP ").append(typeName).append(' ');
      escapeHelp(sb, f.help);
      sb.append('\n');
      sb.append("# TYPE ").append(typeName).append(' ').append(type(f.kind)).append('\n');
      for (Point p : f.points.values()) {
        if (f.kind == Kind.HISTOGRAM) {
          histogram(sb, f.name, p, openMetrics, timestamps);
        } else {
          String sample = openMetrics && f.kind == Kind.COUNTER ? typeName + "_total" : f.name;
          line(sb, sample, p.labels, null, p.value, p, timestamps);
          if (openMetrics && f.kind == Kind.COUNTER && !p.exemplars.isEmpty()) {
            exemplar(sb, p.exemplars.get(p.exemplars.size() - 1));
          }
          sb.append('\n');
        }
      }
    }
    if (openMetrics) {
      sb.append("# EOF\n");
    }
    return sb.toString();
  }

  private static void histogram(StringBuilder sb, String name, Point p, boolean openMetrics, boolean timestamps) {
    if (p.buckets == null) {
      return;
    }
    long cumulative = 0;
    for (int i = 0; i <= p.bounds.length; i++) {
      cumulative += p.buckets[i];
      double upper = i < p.bounds.length ? p.bounds[i] : Double.POSITIVE_INFINITY;
      String le = i < p.bounds.length ? number(upper, openMetrics) : "+Inf";
      line(sb, name + "_bucket", p.labels, le, cumulative, p, timestamps);
      if (openMetrics) {
        double lower = i == 0 ? Double.NEGATIVE_INFINITY : p.bounds[i - 1];
        Exemplar e = newestIn(p.exemplars, lower, upper);
        if (e != null) {
          exemplar(sb, e);
        }
      }
      sb.append('\n');
    }
    line(sb, name + "_sum", p.labels, null, p.sum, p, timestamps);
    sb.append('\n');
    line(sb, name + "_count", p.labels, null, p.count, p, timestamps);
    sb.append('\n');
  }

  private static Exemplar newestIn(List<Exemplar> exemplars, double lower, double upper) {
    for (int i = exemplars.size() - 1; i >= 0; i--) {
      double v = value(exemplars.get(i));
      if (v > lower && v <= upper) {
        return exemplars.get(i);
      }
    }
    return null;
  }

  private static double value(Exemplar e) {
    return e.getValueCase() == Exemplar.ValueCase.AS_INT ? e.getAsInt() : e.getAsDouble();
  }

  private static void line(StringBuilder sb, String name, String labels, String le, double value, Point p, boolean timestamps) {
    sb.append(name);
    if (!labels.isEmpty() || le != null) {
      sb.append('{').append(labels);
      if (le != null) {
        sb.append(labels.isEmpty() ? "" : ",").append("le=\"").append(le).append('"');
      }
      sb.append('}');
    }
    sb.append(' ').append(number(value));
    if (timestamps && p.timeUnixNanos > 0) {
      sb.append(' ').append(p.timeUnixNanos / 1_000_000);
    }
  }

  private static void exemplar(StringBuilder sb, Exemplar e) {
    HexFormat hex = HexFormat.of();
    sb.append(" # {");
    boolean any = false;
    if (!e.getTraceId().isEmpty()) {
      sb.append("trace_id=\"").append(hex.formatHex(e.getTraceId().toByteArray())).append('"');
      any = true;
    }
    if (!e.getSpanId().isEmpty()) {
      sb.append(any ? "," : "").append("span_id=\"").append(hex.formatHex(e.getSpanId().toByteArray())).append('"');
    }
    sb.append("} ").append(number(value(e)));
    if (e.getTimeUnixNano() > 0) {
      sb.append(' ').append(e.getTimeUnixNano() / 1_000_000_000L).append('.')
          .append(String.format("%03d", (e.getTimeUnixNano() / 1_000_000L) % 1000));
    }
  }

  private static String type(Kind kind) {
    switch (kind) {
      case COUNTER:
        return "counter";
      case HISTOGRAM:
        return "histogram";
      default:
        return "gauge";
    }
  }

  /** A sample value: integers without a fraction, +Inf/-Inf/NaN as Prometheus spells them. */
  static String number(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }

  /** A bucket bound; OpenMetrics wants a float form ("2.0"), the text format takes "2". */
  private static String number(double v, boolean openMetrics) {
    String s = number(v);
    return openMetrics && s.indexOf('.') < 0 && s.indexOf('E') < 0 && s.indexOf('e') < 0 ? s + ".0" : s;
  }

  static void escape(StringBuilder sb, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '\\':
          sb.append("\\\\");
          break;
        case '"':
          sb.append("\\\"");
          break;
        case '\n':
          sb.append("\\n");
          break;
        default:
          sb.append(c);
      }
    }
  }

  private static void escapeHelp(StringBuilder sb, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        sb.append("\\\\");
      } else if (c == '\n') {
        sb.append("\\n");
      } else {
        sb.append(c);
      }
    }
  }
}

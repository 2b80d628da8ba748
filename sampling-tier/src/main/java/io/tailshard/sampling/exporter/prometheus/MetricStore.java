package io.tailshard.sampling.exporter.prometheus;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.tailshard.common.component.MetricsData;
import io.tailshard.sampling.exporter.prometheus.PrometheusNaming.Kind;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.logging.Logger;

/**
 * The latest value of every series the exporter was given, in Prometheus terms, and its text
 * exposition. Like the Collector's exporter: cumulative data replaces what was held, delta data
 * (monotonic sums, histograms with the same bounds) is added to it, so Prometheus always sees
 * cumulative counters; a series not updated for {@code metric_expiration} disappears; each resource
 * with a {@code service.name} or {@code service.instance.id} gives a {@code target_info} series
 * with its other attributes; {@code job} is {@code service.namespace/service.name} and
 * {@code instance} is {@code service.instance.id}. Exponential histograms and summaries are not
 * rendered (the Collector's text exporter does not render exponential histograms either); they are
 * counted and logged once.
 *
 * <p>Thread-safe (one lock).
 */
final class MetricStore {
  private static final Logger LOG = Logger.getLogger(MetricStore.class.getName());
  static final String TARGET_INFO = "target_info";

  private final PrometheusExporterConfig config;
  private final TreeMap<String, Family> families = new TreeMap<>();
  private final Set<String> warned = new HashSet<>();
  private long skippedPoints;

  /** One metric family: its Prometheus type, help and series by rendered label set. */
  static final class Family {
    final String name;
    final Kind kind;
    final String help;
    final Map<String, Point> points = new LinkedHashMap<>();

    Family(String name, Kind kind, String help) {
      this.name = name;
      this.kind = kind;
      this.help = help;
    }
  }

  /** One series: counter or gauge value, or histogram buckets (not cumulated), sum and count. */
  static final class Point {
    final String labels;
    double value;
    double[] bounds;
    long[] buckets;
    double sum;
    long count;
    long updatedNanos;
    long timeUnixNanos;
    List<Exemplar> exemplars = List.of();

    Point(String labels) {
      this.labels = labels;
    }
  }

  MetricStore(PrometheusExporterConfig config) {
    this.config = config;
  }

  synchronized void accept(MetricsData data, long nowNanos) {
    for (ResourceMetrics rm : data.request().getResourceMetricsList()) {
      List<KeyValue> resource = rm.getResource().getAttributesList();
      Map<String, String> resourceLabels = resourceLabels(resource);
      addTargetInfo(resource, resourceLabels, nowNanos);
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        for (Metric m : sm.getMetricsList()) {
          accept(m, resource, resourceLabels, nowNanos);
        }
      }
    }
  }

  private void accept(Metric m, List<KeyValue> resource, Map<String, String> resourceLabels, long nowNanos) {
    switch (m.getDataCase()) {
      case SUM: {
        boolean monotonic = m.getSum().getIsMonotonic();
        boolean delta = m.getSum().getAggregationTemporality() == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
        Kind kind = monotonic ? Kind.COUNTER : Kind.GAUGE;
        Family f = family(m, kind);
        if (f == null) {
          return;
        }
        for (NumberDataPoint dp : m.getSum().getDataPointsList()) {
          Point p = point(f, dp.getAttributesList(), resourceLabels);
          double v = dp.getValueCase() == NumberDataPoint.ValueCase.AS_INT ? dp.getAsInt() : dp.getAsDouble();
          p.value = monotonic && delta && p.updatedNanos != 0 ? p.value + v : v;
          touch(p, dp.getTimeUnixNano(), dp.getExemplarsList(), nowNanos);
        }
        return;
      }
      case GAUGE: {
        Family f = family(m, Kind.GAUGE);
        if (f == null) {
          return;
        }
        for (NumberDataPoint dp : m.getGauge().getDataPointsList()) {
          Point p = point(f, dp.getAttributesList(), resourceLabels);
          p.value = dp.getValueCase() == NumberDataPoint.ValueCase.AS_INT ? dp.getAsInt() : dp.getAsDouble();
          touch(p, dp.getTimeUnixNano(), List.of(), nowNanos);
        }
        return;
      }
      case HISTOGRAM: {
        boolean delta = m.getHistogram().getAggregationTemporality() == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
        Family f = family(m, Kind.HISTOGRAM);
        if (f == null) {
          return;
        }
        for (HistogramDataPoint dp : m.getHistogram().getDataPointsList()) {
          Point p = point(f, dp.getAttributesList(), resourceLabels);
          double[] bounds = dp.getExplicitBoundsList().stream().mapToDouble(Double::doubleValue).toArray();
          long[] counts = new long[bounds.length + 1];
          for (int i = 0; i < counts.length && i < dp.getBucketCountsCount(); i++) {
            counts[i] = dp.getBucketCounts(i);
          }
          if (delta && p.buckets != null && Arrays.equals(p.bounds, bounds)) {
            for (int i = 0; i < counts.length; i++) {
              p.buckets[i] += counts[i];
            }
            p.sum += dp.getSum();
            p.count += dp.getCount();
          } else {
            p.bounds = bounds;
            p.buckets = counts;
            p.sum = dp.getSum();
            p.count = dp.getCount();
          }
          touch(p, dp.getTimeUnixNano(), dp.getExemplarsList(), nowNanos);
        }
        return;
      }
      default:
        skippedPoints++;
        if (warned.add(m.getName())) {
          LOG.warning("metric " + m.getName() + " is a " + m.getDataCase()
              + ", which the prometheus exporter does not render in text format; it is left out");
        }
    }
  }

  private static void touch(Point p, long timeUnixNanos, List<Exemplar> exemplars, long nowNanos) {
    p.updatedNanos = nowNanos;
    p.timeUnixNanos = timeUnixNanos;
    if (!exemplars.isEmpty()) {
      p.exemplars = List.copyOf(exemplars);
    }
  }

  private Family family(Metric m, Kind kind) {
    String name = PrometheusNaming.metricName(m.getName(), m.getUnit(), kind, config.namespace(), config.addMetricSuffixes());
    Family f = families.get(name);
    if (f == null) {
      String help = m.getDescription().isEmpty() ? m.getName() : m.getDescription();
      f = new Family(name, kind, help);
      families.put(name, f);
    } else if (f.kind != kind) {
      if (warned.add(name + "/" + kind)) {
        LOG.warning("metric " + name + " arrived as " + kind + " but is a " + f.kind + "; the " + kind + " is left out");
      }
      return null;
    }
    return f;
  }

  private Point point(Family f, List<KeyValue> attributes, Map<String, String> resourceLabels) {
    TreeMap<String, String> labels = new TreeMap<>();
    for (KeyValue kv : attributes) {
      put(labels, PrometheusNaming.labelName(kv.getKey()), text(kv.getValue()));
    }
    for (Map.Entry<String, String> e : resourceLabels.entrySet()) {
      labels.putIfAbsent(e.getKey(), e.getValue());
    }
    config.constLabels().forEach((k, v) -> labels.put(PrometheusNaming.labelName(k), v));
    String key = render(labels);
    return f.points.computeIfAbsent(key, Point::new);
  }

  /** job and instance from the resource, and with resource_to_telemetry_conversion every other attribute. */
  private Map<String, String> resourceLabels(List<KeyValue> resource) {
    TreeMap<String, String> out = new TreeMap<>();
    if (config.resourceToTelemetry()) {
      for (KeyValue kv : resource) {
        put(out, PrometheusNaming.labelName(kv.getKey()), text(kv.getValue()));
      }
    }
    String job = job(resource);
    if (job != null) {
      out.put("job", job);
    }
    String instance = attribute(resource, "service.instance.id");
    if (instance != null) {
      out.put("instance", instance);
    }
    return out;
  }

  private void addTargetInfo(List<KeyValue> resource, Map<String, String> resourceLabels, long nowNanos) {
    if (!resourceLabels.containsKey("job") && !resourceLabels.containsKey("instance")) {
      return;
    }
    TreeMap<String, String> labels = new TreeMap<>();
    for (KeyValue kv : resource) {
      String k = kv.getKey();
      if (k.equals("service.name") || k.equals("service.namespace") || k.equals("service.instance.id")) {
        continue;
      }
      put(labels, PrometheusNaming.labelName(k), text(kv.getValue()));
    }
    if (resourceLabels.containsKey("job")) {
      labels.put("job", resourceLabels.get("job"));
    }
    if (resourceLabels.containsKey("instance")) {
      labels.put("instance", resourceLabels.get("instance"));
    }
    String name = config.namespace().isEmpty() ? TARGET_INFO : PrometheusNaming.clean(config.namespace()) + "_" + TARGET_INFO;
    Family f = families.computeIfAbsent(name, n -> new Family(n, Kind.GAUGE, "Target metadata"));
    Point p = f.points.computeIfAbsent(render(labels), Point::new);
    p.value = 1;
    p.updatedNanos = nowNanos;
  }

  /** Two attributes that normalize to one label name keep both values, joined with ';', as the translator does. */
  private static void put(Map<String, String> labels, String name, String value) {
    labels.merge(name, value, (a, b) -> a + ";" + b);
  }

  private static String job(List<KeyValue> resource) {
    String name = attribute(resource, "service.name");
    if (name == null) {
      return null;
    }
    String ns = attribute(resource, "service.namespace");
    return ns == null || ns.isEmpty() ? name : ns + "/" + name;
  }

  private static String attribute(List<KeyValue> attributes, String key) {
    for (KeyValue kv : attributes) {
      if (kv.getKey().equals(key)) {
        return text(kv.getValue());
      }
    }
    return null;
  }

  static String text(AnyValue v) {
    switch (v.getValueCase()) {
      case STRING_VALUE:
        return v.getStringValue();
      case BOOL_VALUE:
        return Boolean.toString(v.getBoolValue());
      case INT_VALUE:
        return Long.toString(v.getIntValue());
      case DOUBLE_VALUE:
        return PrometheusText.number(v.getDoubleValue());
      default:
        return v.toString().trim();
    }
  }

  private static String render(TreeMap<String, String> labels) {
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, String> e : labels.entrySet()) {
      if (sb.length() > 0) {
        sb.append(',');
      }
      sb.append(e.getKey()).append("=\"");
      PrometheusText.escape(sb, e.getValue());
      sb.append('"');
    }
    return sb.toString();
  }

  /** Drops series not updated since {@code nowNanos - metric_expiration}. */
  synchronized void expire(long nowNanos) {
    long before = nowNanos - config.metricExpiration().toNanos();
    Iterator<Family> it = families.values().iterator();
    while (it.hasNext()) {
      Family f = it.next();
      f.points.values().removeIf(p -> p.updatedNanos < before);
      if (f.points.isEmpty()) {
        it.remove();
      }
    }
  }

  /** The exposition, in Prometheus text 0.0.4 or OpenMetrics 1.0. */
  synchronized String render(boolean openMetrics, long nowNanos) {
    expire(nowNanos);
    return PrometheusText.write(new ArrayList<>(families.values()), openMetrics, config.sendTimestamps());
  }

  synchronized long skippedPoints() {
    return skippedPoints;
  }
}

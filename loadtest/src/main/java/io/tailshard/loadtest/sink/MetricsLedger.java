package io.tailshard.loadtest.sink;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.tailshard.loadtest.truth.SpanMetricsTable;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The span metrics the product exported over OTLP ({@code <namespace>.calls} sums and
 * {@code <namespace>.duration} histograms), kept per stream so they can be added up at the end:
 * a stream is one metric of one resource with one set of point attributes and one start time, so a
 * node's cumulative series, several nodes' series of the same span dimensions, and a series that
 * restarted after a node restart all add up correctly. Cumulative points replace the stream's value
 * (the newest wins), delta points add to it. Decoded with the generated classes: metrics come once
 * per flush, a cold path. Thread-safe (one lock).
 */
final class MetricsLedger {
  private final String callsName;
  private final String durationName;
  private final Map<String, Stream> streams = new HashMap<>();
  private long requests;
  private long points;
  private boolean foreignBounds;

  private static final class Stream {
    final SpanMetricsTable.Key key;
    long time;
    long calls;
    long[] buckets;

    Stream(SpanMetricsTable.Key key) {
      this.key = key;
    }
  }

  MetricsLedger(String namespace) {
    this.callsName = namespace + ".calls";
    this.durationName = namespace + ".duration";
  }

  synchronized void ingest(ExportMetricsServiceRequest request) {
    requests++;
    for (ResourceMetrics rm : request.getResourceMetricsList()) {
      String resourceId = canonical(rm.getResource().getAttributesList());
      String service = attribute(rm.getResource().getAttributesList(), "service.name");
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        for (Metric m : sm.getMetricsList()) {
          if (m.getName().equals(callsName) && m.hasSum()) {
            boolean delta = m.getSum().getAggregationTemporality()
                == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
            for (NumberDataPoint p : m.getSum().getDataPointsList()) {
              points++;
              long v = p.hasAsInt() ? p.getAsInt() : Math.round(p.getAsDouble());
              Stream s = stream(resourceId, m.getName(), service, p.getAttributesList(), p.getStartTimeUnixNano());
              if (delta) {
                s.calls += v;
              } else if (p.getTimeUnixNano() >= s.time) {
                s.time = p.getTimeUnixNano();
                s.calls = v;
              }
            }
          } else if (m.getName().equals(durationName) && m.hasHistogram()) {
            boolean delta = m.getHistogram().getAggregationTemporality()
                == AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA;
            for (HistogramDataPoint p : m.getHistogram().getDataPointsList()) {
              points++;
              if (!defaultBounds(p.getExplicitBoundsList())) {
                foreignBounds = true;
              }
              long[] counts = new long[SpanMetricsTable.BUCKETS];
              for (int i = 0; i < p.getBucketCountsCount() && i < counts.length; i++) {
                counts[i] = p.getBucketCounts(i);
              }
              Stream s = stream(resourceId, m.getName(), service, p.getAttributesList(), p.getStartTimeUnixNano());
              if (delta) {
                if (s.buckets == null) {
                  s.buckets = new long[SpanMetricsTable.BUCKETS];
                }
                for (int i = 0; i < counts.length; i++) {
                  s.buckets[i] += counts[i];
                }
              } else if (p.getTimeUnixNano() >= s.time) {
                s.time = p.getTimeUnixNano();
                s.buckets = counts;
              }
            }
          }
        }
      }
    }
  }

  private Stream stream(String resourceId, String metric, String service, List<KeyValue> attrs, long start) {
    String id = resourceId + '\u0000' + metric + '\u0000' + canonical(attrs) + '\u0000' + start;
    return streams.computeIfAbsent(id, k -> {
      String svc = service != null ? service : attribute(attrs, "service.name");
      return new Stream(new SpanMetricsTable.Key(svc == null ? "" : svc, orEmpty(attribute(attrs, "span.name")),
          orEmpty(attribute(attrs, "span.kind")), orEmpty(attribute(attrs, "status.code"))));
    });
  }

  private static boolean defaultBounds(List<Double> bounds) {
    if (bounds.size() != SpanMetricsTable.DEFAULT_BOUNDS_MS.length) {
      return false;
    }
    for (int i = 0; i < bounds.size(); i++) {
      if (bounds.get(i) != SpanMetricsTable.DEFAULT_BOUNDS_MS[i]) {
        return false;
      }
    }
    return true;
  }

  /** The series added up over streams. */
  synchronized SpanMetricsTable table() {
    SpanMetricsTable t = new SpanMetricsTable();
    for (Stream s : streams.values()) {
      if (s.buckets != null) {
        t.addBuckets(s.key, s.buckets);
      } else {
        t.addCalls(s.key, s.calls);
      }
    }
    return t;
  }

  synchronized long requests() {
    return requests;
  }

  synchronized long points() {
    return points;
  }

  /** True when a histogram used other bounds than the connector's defaults (bucket counts not comparable). */
  synchronized boolean foreignBounds() {
    return foreignBounds;
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static String attribute(List<KeyValue> attrs, String key) {
    for (KeyValue kv : attrs) {
      if (kv.getKey().equals(key)) {
        return text(kv.getValue());
      }
    }
    return null;
  }

  private static String canonical(List<KeyValue> attrs) {
    Map<String, String> sorted = new TreeMap<>();
    for (KeyValue kv : attrs) {
      sorted.put(kv.getKey(), text(kv.getValue()));
    }
    return sorted.toString();
  }

  private static String text(AnyValue v) {
    switch (v.getValueCase()) {
      case STRING_VALUE:
        return v.getStringValue();
      case INT_VALUE:
        return Long.toString(v.getIntValue());
      case BOOL_VALUE:
        return Boolean.toString(v.getBoolValue());
      case DOUBLE_VALUE:
        return Double.toString(v.getDoubleValue());
      default:
        return v.toString();
    }
  }
}

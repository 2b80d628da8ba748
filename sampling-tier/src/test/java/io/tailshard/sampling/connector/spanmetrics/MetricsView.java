package io.tailshard.sampling.connector.spanmetrics;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reads the connector's output back into plain maps for comparisons with the truth. */
final class MetricsView {
  /** One data point of calls or duration, by its attributes. */
  record Point(Map<String, String> attributes, Map<String, String> resource, long count, List<Long> buckets, double sum) {}

  private MetricsView() {}

  static List<Point> points(ExportMetricsServiceRequest req, String metricName) {
    List<Point> out = new ArrayList<>();
    for (ResourceMetrics rm : req.getResourceMetricsList()) {
      Map<String, String> resource = map(rm.getResource().getAttributesList());
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        for (Metric m : sm.getMetricsList()) {
          if (!m.getName().equals(metricName)) {
            continue;
          }
          if (m.hasSum()) {
            for (NumberDataPoint dp : m.getSum().getDataPointsList()) {
              out.add(new Point(map(dp.getAttributesList()), resource, dp.getAsInt(), List.of(), 0));
            }
          } else if (m.hasHistogram()) {
            for (HistogramDataPoint dp : m.getHistogram().getDataPointsList()) {
              out.add(new Point(map(dp.getAttributesList()), resource, dp.getCount(), dp.getBucketCountsList(), dp.getSum()));
            }
          }
        }
      }
    }
    return out;
  }

  static Map<String, String> map(List<KeyValue> kvs) {
    Map<String, String> out = new LinkedHashMap<>();
    for (KeyValue kv : kvs) {
      out.put(kv.getKey(), ResourceGroups.text(kv.getValue()));
    }
    return out;
  }

  static String key(Point p) {
    Map<String, String> a = p.attributes();
    return GeneratedLoad.key(a.get("service.name"), a.get("span.name"), a.get("span.kind"), a.get("status.code"));
  }
}

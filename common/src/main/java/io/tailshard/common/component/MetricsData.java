package io.tailshard.common.component;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import java.util.Objects;

/**
 * The unit that flows between metrics components: one OTLP {@code ExportMetricsServiceRequest} and
 * the number of data points in it. Metrics are produced once per flush interval, not per span, so
 * the generated protobuf classes are the right tool here (unlike {@link TraceData}, which stays as
 * bytes on the hot path).
 *
 * <p>Immutable (generated messages are), so one instance may be handed to several consumers at once.
 */
public final class MetricsData {
  private final ExportMetricsServiceRequest request;
  private final int dataPointCount;

  public MetricsData(ExportMetricsServiceRequest request) {
    this.request = Objects.requireNonNull(request, "request");
    this.dataPointCount = countDataPoints(request);
  }

  public ExportMetricsServiceRequest request() {
    return request;
  }

  /** Data points of every metric type, the unit the Collector counts metrics in. */
  public int dataPointCount() {
    return dataPointCount;
  }

  /** The request in protobuf wire form, as sent over OTLP. */
  public byte[] toByteArray() {
    return request.toByteArray();
  }

  private static int countDataPoints(ExportMetricsServiceRequest request) {
    int n = 0;
    for (ResourceMetrics rm : request.getResourceMetricsList()) {
      for (ScopeMetrics sm : rm.getScopeMetricsList()) {
        for (Metric m : sm.getMetricsList()) {
          switch (m.getDataCase()) {
            case GAUGE:
              n += m.getGauge().getDataPointsCount();
              break;
            case SUM:
              n += m.getSum().getDataPointsCount();
              break;
            case HISTOGRAM:
              n += m.getHistogram().getDataPointsCount();
              break;
            case EXPONENTIAL_HISTOGRAM:
              n += m.getExponentialHistogram().getDataPointsCount();
              break;
            case SUMMARY:
              n += m.getSummary().getDataPointsCount();
              break;
            default:
              break;
          }
        }
      }
    }
    return n;
  }

  @Override
  public String toString() {
    return "MetricsData{" + dataPointCount + " data points, " + request.getResourceMetricsCount() + " resources}";
  }
}

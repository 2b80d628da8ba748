package io.tailshard.common.exporter;

import io.tailshard.common.telemetry.MetricRegistry;
import java.util.function.DoubleSupplier;

/**
 * The Collector's exporter metrics for one exporter (or one backend of the loadbalancing exporter,
 * told apart by extra labels such as {@code endpoint}): items sent, failed to send, refused by a
 * full queue, and the queue's size and capacity. Items are spans ({@code otelcol_exporter_sent_spans},
 * ...) or, for an exporter in a metrics pipeline, metric points ({@link #forMetricPoints}:
 * {@code otelcol_exporter_sent_metric_points}, ..., queue gauges labelled
 * {@code data_type="metrics"} so they do not clash with the same exporter's traces queue). The
 * fields keep their span names for both.
 */
public final class ExporterMetrics {
  public final MetricRegistry.Counter sentSpans;
  public final MetricRegistry.Counter sendFailedSpans;
  public final MetricRegistry.Counter enqueueFailedSpans;
  private final MetricRegistry registry;
  private final String[] labels;

  /** Span counters; {@code labels} alternate name and value and must include {@code exporter}. */
  public ExporterMetrics(MetricRegistry registry, String... labels) {
    this(registry, "spans", "spans", labels, labels);
  }

  /** Metric-point counters of an exporter in a metrics pipeline. */
  public static ExporterMetrics forMetricPoints(MetricRegistry registry, String... labels) {
    String[] gaugeLabels = java.util.Arrays.copyOf(labels, labels.length + 2);
    gaugeLabels[labels.length] = "data_type";
    gaugeLabels[labels.length + 1] = "metrics";
    return new ExporterMetrics(registry, "metric_points", "metric points", labels, gaugeLabels);
  }

  private ExporterMetrics(MetricRegistry registry, String item, String words, String[] labels, String[] gaugeLabels) {
    this.registry = registry;
    this.labels = gaugeLabels.clone();
    sentSpans = registry.counter("otelcol_exporter_sent_" + item,
        "Number of " + words + " successfully sent to destination.", labels);
    sendFailedSpans = registry.counter("otelcol_exporter_send_failed_" + item,
        "Number of " + words + " in failed attempts to send to destination.", labels);
    enqueueFailedSpans = registry.counter("otelcol_exporter_enqueue_failed_" + item,
        "Number of " + words + " failed to be added to the sending queue.", labels);
  }

  /** Registers the queue gauges, read at scrape time. */
  public void queueGauges(DoubleSupplier size, DoubleSupplier capacity) {
    registry.gauge("otelcol_exporter_queue_size", "Current size of the retry queue (in batches).", size, labels);
    registry.gauge("otelcol_exporter_queue_capacity", "Fixed capacity of the retry queue (in batches).", capacity, labels);
  }

  /** Removes the gauges (a backend that left the ring); counters stay, as Prometheus expects. */
  public void removeQueueGauges() {
    registry.remove("otelcol_exporter_queue_size", labels);
    registry.remove("otelcol_exporter_queue_capacity", labels);
  }
}

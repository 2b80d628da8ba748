package io.tailshard.common.exporter;

import io.tailshard.common.telemetry.MetricRegistry;
import java.util.function.DoubleSupplier;

/**
 * The Collector's exporter metrics for one exporter (or one backend of the loadbalancing exporter,
 * told apart by extra labels such as {@code endpoint}): spans sent, failed to send, refused by a full
 * queue, and the queue's size and capacity.
 */
public final class ExporterMetrics {
  public final MetricRegistry.Counter sentSpans;
  public final MetricRegistry.Counter sendFailedSpans;
  public final MetricRegistry.Counter enqueueFailedSpans;
  private final MetricRegistry registry;
  private final String[] labels;

  /** {@code labels} alternate name and value and must include {@code exporter}. */
  public ExporterMetrics(MetricRegistry registry, String... labels) {
    this.registry = registry;
    this.labels = labels.clone();
    sentSpans = registry.counter("otelcol_exporter_sent_spans",
        "Number of spans successfully sent to destination.", labels);
    sendFailedSpans = registry.counter("otelcol_exporter_send_failed_spans",
        "Number of spans in failed attempts to send to destination.", labels);
    enqueueFailedSpans = registry.counter("otelcol_exporter_enqueue_failed_spans",
        "Number of spans failed to be added to the sending queue.", labels);
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

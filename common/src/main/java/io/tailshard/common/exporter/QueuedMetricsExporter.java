package io.tailshard.common.exporter;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.MetricsData;
import io.tailshard.common.component.MetricsExporter;
import io.tailshard.common.component.TraceData;
import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * A metrics exporter made of a {@link Destination} (which takes the bytes of an
 * {@code ExportMetricsServiceRequest}) behind a sending queue; counts
 * {@code otelcol_exporter_*_metric_points}. Requests are sent one at a time, in the order they
 * came: a metrics pipeline produces one request per flush interval, and cumulative points that
 * arrive out of order are refused by some backends. A persistent queue keeps its own store
 * ({@code sending_queue_metrics}) beside the traces queue of the same exporter. Thread-safe.
 */
public final class QueuedMetricsExporter implements MetricsExporter {
  private final QueuedExport export;

  /**
   * @param destination made at start; sends {@code ExportMetricsServiceRequest} bytes
   * @throws io.tailshard.common.config.ConfigException when {@code sending_queue.storage} cannot be honoured
   */
  public QueuedMetricsExporter(ComponentSettings settings, QueueConfig queue, RetryConfig retry,
      Supplier<? extends Destination> destination) {
    QueueConfig inOrder = new QueueConfig(queue.enabled(), 1, queue.queueSize(), queue.sizer(), queue.storage());
    this.export = new QueuedExport(settings, QueuedExport.Items.METRIC_POINTS, inOrder, retry, destination);
  }

  @Override
  public Future<Void> start() {
    return export.start();
  }

  @Override
  public Future<Void> consumeMetrics(MetricsData data) {
    return export.submit(new TraceData(data.toByteArray(), data.dataPointCount()));
  }

  @Override
  public Future<Void> shutdown() {
    return export.shutdown();
  }
}

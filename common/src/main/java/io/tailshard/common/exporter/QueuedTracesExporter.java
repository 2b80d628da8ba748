package io.tailshard.common.exporter;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.component.TracesExporter;
import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * A traces exporter made of a {@link Destination} behind a sending queue (in memory, or persistent
 * with {@code sending_queue.storage}); counts {@code otelcol_exporter_*_spans}. What the
 * {@code otlp}, {@code otlphttp} and {@code file} exporters are in a traces pipeline. Thread-safe.
 */
public final class QueuedTracesExporter implements TracesExporter {
  private final QueuedExport export;

  /**
   * @param destination made at start (so creating the exporter opens no connection or file)
   * @throws io.tailshard.common.config.ConfigException when {@code sending_queue.storage} cannot be honoured
   */
  public QueuedTracesExporter(ComponentSettings settings, QueueConfig queue, RetryConfig retry,
      Supplier<? extends Destination> destination) {
    this.export = new QueuedExport(settings, QueuedExport.Items.SPANS, queue, retry, destination);
  }

  @Override
  public Future<Void> start() {
    return export.start();
  }

  @Override
  public Future<Void> consumeTraces(TraceData data) {
    return export.submit(data);
  }

  @Override
  public Future<Void> shutdown() {
    return export.shutdown();
  }
}

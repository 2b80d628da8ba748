package io.tailshard.common.exporter.otlp;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.component.TracesExporter;
import io.tailshard.common.exporter.ExporterMetrics;
import io.tailshard.common.exporter.SendResult;
import io.tailshard.common.exporter.SendingQueue;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/** One OTLP/gRPC destination behind a sending queue. Batches that exhaust retries are counted and logged. */
final class OtlpExporter implements TracesExporter {
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);
  /** At most one "gave up" log line per this interval, with the count since the last one. */
  private static final long LOG_INTERVAL_NANOS = Duration.ofSeconds(10).toNanos();

  private final ComponentSettings settings;
  private final OtlpExporterConfig config;
  private final Logger log;
  private final ExporterMetrics metrics;
  private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
  private final AtomicLong unloggedFailures = new AtomicLong();
  private final java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();
  private volatile OtlpTraceSender sender;
  private volatile SendingQueue queue;

  OtlpExporter(ComponentSettings settings, OtlpExporterConfig config) {
    this.settings = settings;
    this.config = config;
    this.log = settings.logger();
    this.metrics = new ExporterMetrics(settings.telemetry().metrics(), "exporter", settings.id().toString());
  }

  @Override
  public Future<Void> start() {
    sender = new OtlpTraceSender(settings.vertx(), config.client());
    queue = new SendingQueue(settings.id().toString(), settings.vertx(), config.queue(), config.retry(),
        sender, this::gaveUp, metrics);
    return Future.succeededFuture();
  }

  private void gaveUp(TraceData data, SendResult last) {
    metrics.sendFailedSpans.add(data.spanCount());
    unloggedFailures.addAndGet(data.spanCount());
    long now = System.nanoTime();
    long prev = lastLog.get();
    if (now - prev >= LOG_INTERVAL_NANOS && lastLog.compareAndSet(prev, now)) {
      log.warning("dropped " + unloggedFailures.getAndSet(0) + " spans after retries (counted in "
          + "otelcol_exporter_send_failed_spans); last error: " + last.message());
    }
  }

  @Override
  public Future<Void> consumeTraces(TraceData data) {
    return queue.submit(data);
  }

  @Override
  public Future<Void> shutdown() {
    if (queue == null || !stopped.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    // The queue refuses new data from here on (retryable), and flushes what it holds.
    return queue.shutdown(SHUTDOWN_GRACE).eventually(() -> sender.closeAsync());
  }
}

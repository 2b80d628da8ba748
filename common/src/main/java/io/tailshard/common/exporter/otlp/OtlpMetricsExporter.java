package io.tailshard.common.exporter.otlp;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.MetricsData;
import io.tailshard.common.component.MetricsExporter;
import io.tailshard.common.component.RefusedException;
import io.tailshard.common.exporter.SendResult;
import io.tailshard.common.telemetry.MetricRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code otlp} exporter in a metrics pipeline: sends each {@code ExportMetricsServiceRequest}
 * to {@code MetricsService/Export} of the same destination, with the same connection options,
 * {@code retry_on_failure} and {@code sending_queue} as for traces. Metrics arrive once per flush
 * interval, so one request is in flight at a time; the queue holds at most
 * {@code sending_queue.queue_size} requests and refuses more (retryable). Counted with the
 * Collector's metric-point counters: {@code otelcol_exporter_sent_metric_points},
 * {@code otelcol_exporter_send_failed_metric_points},
 * {@code otelcol_exporter_enqueue_failed_metric_points}.
 *
 * <p>Thread-safe: the queue is guarded by this object; sends run on the Vert.x context.
 */
final class OtlpMetricsExporter implements MetricsExporter {
  private static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);
  private static final long LOG_INTERVAL_NANOS = Duration.ofSeconds(10).toNanos();

  private final ComponentSettings settings;
  private final OtlpExporterConfig config;
  private final MetricRegistry.Counter sent;
  private final MetricRegistry.Counter failed;
  private final MetricRegistry.Counter enqueueFailed;
  private final ArrayDeque<MetricsData> queue = new ArrayDeque<>();
  private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
  private OtlpTraceSender sender;
  private boolean sending;
  private boolean closed;
  private Promise<Void> drained;

  OtlpMetricsExporter(ComponentSettings settings, OtlpExporterConfig config) {
    this.settings = settings;
    this.config = config;
    MetricRegistry m = settings.telemetry().metrics();
    String id = settings.id().toString();
    sent = m.counter("otelcol_exporter_sent_metric_points", "Number of metric points successfully sent to destination.", "exporter", id);
    failed = m.counter("otelcol_exporter_send_failed_metric_points", "Number of metric points in failed attempts to send to destination.", "exporter", id);
    enqueueFailed = m.counter("otelcol_exporter_enqueue_failed_metric_points", "Number of metric points failed to be added to the sending queue.", "exporter", id);
  }

  @Override
  public synchronized Future<Void> start() {
    if (sender == null && !closed) {
      sender = new OtlpTraceSender(settings.vertx(), config.client());
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> consumeMetrics(MetricsData data) {
    synchronized (this) {
      long capacity = config.queue().enabled() ? config.queue().queueSize() : 1;
      if (closed || sender == null || queue.size() >= capacity) {
        enqueueFailed.add(data.dataPointCount());
        return Future.failedFuture(RefusedException.retryable(
            closed || sender == null ? settings.id() + " is not running" : "sending queue of " + settings.id() + " is full"));
      }
      queue.addLast(data);
      if (sending) {
        return Future.succeededFuture();
      }
      sending = true;
    }
    settings.vertx().runOnContext(v -> next());
    return Future.succeededFuture();
  }

  private void next() {
    MetricsData data;
    synchronized (this) {
      data = queue.pollFirst();
      if (data == null) {
        sending = false;
        if (drained != null) {
          drained.tryComplete();
        }
        return;
      }
    }
    attempt(data, Buffer.buffer(data.toByteArray()), 0, System.nanoTime());
  }

  private void attempt(MetricsData data, Buffer body, int retries, long firstNanos) {
    sender.send(body, OtlpTraceSender.EXPORT_METRICS).onComplete(ar -> {
      SendResult r = ar.succeeded() ? ar.result() : SendResult.retryable(String.valueOf(ar.cause()), Duration.ZERO);
      if (r.sent()) {
        sent.add(data.dataPointCount() - r.rejectedSpans());
        failed.add(r.rejectedSpans());
        next();
        return;
      }
      Duration pause = config.retry().backoff(retries + 1);
      boolean closing;
      synchronized (this) {
        closing = closed;
      }
      if (r.outcome() == SendResult.Outcome.RETRYABLE && !closing
          && config.retry().mayRetryAfter(Duration.ofNanos(System.nanoTime() - firstNanos).plus(pause))) {
        settings.vertx().setTimer(Math.max(1, pause.toMillis()), t -> attempt(data, body, retries + 1, firstNanos));
        return;
      }
      failed.add(data.dataPointCount());
      long now = System.nanoTime();
      long prev = lastLog.get();
      if (now - prev >= LOG_INTERVAL_NANOS && lastLog.compareAndSet(prev, now)) {
        settings.logger().warning("dropped " + data.dataPointCount() + " metric points (counted in "
            + "otelcol_exporter_send_failed_metric_points): " + r.message());
      }
      next();
    });
  }

  @Override
  public Future<Void> shutdown() {
    Promise<Void> p;
    synchronized (this) {
      if (closed) {
        return drained == null ? Future.succeededFuture() : drained.future();
      }
      closed = true;
      if (sender == null) {
        return Future.succeededFuture();
      }
      drained = Promise.promise();
      p = drained;
      if (!sending) {
        p.tryComplete();
      }
    }
    // What is queued gets SHUTDOWN_GRACE to go out; retries stop at once (closed).
    long timer = settings.vertx().setTimer(SHUTDOWN_GRACE.toMillis(), t -> p.tryComplete());
    return p.future().eventually(() -> {
      settings.vertx().cancelTimer(timer);
      return sender.closeAsync();
    });
  }
}

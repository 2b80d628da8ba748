package io.tailshard.common.exporter;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.RefusedException;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.config.ConfigException;
import io.tailshard.common.storage.StorageExtension;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * An exporter made of a {@link Destination} behind a {@link SendingQueue}: what the {@code otlp},
 * {@code otlphttp} and {@code file} exporters share, for either signal ({@link QueuedTracesExporter},
 * {@link QueuedMetricsExporter} are its faces). The queue is a {@link MemoryQueue}, or a
 * {@link PersistentQueue} when {@code sending_queue.storage} names a storage extension. Batches
 * given up on are counted ({@code otelcol_exporter_send_failed_spans} or {@code _metric_points})
 * and logged at most every 10 s with the count. A batch is the bytes of one OTLP export request
 * with its item count, carried as {@link TraceData} for both signals.
 *
 * <p>The storage is looked up when the exporter is created, so a config that names a missing or
 * non-storage extension fails at start-up naming the key. Thread-safe.
 */
final class QueuedExport {
  /** What the queue carries: decides counter names, the store's name and the words in logs. */
  enum Items {
    SPANS("spans", PersistentQueue.STORE_NAME),
    METRIC_POINTS("metric points", PersistentQueue.METRICS_STORE_NAME);

    final String words;
    final String storeName;

    Items(String words, String storeName) {
      this.words = words;
      this.storeName = storeName;
    }
  }

  /** How long shutdown waits for queued (memory) or in-flight (persistent) batches. */
  static final Duration SHUTDOWN_GRACE = Duration.ofSeconds(10);
  /** At most one "gave up" log line per this interval, with the count since the last one. */
  private static final long LOG_INTERVAL_NANOS = Duration.ofSeconds(10).toNanos();

  private final ComponentSettings settings;
  private final QueueConfig queueConfig;
  private final RetryConfig retry;
  private final Supplier<? extends Destination> destinationFactory;
  private final Items items;
  private final StorageExtension storage;
  private final Logger log;
  private final ExporterMetrics metrics;
  private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
  private final AtomicLong unloggedFailures = new AtomicLong();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private volatile Destination destination;
  private volatile SendingQueue queue;

  /**
   * @param destination made at start (so creating the exporter opens no connection or file)
   * @throws ConfigException when {@code sending_queue.storage} cannot be honoured
   */
  QueuedExport(ComponentSettings settings, Items items, QueueConfig queue, RetryConfig retry,
      Supplier<? extends Destination> destination) {
    this.settings = settings;
    this.items = items;
    this.queueConfig = queue;
    this.retry = retry;
    this.destinationFactory = destination;
    this.storage = storageFor(settings, queue);
    this.log = settings.logger();
    String id = settings.id().toString();
    this.metrics = items == Items.SPANS
        ? new ExporterMetrics(settings.telemetry().metrics(), "exporter", id)
        : ExporterMetrics.forMetricPoints(settings.telemetry().metrics(), "exporter", id);
  }

  /** The storage extension {@code sending_queue.storage} names, or null for a memory queue. */
  static StorageExtension storageFor(ComponentSettings settings, QueueConfig queue) {
    if (queue.storage() == null) {
      return null;
    }
    String key = "exporters." + settings.id() + ".sending_queue.storage";
    if (!queue.enabled()) {
      throw new ConfigException(null, 0, key, "a persistent queue needs the sending queue: remove storage or set sending_queue.enabled: true");
    }
    var found = settings.host().extension(queue.storage(), StorageExtension.class);
    if (found.isPresent()) {
      return found.get();
    }
    boolean other = settings.host().extension(queue.storage(), Object.class).isPresent();
    throw new ConfigException(null, 0, key, other
        ? "extension '" + queue.storage() + "' is not a storage extension; name a rocksdb extension"
        : "no storage extension '" + queue.storage() + "' is listed in service.extensions (storage is the rocksdb "
            + "extension of sampling-tier; lb-tier keeps no state and has none)");
  }

  Future<Void> start() {
    Destination d = destinationFactory.get();
    destination = d;
    String name = "exporter " + settings.id() + (items == Items.SPANS ? "" : " (metrics)");
    SendingQueue q = storage == null
        ? new MemoryQueue(name, settings.vertx(), queueConfig, retry, d, this::gaveUp, metrics)
        : new PersistentQueue(name, settings.vertx(), queueConfig, retry, storage, settings.id(), items.storeName, d,
            this::gaveUp, metrics);
    queue = q;
    return d.start().compose(v -> q.start());
  }

  private void gaveUp(TraceData data, SendResult last) {
    metrics.sendFailedSpans.add(data.spanCount());
    unloggedFailures.addAndGet(data.spanCount());
    long now = System.nanoTime();
    long prev = lastLog.get();
    if (now - prev >= LOG_INTERVAL_NANOS && lastLog.compareAndSet(prev, now)) {
      log.warning("dropped " + unloggedFailures.getAndSet(0) + " " + items.words + " after retries (counted in "
          + "otelcol_exporter_send_failed_" + items.words.replace(' ', '_') + "); last error: " + last.message());
    }
  }

  Future<Void> submit(TraceData data) {
    SendingQueue q = queue;
    if (q == null) {
      return Future.failedFuture(RefusedException.retryable("exporter " + settings.id() + " is not started"));
    }
    return q.submit(data);
  }

  Future<Void> shutdown() {
    SendingQueue q = queue;
    if (q == null || !stopped.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    // The queue refuses new data from here on (retryable), settles what it holds, then the
    // destination's connections or files are released.
    Destination d = destination;
    return q.shutdown(SHUTDOWN_GRACE).eventually(d::closeAsync);
  }
}

package io.tailshard.common.processor.memorylimiter;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.RefusedException;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.component.TracesConsumer;
import io.tailshard.common.component.TracesProcessor;
import io.tailshard.common.processor.memorylimiter.MemoryLimiterConfig.Limits;
import io.tailshard.common.telemetry.MetricRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Refuses data while the heap is above the soft limit, so that senders back off and retry instead
 * of the process running out of memory.
 *
 * <p>A Vert.x timer fires every {@code check_interval}; the check itself runs on a worker thread
 * ({@code tailshard-memory_limiter-check}), because above the hard limit it forces a collection,
 * which can take long enough to stall an event loop. The check sets one volatile flag; the data
 * path only reads it, so a refusal costs no more than a counter increment.
 *
 * <p>Like the Collector: above the hard limit a collection is forced (at most once per check and
 * per {@code min_gc_interval_when_hard_limited}) before deciding; on crossing the soft limit one is
 * forced (at most once per {@code min_gc_interval_when_soft_limited}) to see whether garbage alone
 * was over the line. Unlike the Collector, a collection is also forced while refusing, at the
 * soft-limited interval: the reading is the heap after the last collection (see {@link HeapUsage}),
 * and a process that refuses data may allocate too little to collect on its own, so without it the
 * limiter could keep refusing after memory was freed.
 *
 * <p>Data passed on is counted as {@code otelcol_processor_accepted_spans}, data refused as
 * {@code otelcol_processor_refused_spans}, both labelled {@code processor=<id>}. Thread-safe.
 */
final class MemoryLimiterProcessor implements TracesProcessor {
  /** The Collector's refusal message, so that senders' logs read the same. */
  static final String REFUSED_MESSAGE = "data refused due to high memory usage";

  private static final long MIB = 1024L * 1024L;

  private final Vertx vertx;
  private final String id;
  private final MemoryLimiterConfig config;
  private final TracesConsumer next;
  private final Logger log;
  private final Limits limits;
  private final HeapUsage heap = new HeapUsage();
  private final MetricRegistry.Counter accepted;
  private final MetricRegistry.Counter refused;
  private final AtomicBoolean checking = new AtomicBoolean();

  private volatile boolean refusing;
  // Written only by the check, which never runs twice at once (see `checking`).
  private long lastForcedGcNanos = Long.MIN_VALUE;
  private long timerId = -1;
  private WorkerExecutor worker;
  private boolean stopped;

  MemoryLimiterProcessor(ComponentSettings settings, MemoryLimiterConfig config, TracesConsumer next) {
    this.vertx = settings.vertx();
    this.id = settings.id().toString();
    this.config = config;
    this.next = next;
    this.log = settings.logger();
    this.limits = config.limits(Runtime.getRuntime().maxMemory());
    MetricRegistry metrics = settings.telemetry().metrics();
    this.accepted = metrics.counter("otelcol_processor_accepted_spans",
        "Number of spans successfully pushed into the next component in the pipeline.", "processor", id);
    this.refused = metrics.counter("otelcol_processor_refused_spans",
        "Number of spans that were rejected by the next component in the pipeline.", "processor", id);
  }

  @Override
  public synchronized Future<Void> start() {
    if (stopped || worker != null) {
      return Future.succeededFuture();
    }
    long maxHeap = Runtime.getRuntime().maxMemory();
    log.info(String.format("memory limits: hard %d MiB, soft %d MiB, check every %d ms (JVM max heap %d MiB)",
        limits.hard() / MIB, limits.soft() / MIB, config.checkInterval().toMillis(), maxHeap / MIB));
    if (limits.hard() > maxHeap) {
      log.warning("limit (" + limits.hard() / MIB + " MiB) is above the JVM's max heap (" + maxHeap / MIB
          + " MiB): the JVM will run out of memory before this processor refuses anything;"
          + " lower limit_mib or use limit_percentage");
    }
    worker = vertx.createSharedWorkerExecutor("tailshard-memory_limiter-check", 1);
    // The first check completes before start does, so the flag is meaningful from the first request.
    return scheduleCheck().onComplete(ar -> startTimer());
  }

  private synchronized void startTimer() {
    if (!stopped) {
      timerId = vertx.setPeriodic(config.checkInterval().toMillis(), t -> scheduleCheck());
    }
  }

  /** Runs a check on the worker unless one is still running (a slow forced GC skips ticks). */
  private Future<Void> scheduleCheck() {
    WorkerExecutor w;
    synchronized (this) {
      w = worker;
    }
    if (w == null || !checking.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    return w.<Void>executeBlocking(() -> {
          check();
          return null;
        }, false)
        .onComplete(ar -> {
          checking.set(false);
          if (ar.failed()) {
            log.log(Level.WARNING, "memory check failed", ar.cause());
          }
        });
  }

  /** One measurement and decision; runs on the worker thread. */
  void check() {
    long used = heap.usedBytes();
    boolean forced = false;
    if (used >= limits.hard() && gcAllowed(config.minGcIntervalWhenHardLimited().toNanos())) {
      log.warning("memory usage " + used / MIB + " MiB is above the hard limit " + limits.hard() / MIB
          + " MiB; forcing a GC");
      used = forceGc();
      forced = true;
    }
    boolean wasRefusing = refusing;
    boolean mustRefuse = used >= limits.soft();
    if (mustRefuse && !forced && gcAllowed(config.minGcIntervalWhenSoftLimited().toNanos())) {
      // On crossing the soft limit, and then at the soft-limited interval while refusing: find
      // out whether what is over the line is garbage (see the class comment for the latter).
      used = forceGc();
      mustRefuse = used >= limits.soft();
    }
    if (mustRefuse && !wasRefusing) {
      log.warning("memory usage " + used / MIB + " MiB is above the soft limit " + limits.soft() / MIB
          + " MiB; refusing data");
    } else if (!mustRefuse && wasRefusing) {
      log.info("memory usage " + used / MIB + " MiB is back below the soft limit " + limits.soft() / MIB
          + " MiB; accepting data");
    }
    refusing = mustRefuse;
  }

  private boolean gcAllowed(long minIntervalNanos) {
    return lastForcedGcNanos == Long.MIN_VALUE || System.nanoTime() - lastForcedGcNanos >= minIntervalNanos;
  }

  private long forceGc() {
    // Explicit GCs are what the Collector does here too; with -XX:+DisableExplicitGC this is a
    // no-op and the limiter waits for the JVM's own collections instead.
    System.gc();
    lastForcedGcNanos = System.nanoTime();
    return heap.usedBytes();
  }

  /** True while data is refused; for tests and health. */
  boolean refusing() {
    return refusing;
  }

  Limits limits() {
    return limits;
  }

  @Override
  public Future<Void> consumeTraces(TraceData data) {
    if (refusing) {
      refused.add(data.spanCount());
      return Future.failedFuture(RefusedException.retryable(REFUSED_MESSAGE));
    }
    accepted.add(data.spanCount());
    return next.consumeTraces(data);
  }

  @Override
  public Future<Void> shutdown() {
    WorkerExecutor w;
    synchronized (this) {
      if (stopped) {
        return Future.succeededFuture();
      }
      stopped = true;
      if (timerId >= 0) {
        vertx.cancelTimer(timerId);
      }
      w = worker;
      worker = null;
    }
    // The shared executor is released for this user only; another instance may still hold it.
    return w == null ? Future.succeededFuture() : w.close();
  }
}

package io.tailshard.lb.exporter.loadbalancing;

import io.tailshard.common.component.TraceData;
import io.tailshard.common.exporter.ExporterMetrics;
import io.tailshard.common.exporter.SendResult;
import io.tailshard.common.exporter.MemoryQueue;
import io.tailshard.common.exporter.SendingQueue;
import io.tailshard.common.exporter.otlp.OtlpTraceSender;
import io.tailshard.common.telemetry.MetricRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * One sampling node as seen by the loadbalancing exporter: its OTLP/gRPC sender, its bounded
 * sending queue, its metrics, and whether it looks alive. A backend is marked down after
 * {@link #FAILURES_TO_MARK_DOWN} failed attempts in a row; while down it is left out of the ring
 * (the owner callback rebuilds routing), its queued and retrying batches are re-routed, and after
 * a cool-down that doubles on each relapse (up to {@link #MAX_COOL_DOWN}) it is tried again.
 * With {@code failing_backends: wait} it is never marked down: its batches stay in its queue and
 * are retried there, so the traces it holds stay whole when it comes back.
 */
final class Backend {
  static final int FAILURES_TO_MARK_DOWN = 3;
  static final Duration FIRST_COOL_DOWN = Duration.ofSeconds(1);
  static final Duration MAX_COOL_DOWN = Duration.ofSeconds(30);
  private static final double[] LATENCY_BUCKETS_MS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000};

  final String endpoint;
  final MemoryQueue queue;
  private final OtlpTraceSender sender;
  private final ExporterMetrics metrics;
  private final MetricRegistry.Histogram latency;
  private final MetricRegistry.Counter successes;
  private final MetricRegistry.Counter failures;
  private final Vertx vertx;
  private final Consumer<Backend> healthChanged;
  private final boolean markDownWhenFailing;

  private int consecutiveFailures;
  private volatile boolean down;
  private Duration coolDown = FIRST_COOL_DOWN;
  private boolean removed;

  Backend(
      Vertx vertx,
      String endpoint,
      OtlpTraceSender sender,
      LoadBalancingConfig config,
      MetricRegistry registry,
      String exporterId,
      SendingQueue.GiveUp reroute,
      Consumer<Backend> healthChanged) {
    this.vertx = vertx;
    this.endpoint = endpoint;
    this.sender = sender;
    this.healthChanged = healthChanged;
    this.markDownWhenFailing = config.failingBackends() == LoadBalancingConfig.FailingBackends.REROUTE;
    this.metrics = new ExporterMetrics(registry, "exporter", exporterId, "endpoint", endpoint);
    this.latency = registry.histogram("otelcol_loadbalancer_backend_latency",
        "Response latency in ms for the backends.", LATENCY_BUCKETS_MS, "endpoint", endpoint);
    this.successes = registry.counter("otelcol_loadbalancer_backend_outcome",
        "Number of successes and failures for each endpoint.", "endpoint", endpoint, "success", "true");
    this.failures = registry.counter("otelcol_loadbalancer_backend_outcome",
        "Number of successes and failures for each endpoint.", "endpoint", endpoint, "success", "false");
    this.queue = new MemoryQueue("loadbalancing backend " + endpoint, vertx, config.backendQueue(),
        config.backendRetry(), this::send, reroute, metrics, config.backendMerging());
  }

  boolean isDown() {
    return down;
  }

  private Future<SendResult> send(TraceData data) {
    long start = System.nanoTime();
    return sender.send(data).map(r -> {
      latency.record((System.nanoTime() - start) / 1e6);
      observe(r);
      return r;
    });
  }

  /** Runs on the queue's context: one thread, so the counters need no lock. */
  private void observe(SendResult r) {
    if (r.outcome() == SendResult.Outcome.SENT) {
      successes.inc();
      consecutiveFailures = 0;
      coolDown = FIRST_COOL_DOWN;
      return;
    }
    failures.inc();
    if (r.outcome() == SendResult.Outcome.RETRYABLE && ++consecutiveFailures >= FAILURES_TO_MARK_DOWN && !down
        && markDownWhenFailing) {
      markDown();
    }
  }

  private void markDown() {
    down = true;
    queue.failFast(true);
    healthChanged.accept(this);
    Duration wait = coolDown;
    coolDown = coolDown.multipliedBy(2).compareTo(MAX_COOL_DOWN) > 0 ? MAX_COOL_DOWN : coolDown.multipliedBy(2);
    vertx.setTimer(wait.toMillis(), t -> {
      if (removed) {
        return;
      }
      // Back in the ring on probation: one more failure run marks it down again, for longer.
      consecutiveFailures = FAILURES_TO_MARK_DOWN - 1;
      queue.failFast(false);
      down = false;
      healthChanged.accept(this);
    });
  }

  /** Leaves the ring for good: stop taking data, flush or hand back what is held, close. */
  Future<Void> remove(Duration grace) {
    removed = true;
    metrics.removeQueueGauges();
    queue.failFast(true);
    return queue.shutdown(grace).eventually(sender::closeAsync);
  }
}

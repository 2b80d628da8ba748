package io.tailshard.sampling.connector.spanmetrics;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.KeptTraces;
import io.tailshard.common.component.KeptTracesListener;
import io.tailshard.common.component.MetricsConsumer;
import io.tailshard.common.component.MetricsData;
import io.tailshard.common.component.RefusedException;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.component.TracesConnector;
import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.tailshard.common.otlp.wire.WireFormatException;
import io.vertx.core.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code spanmetrics} connector: the exporter of the traces pipelines that see every span
 * (before sampling), the receiver of the metrics pipelines it feeds. Every
 * {@code metrics_flush_interval} it hands the metrics of all series to its next consumer; at
 * shutdown it flushes once more.
 *
 * <p>Exemplars: with {@code exemplars.enabled}, the connector subscribes to the service's
 * {@link KeptTraces} hub. A sampler publishes the spans of the traces it keeps, after its
 * decision; only those spans become exemplars, so an exemplar never points to a dropped trace.
 * Until a sampler publishes there, exemplars stay empty.
 *
 * <p>Thread-safe: requests are indexed on the calling thread (one reusable index per thread), then
 * counted under one lock; a flush builds its request under the lock on a worker thread and hands
 * it on outside the lock.
 */
public final class SpanMetricsConnector implements TracesConnector, KeptTracesListener {
  private static final Logger LOG = Logger.getLogger(SpanMetricsConnector.class.getName());
  private static final ThreadLocal<TraceRequestIndex> INDEX = ThreadLocal.withInitial(TraceRequestIndex::new);
  private static final long LOG_INTERVAL_NANOS = 10_000_000_000L;

  private final ComponentSettings settings;
  private final SpanMetricsConfig config;
  private final MetricsConsumer next;
  private final LongSupplier clock;
  private final SpanMetricsAggregator aggregator;
  private final ReentrantLock lock = new ReentrantLock();
  private final AtomicBoolean started = new AtomicBoolean();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final AtomicLong lastFailureLog = new AtomicLong(System.nanoTime() - LOG_INTERVAL_NANOS);
  private volatile int series;
  private volatile long timer = -1;
  private volatile KeptTraces.Subscription subscription;
  private Future<Void> shutdownFuture;

  SpanMetricsConnector(ComponentSettings settings, SpanMetricsConfig config, MetricsConsumer next, LongSupplier unixNanos) {
    this.settings = settings;
    this.config = config;
    this.next = next;
    this.clock = unixNanos;
    this.aggregator = new SpanMetricsAggregator(config);
    String[] labels = {"connector", settings.id().toString()};
    settings.telemetry().metrics().gauge(
        "tailshard_spanmetrics_series", "Series the spanmetrics connector holds (calls/duration and events).",
        () -> series, labels);
    settings.telemetry().metrics().counterFn(
        "tailshard_spanmetrics_overflow_spans", "Spans counted in an otel.metric.overflow series because a resource reached aggregation_cardinality_limit.",
        this::overflowedSpans, labels);
  }

  /** The config, with the node identity filled in. */
  public SpanMetricsConfig config() {
    return config;
  }

  @Override
  public Future<Void> start() {
    if (!started.compareAndSet(false, true) || stopped.get()) {
      return Future.succeededFuture();
    }
    if (config.exemplarsEnabled()) {
      subscription = settings.host().keptTraces().subscribe(this);
    }
    timer = settings.vertx().setPeriodic(config.flushInterval().toMillis(), id -> flush());
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> consumeTraces(TraceData data) {
    TraceRequestIndex idx = INDEX.get();
    try {
      idx.index(data.array(), data.offset(), data.length());
    } catch (WireFormatException e) {
      return Future.failedFuture(RefusedException.permanent(e.getMessage()));
    }
    long now = clock.getAsLong();
    lock.lock();
    try {
      aggregator.aggregate(idx, now);
      series = aggregator.seriesCount();
    } finally {
      lock.unlock();
    }
    return Future.succeededFuture();
  }

  /**
   * Records the spans of kept traces as exemplars of their series (see the class comment). Cheap
   * when exemplars are disabled; called by the sampler after its decision.
   */
  @Override
  public void keptTraces(TraceData kept) {
    if (!config.exemplarsEnabled() || stopped.get()) {
      return;
    }
    TraceRequestIndex idx = INDEX.get();
    try {
      idx.index(kept.array(), kept.offset(), kept.length());
    } catch (WireFormatException e) {
      LOG.log(Level.FINE, "kept traces not readable for exemplars", e);
      return;
    }
    lock.lock();
    try {
      aggregator.attachExemplars(idx);
    } finally {
      lock.unlock();
    }
  }

  /** Builds the metrics of every series now and hands them on; completes when the next consumer has. */
  Future<Void> flush() {
    return settings.vertx()
        .executeBlocking(this::buildUnderLock, false)
        .compose(
            req -> {
              if (req.getResourceMetricsCount() == 0) {
                return Future.<Void>succeededFuture();
              }
              Future<Void> sent;
              try {
                sent = next.consumeMetrics(new MetricsData(req));
              } catch (RuntimeException e) {
                sent = Future.failedFuture(e);
              }
              return sent.recover(this::logFailure);
            });
  }

  private ExportMetricsServiceRequest buildUnderLock() {
    long now = clock.getAsLong();
    lock.lock();
    try {
      ExportMetricsServiceRequest req = aggregator.flush(now);
      series = aggregator.seriesCount();
      return req;
    } finally {
      lock.unlock();
    }
  }

  private Future<Void> logFailure(Throwable cause) {
    long now = System.nanoTime();
    long prev = lastFailureLog.get();
    if (now - prev >= LOG_INTERVAL_NANOS && lastFailureLog.compareAndSet(prev, now)) {
      settings.logger().warning("span metrics not taken by the metrics pipeline: " + cause.getMessage());
    }
    return Future.succeededFuture();
  }

  @Override
  public synchronized Future<Void> shutdown() {
    if (shutdownFuture != null) {
      return shutdownFuture;
    }
    stopped.set(true);
    if (timer >= 0) {
      settings.vertx().cancelTimer(timer);
    }
    KeptTraces.Subscription sub = subscription;
    if (sub != null) {
      sub.close();
    }
    // Flush what was counted since the last interval: the metrics pipeline is still running.
    shutdownFuture = started.get() ? flush() : Future.succeededFuture();
    return shutdownFuture;
  }

  int seriesCount() {
    lock.lock();
    try {
      return aggregator.seriesCount();
    } finally {
      lock.unlock();
    }
  }

  long footprintBytes() {
    lock.lock();
    try {
      return aggregator.footprintBytes();
    } finally {
      lock.unlock();
    }
  }

  private double overflowedSpans() {
    lock.lock();
    try {
      return aggregator.overflowedSpans();
    } finally {
      lock.unlock();
    }
  }
}

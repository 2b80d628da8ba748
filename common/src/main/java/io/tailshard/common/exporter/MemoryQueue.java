package io.tailshard.common.exporter;

import io.tailshard.common.component.RefusedException;
import io.tailshard.common.component.TraceData;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The in-memory {@link SendingQueue}: a bounded queue in front of one destination, with
 * {@code num_consumers} send lanes and retries with backoff (the Collector's exporter helper,
 * without blocking threads). "Accepted" means held in this process's memory: a kill loses what is
 * queued. A batch that fails beyond its retry budget, or permanently, goes to the {@link GiveUp}
 * handler: an exporter counts it as failed, the loadbalancing exporter re-routes it to another
 * backend, which is what {@link #offer}, {@link #hasRoom}, {@link #drain} and {@link #failFast}
 * are for.
 *
 * <p>With the queue disabled ({@code enabled: false}) a submit completes only when its batch is
 * sent, after retries, or fails with a refusal the caller can pass upstream.
 *
 * <p>All lane work runs on one Vert.x context; {@link #submit} may be called from any thread.
 */
public final class MemoryQueue implements SendingQueue {
  private final String name;
  private final Vertx vertx;
  private final Context context;
  private final QueueConfig queue;
  private final Retrier retrier;
  private final GiveUp giveUp;
  private final ExporterMetrics metrics;

  private final ArrayDeque<TraceData> items = new ArrayDeque<>();
  private long used;
  private int inFlight;
  private boolean closed;
  private volatile boolean failFast;
  private Promise<Void> drained;

  public MemoryQueue(
      String name,
      Vertx vertx,
      QueueConfig queue,
      RetryConfig retry,
      Sender sender,
      GiveUp giveUp,
      ExporterMetrics metrics) {
    this.name = name;
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.queue = queue;
    this.retrier = new Retrier(name, vertx, context, retry, sender, metrics);
    this.giveUp = giveUp;
    this.metrics = metrics;
    metrics.queueGauges(this::size, () -> queue.enabled() ? queue.queueSize() : 0);
  }

  /** Nothing to recover: a memory queue starts empty. */
  @Override
  public Future<Void> start() {
    return Future.succeededFuture();
  }

  /**
   * Hands a batch to the queue. With the queue enabled, completes at once: succeeded when queued,
   * failed with a retryable refusal when full or shut down. With the queue disabled, completes when
   * the batch is sent (after retries), or fails with a refusal the sender can act on.
   */
  @Override
  public Future<Void> submit(TraceData data) {
    if (!queue.enabled()) {
      synchronized (this) {
        if (closed) {
          return Future.failedFuture(RefusedException.retryable(name + " is shutting down"));
        }
      }
      return retrier.send(data, this::mayRetry).compose(r -> r.sent()
          ? Future.succeededFuture()
          // The caller is still waiting: let it refuse upstream instead of counting a loss here.
          : Future.failedFuture(r.outcome() == SendResult.Outcome.PERMANENT
              ? RefusedException.permanent(r.message())
              : RefusedException.retryable(r.message(), r.retryAfter())));
    }
    if (!offer(data)) {
      metrics.enqueueFailedSpans.add(data.spanCount());
      boolean shutting;
      synchronized (this) {
        shutting = closed;
      }
      return Future.failedFuture(RefusedException.retryable(
          shutting ? name + " is shutting down" : "sending queue of " + name + " is full"));
    }
    return Future.succeededFuture();
  }

  /** Queues a batch; false when full or closed (nothing is counted: the caller decides). */
  public boolean offer(TraceData data) {
    long size = queue.sizeOf(data.spanCount(), data.length());
    synchronized (this) {
      if (closed || (used > 0 && used + size > queue.queueSize())) {
        return false;
      }
      items.addLast(data);
      used += size;
    }
    context.runOnContext(v -> dispatch());
    return true;
  }

  /** True when a batch of this size would be queued now (for all-or-nothing admission across queues). */
  public synchronized boolean hasRoom(TraceData data) {
    long size = queue.sizeOf(data.spanCount(), data.length());
    return !closed && (used == 0 || used + size <= queue.queueSize());
  }

  /**
   * While on, a failed attempt is not retried: the batch goes straight to the give-up handler, and
   * batches already waiting for a retry go there now. For a destination known to be down, whose
   * data is better sent elsewhere than retried.
   */
  public void failFast(boolean on) {
    failFast = on;
    if (on) {
      retrier.releaseWaiting();
    }
  }

  /** Takes every queued batch that no lane has started, e.g. to re-route them elsewhere. */
  public List<TraceData> drain() {
    synchronized (this) {
      List<TraceData> out = new ArrayList<>(items);
      items.clear();
      // Only what is taken leaves the count: batches in flight stay in it until they settle.
      for (TraceData d : out) {
        used -= queue.sizeOf(d.spanCount(), d.length());
      }
      return out;
    }
  }

  /** Queued plus in-flight, in the queue's unit. */
  @Override
  public synchronized long size() {
    return used;
  }

  public synchronized int inFlight() {
    return inFlight;
  }

  /**
   * Stops taking data and completes when every queued and in-flight batch is done (a batch waiting
   * for its retry gets that one attempt; none after it), or after {@code grace}, when what is still
   * queued goes to the give-up handler. Idempotent.
   */
  @Override
  public Future<Void> shutdown(Duration grace) {
    Promise<Void> p;
    synchronized (this) {
      closed = true;
      if (drained == null) {
        drained = Promise.promise();
      }
      p = drained;
    }
    context.runOnContext(v -> checkDrained());
    long timer = vertx.setTimer(Math.max(1, grace.toMillis()), t -> {
      for (TraceData d : drain()) {
        giveUp.giveUp(d, SendResult.retryable("shut down before it could be sent", Duration.ZERO));
      }
      p.tryComplete();
    });
    return p.future().onComplete(v -> vertx.cancelTimer(timer));
  }

  private boolean mayRetry() {
    synchronized (this) {
      if (closed) {
        return false;
      }
    }
    return !failFast;
  }

  private void dispatch() {
    while (true) {
      TraceData next;
      synchronized (this) {
        if (inFlight >= queue.numConsumers() || items.isEmpty()) {
          break;
        }
        next = items.pollFirst();
        inFlight++;
      }
      TraceData data = next;
      retrier.send(data, this::mayRetry).onComplete(ar -> {
        SendResult r = ar.result();
        if (!r.sent()) {
          giveUp.giveUp(data, r);
        }
        synchronized (this) {
          inFlight--;
          used -= queue.sizeOf(data.spanCount(), data.length());
        }
        dispatch();
        checkDrained();
      });
    }
  }

  private void checkDrained() {
    Promise<Void> p;
    synchronized (this) {
      if (!closed || drained == null || inFlight > 0 || !items.isEmpty()) {
        return;
      }
      p = drained;
    }
    p.tryComplete();
  }
}

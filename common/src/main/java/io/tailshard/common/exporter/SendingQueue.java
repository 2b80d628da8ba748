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
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A bounded queue in front of one destination, with {@code num_consumers} send lanes and retries
 * with backoff (the Collector's exporter helper, without blocking threads). Data is either queued
 * (the caller is told "accepted") or refused with a retryable {@link RefusedException} when the
 * queue is full; it is never dropped silently. A batch that fails beyond its retry budget, or
 * permanently, goes to the {@link GiveUp} handler: an exporter counts it as failed, the
 * loadbalancing exporter re-routes it to another backend.
 *
 * <p>All lane work runs on one Vert.x context; {@link #submit} may be called from any thread.
 */
public final class SendingQueue {
  private static final Logger LOG = Logger.getLogger(SendingQueue.class.getName());

  /** Sends one batch; the future never fails, it completes with the outcome. */
  @FunctionalInterface
  public interface Sender {
    Future<SendResult> send(TraceData data);
  }

  /** Told about a batch the queue gives up on (or holds at shutdown), with the last outcome. */
  @FunctionalInterface
  public interface GiveUp {
    void giveUp(TraceData data, SendResult last);
  }

  private final String name;
  private final Vertx vertx;
  private final Context context;
  private final QueueConfig queue;
  private final RetryConfig retry;
  private final Sender sender;
  private final GiveUp giveUp;
  private final ExporterMetrics metrics;

  private final ArrayDeque<TraceData> items = new ArrayDeque<>();
  /** Batches waiting for a retry timer, by timer id; touched on the context only. */
  private final java.util.Map<Long, Pending> retrying = new java.util.HashMap<>();
  private long used;
  private int inFlight;
  private boolean closed;
  private volatile boolean failFast;
  private Promise<Void> drained;

  private record Pending(TraceData data, SendResult last, Promise<Void> done) {}

  public SendingQueue(
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
    this.retry = retry;
    this.sender = sender;
    this.giveUp = giveUp;
    this.metrics = metrics;
    metrics.queueGauges(this::size, () -> queue.enabled() ? queue.queueSize() : 0);
  }

  /**
   * Hands a batch to the queue. With the queue enabled, completes at once: succeeded when queued,
   * failed with a retryable refusal when full or shut down. With the queue disabled, completes when
   * the batch is sent (after retries), or fails with a refusal the sender can act on.
   */
  public Future<Void> submit(TraceData data) {
    if (!queue.enabled()) {
      Promise<Void> done = Promise.promise();
      context.runOnContext(v -> attempt(data, 0, System.nanoTime(), done));
      return done.future();
    }
    if (!offer(data)) {
      metrics.enqueueFailedSpans.add(data.spanCount());
      return Future.failedFuture(RefusedException.retryable(
          closed ? name + " is shutting down" : "sending queue of " + name + " is full"));
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
      context.runOnContext(v -> {
        for (Long id : new ArrayList<>(retrying.keySet())) {
          if (vertx.cancelTimer(id)) {
            Pending p = retrying.remove(id);
            settleFailed(p.data(), p.last(), p.done());
          }
        }
      });
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
  public synchronized long size() {
    return used;
  }

  public synchronized int inFlight() {
    return inFlight;
  }

  /**
   * Stops taking data and completes when every queued and in-flight batch is done, or after
   * {@code grace}, when what is still queued goes to the give-up handler. Idempotent.
   */
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
      Promise<Void> done = Promise.promise();
      attempt(data, 0, System.nanoTime(), done);
      done.future().onComplete(r -> {
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

  /** One attempt and, on a retryable failure, the next after a backoff; completes {@code done} when settled. */
  private void attempt(TraceData data, int retries, long firstNanos, Promise<Void> done) {
    sender.send(data).onComplete(ar -> {
      SendResult r = ar.succeeded() ? ar.result() : SendResult.retryable(String.valueOf(ar.cause()), Duration.ZERO);
      switch (r.outcome()) {
        case SENT:
          metrics.sentSpans.add(data.spanCount() - r.rejectedSpans());
          if (r.rejectedSpans() > 0) {
            metrics.sendFailedSpans.add(r.rejectedSpans());
            LOG.warning(name + ": destination rejected " + r.rejectedSpans() + " spans: " + r.message());
          }
          done.complete();
          return;
        case RETRYABLE: {
          Duration pause = retry.backoff(retries + 1);
          if (r.retryAfter().compareTo(pause) > 0) {
            pause = r.retryAfter();
          }
          Duration elapsed = Duration.ofNanos(System.nanoTime() - firstNanos).plus(pause);
          boolean closing;
          synchronized (this) {
            closing = closed;
          }
          if (retry.mayRetryAfter(elapsed) && !closing && !failFast) {
            if (LOG.isLoggable(Level.FINE)) {
              LOG.fine(name + ": retry " + (retries + 1) + " in " + pause.toMillis() + "ms: " + r.message());
            }
            long[] id = new long[1];
            id[0] = vertx.setTimer(pause.toMillis(), t -> {
              retrying.remove(id[0]);
              attempt(data, retries + 1, firstNanos, done);
            });
            retrying.put(id[0], new Pending(data, r, done));
            return;
          }
          settleFailed(data, r, done);
          return;
        }
        default:
          settleFailed(data, r, done);
      }
    });
  }

  private void settleFailed(TraceData data, SendResult r, Promise<Void> done) {
    if (!queue.enabled()) {
      // The caller is still waiting: let it refuse upstream instead of counting a loss here.
      done.fail(r.outcome() == SendResult.Outcome.PERMANENT
          ? RefusedException.permanent(r.message())
          : RefusedException.retryable(r.message(), r.retryAfter()));
      return;
    }
    giveUp.giveUp(data, r);
    done.complete();
  }
}

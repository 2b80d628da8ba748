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
 * <p>With {@link Merging} on (the loadbalancing exporter's backends), a lane that starts a send
 * takes every waiting batch that fits under the merge limit and sends their concatenation as one
 * request: concatenated serialized OTLP export requests are one valid request holding them all.
 * With a {@link BatchConfig} as well, a free lane waits for {@code min_size} or
 * {@code flush_timeout} before it starts. A merged send is one unit for retries, the give-up
 * handler and {@link #inFlight}; each part stays counted in {@link #size} until it settles.
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

  private final Merging merging;

  /** A waiting batch and when it was queued (for {@code flush_timeout}). */
  private record Item(TraceData data, long queuedAtNanos) {}

  private final ArrayDeque<Item> items = new ArrayDeque<>();
  private long used;
  /** Spans and bytes of the waiting batches (not those in flight), for merging. */
  private long waitingSpans;
  private long waitingBytes;
  private int inFlight;
  private boolean closed;
  private volatile boolean failFast;
  private Promise<Void> drained;
  /** A dispatch is scheduled on the context and has not started yet: offers need not schedule another. */
  private boolean dispatchScheduled;
  /** The flush_timeout timer, when a lane waits for a batch to fill; touched on the context only. */
  private long lingerTimer = -1;

  /**
   * How waiting batches are merged into one send: at most {@code maxBytes} (a single larger batch
   * is sent alone), and with {@code batch} (nullable) the Collector's {@code sending_queue.batch}
   * waiting and limits on top.
   */
  public record Merging(long maxBytes, BatchConfig batch) {
    public Merging {
      if (maxBytes < 1) {
        throw new IllegalArgumentException("maxBytes must be at least 1");
      }
    }

    /** The byte limit of one merged request. */
    long byteLimit() {
      long limit = batch != null && batch.sizer() == BatchConfig.Sizer.BYTES && batch.maxSize() > 0
          ? batch.maxSize() : maxBytes;
      return Math.min(limit, Integer.MAX_VALUE - 8);
    }

    /** The span limit of one merged request (items sizer's {@code max_size}), or none. */
    long spanLimit() {
      return batch != null && batch.sizer() == BatchConfig.Sizer.ITEMS && batch.maxSize() > 0
          ? Math.min(batch.maxSize(), Integer.MAX_VALUE) : Integer.MAX_VALUE;
    }
  }

  public MemoryQueue(
      String name,
      Vertx vertx,
      QueueConfig queue,
      RetryConfig retry,
      Sender sender,
      GiveUp giveUp,
      ExporterMetrics metrics) {
    this(name, vertx, queue, retry, sender, giveUp, metrics, null);
  }

  /** A queue that merges waiting batches per {@code merging} (null: every batch is sent alone). */
  public MemoryQueue(
      String name,
      Vertx vertx,
      QueueConfig queue,
      RetryConfig retry,
      Sender sender,
      GiveUp giveUp,
      ExporterMetrics metrics,
      Merging merging) {
    this.name = name;
    this.merging = merging;
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
    boolean schedule;
    synchronized (this) {
      if (closed || (used > 0 && used + size > queue.queueSize())) {
        return false;
      }
      items.addLast(new Item(data, merging != null && merging.batch() != null ? System.nanoTime() : 0));
      used += size;
      waitingSpans += data.spanCount();
      waitingBytes += data.length();
      // One hop onto the context per burst of offers, not one per offer.
      schedule = !dispatchScheduled;
      dispatchScheduled = true;
    }
    if (schedule) {
      context.runOnContext(v -> dispatch());
    }
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
      List<TraceData> out = new ArrayList<>(items.size());
      for (Item i : items) {
        out.add(i.data);
      }
      items.clear();
      waitingSpans = 0;
      waitingBytes = 0;
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
    // A lane waiting for its batch to fill sends now: nothing waits for flush_timeout at shutdown.
    context.runOnContext(v -> {
      dispatch();
      checkDrained();
    });
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
    synchronized (this) {
      dispatchScheduled = false;
    }
    while (true) {
      TraceData data;
      long units;
      synchronized (this) {
        if (inFlight >= queue.numConsumers() || items.isEmpty()) {
          break;
        }
        if (merging == null) {
          Item first = items.pollFirst();
          data = first.data;
          units = queue.sizeOf(data.spanCount(), data.length());
          waitingSpans -= data.spanCount();
          waitingBytes -= data.length();
        } else {
          long wait = lingerNanos();
          if (wait > 0) {
            armLinger(wait);
            break;
          }
          long[] taken = new long[1];
          data = takeMerged(taken);
          units = taken[0];
        }
        inFlight++;
      }
      send(data, units);
    }
  }

  /** Sends one (possibly merged) batch on a lane; {@code units} is what it holds of {@link #size}. */
  private void send(TraceData data, long units) {
    retrier.send(data, this::mayRetry).onComplete(ar -> {
      SendResult r = ar.result();
      if (!r.sent()) {
        giveUp.giveUp(data, r);
      }
      synchronized (this) {
        inFlight--;
        used -= units;
      }
      dispatch();
      checkDrained();
    });
  }

  /**
   * How long a free lane should still wait before taking the waiting batches, 0 to go now: no
   * {@code batch} config, shutting down, {@code min_size} or the merge limit reached, or the oldest
   * batch has waited {@code flush_timeout}. Under the lock.
   */
  private long lingerNanos() {
    BatchConfig b = merging.batch();
    if (b == null || closed || failFast) {
      return 0;
    }
    long filled = b.sizer() == BatchConfig.Sizer.ITEMS ? waitingSpans : waitingBytes;
    if (filled >= b.minSize() || waitingBytes >= merging.byteLimit() || waitingSpans >= merging.spanLimit()) {
      return 0;
    }
    long waited = System.nanoTime() - items.peekFirst().queuedAtNanos;
    return Math.max(0, b.flushTimeout().toNanos() - waited);
  }

  /** Sets the flush_timeout timer unless one is set; it runs a dispatch on this context. */
  private void armLinger(long nanos) {
    if (lingerTimer >= 0) {
      return;
    }
    long millis = Math.max(1, (nanos + 999_999) / 1_000_000);
    lingerTimer = vertx.setTimer(millis, t -> {
      synchronized (this) {
        lingerTimer = -1;
      }
      dispatch();
    });
  }

  /**
   * Takes the first waiting batch and every next one that fits under the merge limits, and returns
   * their concatenation; {@code units[0]} gets their size in the queue's unit. Under the lock.
   */
  private TraceData takeMerged(long[] units) {
    long byteLimit = merging.byteLimit();
    long spanLimit = merging.spanLimit();
    Item first = items.pollFirst();
    long bytes = first.data.length();
    long spans = first.data.spanCount();
    units[0] = queue.sizeOf(first.data.spanCount(), first.data.length());
    List<TraceData> parts = null;
    while (!items.isEmpty()) {
      TraceData next = items.peekFirst().data;
      if (bytes + next.length() > byteLimit || spans + next.spanCount() > spanLimit) {
        break;
      }
      items.pollFirst();
      if (parts == null) {
        parts = new ArrayList<>();
        parts.add(first.data);
      }
      parts.add(next);
      bytes += next.length();
      spans += next.spanCount();
      units[0] += queue.sizeOf(next.spanCount(), next.length());
    }
    waitingSpans -= spans;
    waitingBytes -= bytes;
    if (parts == null) {
      return first.data;
    }
    byte[] out = new byte[(int) bytes];
    int p = 0;
    for (TraceData d : parts) {
      System.arraycopy(d.array(), d.offset(), out, p, d.length());
      p += d.length();
    }
    return new TraceData(out, (int) spans);
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

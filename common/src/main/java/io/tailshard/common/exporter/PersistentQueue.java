package io.tailshard.common.exporter;

import io.tailshard.common.component.ComponentId;
import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.RefusedException;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.storage.RecordStore;
import io.tailshard.common.storage.StorageExtension;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.logging.Logger;

/**
 * The persistent {@link SendingQueue} ({@code sending_queue.storage}): every accepted batch is a
 * record in the node's storage before {@link #submit} succeeds, and is deleted once it is sent or
 * given up on (counted). On {@link #start} every record still stored (accepted, not yet settled
 * when the process last stopped or was killed) is queued again, oldest first. So a restart with the
 * destination down loses nothing that was accepted; a batch that was in flight when the process
 * died is sent again (at least once, as with the Collector's persistent queue).
 *
 * <p>Memory holds only a small entry per queued batch (key, spans, bytes); a batch's bytes are read
 * back from storage when a lane takes it, so the queue's size costs disk, not heap. The record is
 * {@code format(1)=1 | span count(4) | ExportTraceServiceRequest}, keyed by a sequence number.
 *
 * <p>Shutdown stops taking batches and starting new sends, settles batches waiting for a retry
 * without sending them (they stay stored), and waits up to the grace for sends in flight; what is
 * stored then is sent after the restart. The retry budget ({@code max_elapsed_time}) restarts for
 * re-queued batches.
 *
 * <p>Thread-safe: {@link #submit} may be called from any thread; lanes run on one Vert.x context.
 */
public final class PersistentQueue implements SendingQueue {
  /** The store name under the owner of a traces exporter's queue: the Collector's term. */
  public static final String STORE_NAME = "sending_queue";
  /** The store of the same exporter's metrics queue: each signal has its own queue and store. */
  public static final String METRICS_STORE_NAME = "sending_queue_metrics";
  private static final Logger LOG = Logger.getLogger(PersistentQueue.class.getName());
  private static final byte FORMAT = 1;
  private static final int HEADER = 5;

  private final String name;
  private final Vertx vertx;
  private final Context context;
  private final QueueConfig queue;
  private final StorageExtension storage;
  private final ComponentId owner;
  private final String storeName;
  private final Retrier retrier;
  private final GiveUp giveUp;
  private final ExporterMetrics metrics;

  /** A stored batch waiting for a lane: its key and size, not its bytes. */
  private record Entry(long key, int spans, int bytes) {}

  private final ArrayDeque<Entry> items = new ArrayDeque<>();
  private volatile RecordStore store;
  private long nextKey;
  private long used;
  private int inFlight;
  /** Batches whose send was cut short by shutdown: they stay stored. */
  private int keptAtShutdown;
  private boolean closed;
  private Promise<Void> drained;

  public PersistentQueue(
      String name,
      Vertx vertx,
      QueueConfig queue,
      RetryConfig retry,
      StorageExtension storage,
      ComponentId owner,
      String storeName,
      Sender sender,
      GiveUp giveUp,
      ExporterMetrics metrics) {
    if (!queue.enabled()) {
      throw new IllegalArgumentException("a persistent queue needs sending_queue enabled");
    }
    this.name = name;
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.queue = queue;
    this.storage = storage;
    this.owner = owner;
    this.storeName = storeName;
    this.retrier = new Retrier(name, vertx, context, retry, sender, metrics);
    this.giveUp = giveUp;
    this.metrics = metrics;
    metrics.queueGauges(this::size, queue::queueSize);
  }

  /** Opens the store and queues again what it holds; the future completes on this queue's context. */
  @Override
  public Future<Void> start() {
    return Future.fromCompletionStage(storage.openRecordStore(ComponentKind.EXPORTER, owner, storeName), context)
        .compose(s -> {
          synchronized (this) {
            if (closed) {
              // Shut down while opening: release the store, keep its records for the next start.
              s.close();
              return Future.failedFuture(new IllegalStateException(name + " was shut down while opening its storage"));
            }
            store = s;
          }
          return Future.fromCompletionStage(s.scan(PersistentQueue::readEntry), context);
        })
        .map(entries -> {
          long spans = 0;
          synchronized (this) {
            for (Entry e : entries) {
              if (e == null) {
                continue;
              }
              items.addLast(e);
              used += queue.sizeOf(e.spans(), e.bytes());
              spans += e.spans();
              nextKey = Math.max(nextKey, e.key() + 1);
            }
          }
          if (!items.isEmpty()) {
            LOG.info(name + ": re-queued " + items.size() + " stored batches (" + spans + " spans) not sent before the last stop");
          }
          dispatch();
          return (Void) null;
        });
  }

  /** Keeps a record's key and size; a record of an unknown format stays stored and is skipped. */
  private static Entry readEntry(long key, byte[] value) {
    if (value.length < HEADER || value[0] != FORMAT) {
      LOG.warning("sending queue record " + key + " has an unknown format; left in storage");
      return null;
    }
    return new Entry(key, ByteBuffer.wrap(value, 1, 4).getInt(), value.length - HEADER);
  }

  /**
   * Accepts a batch once it is durably stored: completes succeeded then, or fails retryably when the
   * queue is full, not started, shutting down, or the write failed (nothing is stored then).
   */
  @Override
  public Future<Void> submit(TraceData data) {
    long size = queue.sizeOf(data.spanCount(), data.length());
    RecordStore s = store;
    long key;
    synchronized (this) {
      String refusal = s == null ? name + " is still opening its storage"
          : closed ? name + " is shutting down"
          : used > 0 && used + size > queue.queueSize() ? "sending queue of " + name + " is full"
          : null;
      if (refusal != null) {
        metrics.enqueueFailedSpans.add(data.spanCount());
        return Future.failedFuture(RefusedException.retryable(refusal));
      }
      // Room is reserved before the write, so concurrent submits cannot overshoot the bound.
      used += size;
      key = nextKey++;
    }
    ByteBuffer record = ByteBuffer.allocate(HEADER + data.length());
    record.put(FORMAT).putInt(data.spanCount()).put(data.array(), data.offset(), data.length());
    return Future.fromCompletionStage(s.put(key, record.array()), context).transform(ar -> {
      if (ar.failed()) {
        synchronized (this) {
          used -= size;
        }
        metrics.enqueueFailedSpans.add(data.spanCount());
        return Future.failedFuture(RefusedException.retryable(name + " could not store the batch: " + ar.cause().getMessage()));
      }
      synchronized (this) {
        items.addLast(new Entry(key, data.spanCount(), data.length()));
      }
      dispatch();
      return Future.succeededFuture();
    });
  }

  @Override
  public synchronized long size() {
    return used;
  }

  /**
   * Stops taking batches and starting sends; batches waiting for a retry are settled at once and
   * stay stored; completes when the sends in flight are done, or after {@code grace}. The caller
   * then closes nothing: the queue closes its store itself once settled. Idempotent.
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
    retrier.releaseWaiting();
    context.runOnContext(v -> checkDrained());
    long timer = vertx.setTimer(Math.max(1, grace.toMillis()), t -> p.tryComplete());
    return p.future()
        .onComplete(v -> vertx.cancelTimer(timer))
        .compose(v -> closeStore());
  }

  private Future<Void> closeStore() {
    RecordStore s;
    synchronized (this) {
      s = store;
      store = null;
    }
    if (s == null) {
      return Future.succeededFuture();
    }
    int left;
    synchronized (this) {
      left = items.size() + inFlight + keptAtShutdown;
    }
    if (left > 0) {
      LOG.info(name + ": " + left + " batches stay stored and are sent after the restart");
    }
    // Closing waits for RocksDB's writes and syncs its log: a worker thread, not the event loop.
    return vertx.executeBlocking(() -> {
      s.close();
      return null;
    }, false);
  }

  private boolean mayRetry() {
    synchronized (this) {
      return !closed;
    }
  }

  private void dispatch() {
    if (Vertx.currentContext() != context) {
      context.runOnContext(v -> dispatch());
      return;
    }
    while (true) {
      Entry next;
      RecordStore s;
      synchronized (this) {
        s = store;
        if (closed || s == null || inFlight >= queue.numConsumers() || items.isEmpty()) {
          return;
        }
        next = items.pollFirst();
        inFlight++;
      }
      Entry e = next;
      Future.fromCompletionStage(s.get(e.key()), context)
          .compose(value -> value == null
              // Nothing stored under the key any more (deleted by hand?): nothing to send.
              ? Future.succeededFuture(true)
              : retrier.send(new TraceData(value, HEADER, value.length - HEADER, e.spans()), this::mayRetry)
                  .map(r -> settle(s, e, value, r)))
          .onComplete(ar -> {
            if (ar.failed()) {
              // The store failed or closed under us: the record stays and is sent after a restart.
              LOG.warning(name + ": could not read stored batch " + e.key() + ": " + ar.cause());
            }
            synchronized (this) {
              inFlight--;
              if (ar.failed() || ar.result()) {
                used -= queue.sizeOf(e.spans(), e.bytes());
              }
            }
            dispatch();
            checkDrained();
          });
    }
  }

  /**
   * A lane's batch is done: deleted when sent or given up on, kept when the queue is shutting down
   * and the batch could still be sent later. Returns true when the record is gone (its room is free).
   */
  private boolean settle(RecordStore s, Entry e, byte[] value, SendResult r) {
    boolean shutting;
    synchronized (this) {
      shutting = closed;
    }
    if (!r.sent()) {
      if (shutting && r.outcome() == SendResult.Outcome.RETRYABLE) {
        synchronized (this) {
          keptAtShutdown++;
        }
        return false;
      }
      giveUp.giveUp(new TraceData(value, HEADER, value.length - HEADER, e.spans()), r);
    }
    // A delete lost to a kill only means the batch is sent once more after the restart.
    s.delete(e.key()).whenComplete((v, err) -> {
      if (err != null) {
        LOG.warning(name + ": could not delete settled batch " + e.key() + " (it will be sent again after a restart): " + err);
      }
    });
    return true;
  }

  private void checkDrained() {
    Promise<Void> p;
    synchronized (this) {
      if (!closed || drained == null || inFlight > 0) {
        return;
      }
      p = drained;
    }
    p.tryComplete();
  }
}

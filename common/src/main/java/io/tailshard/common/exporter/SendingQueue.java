package io.tailshard.common.exporter;

import io.tailshard.common.component.TraceData;
import io.vertx.core.Future;
import java.time.Duration;

/**
 * The Collector's {@code sending_queue} in front of one destination: batches are accepted into a
 * bounded queue and sent by {@code num_consumers} lanes with retries ({@code retry_on_failure}).
 * Two implementations behind this one contract: {@link MemoryQueue} (the default; "accepted" means
 * held in memory) and {@link PersistentQueue} ({@code sending_queue.storage}; "accepted" means
 * written to the node's disk, so a restart or a kill loses nothing that was accepted).
 *
 * <p>Data is either accepted or refused with a retryable
 * {@link io.tailshard.common.component.RefusedException}; never dropped silently. A batch that fails
 * beyond its retry budget, or permanently, goes to the {@link GiveUp} handler, which counts it.
 * Implementations are thread-safe: {@link #submit} may be called from any thread.
 */
public interface SendingQueue {
  /** Sends one batch; the future never fails, it completes with the outcome. */
  @FunctionalInterface
  interface Sender {
    Future<SendResult> send(TraceData data);
  }

  /** Told about a batch the queue gives up on (or holds at shutdown), with the last outcome. */
  @FunctionalInterface
  interface GiveUp {
    void giveUp(TraceData data, SendResult last);
  }

  /**
   * Makes the queue ready: nothing to do for a memory queue; a persistent queue opens its store and
   * re-queues every batch it held that was not yet sent. Submits before this completes are refused
   * (retryable).
   */
  Future<Void> start();

  /**
   * Hands a batch to the queue. Completes succeeded once the batch is accepted (queued, or for a
   * disabled queue sent), failed with a {@link io.tailshard.common.component.RefusedException}
   * the caller can act on otherwise.
   */
  Future<Void> submit(TraceData data);

  /** Queued plus in-flight, in the queue's unit ({@code sizer}). */
  long size();

  /**
   * Stops taking data and completes when the queue has settled what it holds, or after
   * {@code grace}. What "settled" means is the implementation's: see each. Idempotent.
   */
  Future<Void> shutdown(Duration grace);
}

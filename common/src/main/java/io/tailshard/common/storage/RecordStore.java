package io.tailshard.common.storage;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Records keyed by a number, on disk: what a persistent sending queue needs and no more. A write
 * is durable when its stage completes (it survives the process being killed; whether it survives
 * a power loss is the implementation's to document). Keys are visited in ascending order.
 *
 * <p>Thread-safe. Stages complete on the store's own thread: callers that go on in a Vert.x context
 * hop back to it ({@code Future.fromCompletionStage(stage, context)}). Operations after
 * {@link #close()} fail.
 */
public interface RecordStore {
  /** Turns one stored record into what the caller keeps of it; runs on the store's thread. */
  @FunctionalInterface
  interface RecordReader<T> {
    T read(long key, byte[] value);
  }

  /** Every record, in key order, each passed through {@code reader} (so the caller keeps only what it needs). */
  <T> CompletionStage<List<T>> scan(RecordReader<T> reader);

  /** Stores {@code value} under {@code key}, replacing what was there. */
  CompletionStage<Void> put(long key, byte[] value);

  /** The record under {@code key}, or null when there is none. */
  CompletionStage<byte[]> get(long key);

  /** Removes the record under {@code key}; no record there is not an error. */
  CompletionStage<Void> delete(long key);

  /** Waits for the operations already submitted, then releases the store. Idempotent; blocks. */
  void close();
}

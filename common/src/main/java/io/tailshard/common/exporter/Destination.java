package io.tailshard.common.exporter;

import io.vertx.core.Future;

/**
 * Where an exporter's batches go (an OTLP/gRPC or OTLP/HTTP endpoint, a file), as its sending queue
 * sees it: a {@link SendingQueue.Sender} that also has connections or files to release.
 * Implementations are thread-safe.
 */
public interface Destination extends SendingQueue.Sender {
  /** Releases what the destination holds; sends after this fail (retryable). Idempotent. */
  Future<Void> closeAsync();
}

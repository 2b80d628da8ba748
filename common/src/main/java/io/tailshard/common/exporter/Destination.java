package io.tailshard.common.exporter;

import io.vertx.core.Future;

/**
 * Where an exporter's batches go (an OTLP/gRPC or OTLP/HTTP endpoint, a file), as its sending queue
 * sees it: a {@link SendingQueue.Sender} that also has connections or files to release.
 * Implementations are thread-safe.
 */
public interface Destination extends SendingQueue.Sender {
  /**
   * Makes the destination ready before the first send (a file exporter opens its file here, off
   * the event loop, so a bad path fails the start). Nothing to do by default: network destinations
   * connect on first use.
   */
  default Future<Void> start() {
    return Future.succeededFuture();
  }

  /** Releases what the destination holds; sends after this fail (retryable). Idempotent. */
  Future<Void> closeAsync();
}

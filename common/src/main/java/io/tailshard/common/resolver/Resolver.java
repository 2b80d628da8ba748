package io.tailshard.common.resolver;

import io.vertx.core.Future;
import java.util.List;

/**
 * Tracks the set of backend endpoints ({@code host:port}) that the trace-ID ring is built from.
 * A resolver is created with a listener that receives the new set, sorted and without
 * duplicates, each time the set changes (and never when it does not).
 *
 * <p>Lifecycle as every component's: {@link #start()} returns at once and its future completes
 * after the first resolution, successful or not, so {@link #endpoints()} then holds the first
 * answer (an empty set is not announced to the listener: callers that start empty check it);
 * {@link #shutdown()} is idempotent and safe without a start. Implementations are thread-safe.
 */
public interface Resolver {
  /** The resolver's kind as the Collector labels its metrics: {@code static} or {@code dns}. */
  String type();

  /** Begins resolving; completes after the first resolution attempt. Calling it again returns the same future. */
  Future<Void> start();

  /** Stops resolving and releases sockets and timers; the listener is not called afterwards. */
  Future<Void> shutdown();

  /** The current endpoint set, sorted, unmodifiable; empty before the first successful resolution. */
  List<String> endpoints();
}

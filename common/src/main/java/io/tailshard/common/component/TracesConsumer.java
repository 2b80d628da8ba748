package io.tailshard.common.component;

import io.vertx.core.Future;

/**
 * Takes trace data. The returned future completes when the data is safely handed on (queued in a
 * bounded queue, written to the store, or sent); it fails with {@link RefusedException} when the
 * consumer cannot take it, and the receiver turns that into a status the sender understands.
 * A consumer never completes successfully for data it then drops without counting.
 *
 * <p>Called from a Vert.x event loop: implementations must not block.
 */
@FunctionalInterface
public interface TracesConsumer {
  Future<Void> consumeTraces(TraceData data);
}

package io.tailshard.common.receiver.otlp;

import io.tailshard.common.component.RefusedException;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.component.TracesConsumer;
import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.tailshard.common.otlp.wire.TraceRequestWriter;
import io.tailshard.common.otlp.wire.WireFormatException;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * What both transports do with a decoded request body: validate it with the wire index, drop
 * spans whose trace id is invalid (reported through {@code partial_success}), hand the rest to the
 * next consumer, and turn the consumer's answer into a {@link Reply}. Counts every span as
 * accepted or refused. A success reply is only produced after the consumer's future succeeded.
 *
 * <p>Thread-safe: the index is passed in by the calling event loop, which owns it.
 */
final class ExportPipeline {
  static final String INVALID_TRACE_ID = "trace_id must be 16 bytes and not all zero";
  private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final TracesConsumer next;
  private final Duration overloadRetryAfter;
  private final Logger logger;
  private final AtomicLong lastFailureLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);

  ExportPipeline(TracesConsumer next, Duration overloadRetryAfter, Logger logger) {
    this.next = next;
    this.overloadRetryAfter = overloadRetryAfter;
    this.logger = logger;
  }

  /** The delay asked of senders refused by the receiver's own in-flight limits. */
  Duration overloadRetryAfter() {
    return overloadRetryAfter;
  }

  /**
   * Validates and forwards {@code buf[off, off+len)}, a serialized ExportTraceServiceRequest.
   * Never fails: every problem is a reply. The caller must not change the bytes afterwards.
   */
  Future<Reply> export(TraceRequestIndex idx, byte[] buf, int off, int len, ReceiverMetrics metrics) {
    try {
      idx.index(buf, off, len);
    } catch (WireFormatException e) {
      metrics.request(Outcome.MALFORMED);
      return Future.succeededFuture(Reply.error(Outcome.MALFORMED, "malformed ExportTraceServiceRequest: " + e.getMessage()));
    }
    int total = idx.spanCount();
    int invalid = idx.invalidTraceIdCount();
    TraceData data;
    if (invalid == 0) {
      data = total == 0 ? null : new TraceData(buf, off, len, total);
    } else {
      byte[] kept = TraceRequestWriter.select(idx, idx::traceIdValid);
      data = kept == null ? null : new TraceData(kept, total - invalid);
    }
    Reply ok = invalid == 0
        ? Reply.accepted()
        : Reply.partial(invalid, invalid + " of " + total + " spans rejected: " + INVALID_TRACE_ID);
    if (data == null) {
      // Nothing to pass on: an empty request, or only spans with invalid ids.
      metrics.refused(invalid);
      metrics.request(ok.outcome());
      return Future.succeededFuture(ok);
    }
    Future<Void> consumed;
    try {
      consumed = next.consumeTraces(data);
    } catch (RuntimeException e) {
      consumed = Future.failedFuture(e);
    }
    int accepted = data.spanCount();
    return consumed.transform(ar -> {
      if (ar.succeeded()) {
        metrics.accepted(accepted);
        metrics.refused(invalid);
        metrics.request(ok.outcome());
        return Future.succeededFuture(ok);
      }
      metrics.refused(total);
      Throwable cause = ar.cause();
      if (cause instanceof RefusedException) {
        RefusedException r = (RefusedException) cause;
        if (!r.retryable()) {
          metrics.request(Outcome.REFUSED_PERMANENT);
          return Future.succeededFuture(Reply.error(Outcome.REFUSED_PERMANENT, "data refused: " + r.getMessage()));
        }
        metrics.request(Outcome.REFUSED);
        return Future.succeededFuture(Reply.retryLater(Outcome.REFUSED, "data refused, retry later: " + r.getMessage(), r.retryAfter()));
      }
      // An unexpected failure downstream: the data was not taken, so the sender should keep it.
      logThrottled(cause);
      metrics.request(Outcome.REFUSED);
      return Future.succeededFuture(Reply.retryLater(Outcome.REFUSED, "pipeline failure, retry later: " + cause, overloadRetryAfter));
    });
  }

  private void logThrottled(Throwable cause) {
    long now = System.nanoTime();
    long last = lastFailureLog.get();
    if (now - last >= LOG_EVERY_NANOS && lastFailureLog.compareAndSet(last, now)) {
      logger.log(Level.WARNING, "the pipeline failed to take trace data (logged at most every 10s)", cause);
    }
  }
}

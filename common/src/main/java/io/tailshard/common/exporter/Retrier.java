package io.tailshard.common.exporter;

import io.tailshard.common.component.TraceData;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One batch's attempts against a destination: an attempt, and after a retryable failure the next
 * one after a backoff (the larger of {@code retry_on_failure}'s and the destination's Retry-After),
 * until the batch is sent, refused for good, out of retry budget, or told to stop. Shared by both
 * queue implementations, which differ only in where batches wait and what "done" does.
 *
 * <p>Counts sent spans (and spans the destination rejected in a partial success). Runs on one
 * Vert.x context: every continuation hops onto it, because destinations complete their futures on
 * their own threads (a file writer, a client's event loop).
 */
final class Retrier {
  private static final Logger LOG = Logger.getLogger(Retrier.class.getName());

  private final String name;
  private final Vertx vertx;
  private final Context context;
  private final RetryConfig retry;
  private final SendingQueue.Sender sender;
  private final ExporterMetrics metrics;
  /** Batches waiting for their retry timer, by timer id; touched on the context only. */
  private final Map<Long, Waiting> waiting = new HashMap<>();

  private record Waiting(SendResult last, Promise<SendResult> done) {}

  Retrier(String name, Vertx vertx, Context context, RetryConfig retry, SendingQueue.Sender sender,
      ExporterMetrics metrics) {
    this.name = name;
    this.vertx = vertx;
    this.context = context;
    this.retry = retry;
    this.sender = sender;
    this.metrics = metrics;
  }

  /**
   * Sends {@code data} until it is settled; the future completes (never fails) on the context with
   * the final result: {@link SendResult#sent()} or the last failure. {@code mayRetry} is asked
   * before each retry: false settles the batch with its last failure at once.
   */
  Future<SendResult> send(TraceData data, BooleanSupplier mayRetry) {
    Promise<SendResult> done = Promise.promise();
    onContext(() -> attempt(data, 0, System.nanoTime(), mayRetry, done));
    return done.future();
  }

  /** Settles every batch waiting for a retry now, with its last failure. Any thread. */
  void releaseWaiting() {
    onContext(() -> {
      for (Long id : new ArrayList<>(waiting.keySet())) {
        if (vertx.cancelTimer(id)) {
          Waiting w = waiting.remove(id);
          w.done().complete(w.last());
        }
      }
    });
  }

  private void attempt(TraceData data, int retries, long firstNanos, BooleanSupplier mayRetry,
      Promise<SendResult> done) {
    Future<SendResult> sent;
    try {
      sent = sender.send(data);
    } catch (RuntimeException e) {
      sent = Future.succeededFuture(SendResult.retryable(String.valueOf(e), Duration.ZERO));
    }
    sent.onComplete(ar -> onContext(() -> {
      SendResult r = ar.succeeded() ? ar.result() : SendResult.retryable(String.valueOf(ar.cause()), Duration.ZERO);
      if (r.sent()) {
        metrics.sentSpans.add(data.spanCount() - r.rejectedSpans());
        if (r.rejectedSpans() > 0) {
          metrics.sendFailedSpans.add(r.rejectedSpans());
          LOG.warning(name + ": destination rejected " + r.rejectedSpans() + " spans: " + r.message());
        }
        done.complete(r);
        return;
      }
      if (r.outcome() == SendResult.Outcome.RETRYABLE) {
        Duration pause = retry.backoff(retries + 1);
        if (r.retryAfter().compareTo(pause) > 0) {
          pause = r.retryAfter();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - firstNanos).plus(pause);
        if (retry.mayRetryAfter(elapsed) && mayRetry.getAsBoolean()) {
          if (LOG.isLoggable(Level.FINE)) {
            LOG.fine(name + ": retry " + (retries + 1) + " in " + pause.toMillis() + "ms: " + r.message());
          }
          long[] id = new long[1];
          id[0] = vertx.setTimer(pause.toMillis(), t -> {
            waiting.remove(id[0]);
            attempt(data, retries + 1, firstNanos, mayRetry, done);
          });
          waiting.put(id[0], new Waiting(r, done));
          return;
        }
      }
      done.complete(r);
    }));
  }

  private void onContext(Runnable r) {
    if (Vertx.currentContext() == context) {
      r.run();
    } else {
      context.runOnContext(v -> r.run());
    }
  }
}

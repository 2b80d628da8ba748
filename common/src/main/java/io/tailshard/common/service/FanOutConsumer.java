package io.tailshard.common.service;

import io.tailshard.common.component.RefusedException;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.component.TracesConsumer;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * Hands the same {@link TraceData} to several consumers (a receiver named in several pipelines)
 * and completes when all of them have: the data counts as taken only when every branch took it.
 *
 * <p>When branches refuse, the result is a refusal the sender can act on: a retryable refusal
 * wins over a permanent one (retrying can still get the data into the branch that is only
 * overloaded), a permanent one over any other failure. As in the Collector, a retry then reaches
 * the branches that had accepted too, which see that data twice: the price of not losing it.
 *
 * <p>Every branch gets the data even when an earlier one throws. Thread-safe if its consumers
 * are; {@code TraceData} is immutable, so sharing it between branches is safe.
 */
public final class FanOutConsumer implements TracesConsumer {
  private final List<TracesConsumer> consumers;

  private FanOutConsumer(List<TracesConsumer> consumers) {
    this.consumers = consumers;
  }

  /** A consumer feeding all of {@code consumers}; the consumer itself when there is only one. */
  public static TracesConsumer of(List<? extends TracesConsumer> consumers) {
    if (consumers.isEmpty()) {
      throw new IllegalArgumentException("a fan-out needs at least one consumer");
    }
    if (consumers.size() == 1) {
      return consumers.get(0);
    }
    return new FanOutConsumer(List.copyOf(consumers));
  }

  @Override
  public Future<Void> consumeTraces(TraceData data) {
    List<Future<Void>> results = new ArrayList<>(consumers.size());
    for (TracesConsumer c : consumers) {
      Future<Void> f;
      try {
        f = c.consumeTraces(data);
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      results.add(f);
    }
    return Future.join(results).transform(ar -> ar.succeeded() ? Future.succeededFuture() : Future.failedFuture(worst(results)));
  }

  /** The failure to report: retryable refusal, else permanent refusal, else the first other failure. */
  static Throwable worst(List<Future<Void>> results) {
    Throwable permanent = null;
    Throwable other = null;
    for (Future<Void> f : results) {
      Throwable cause = f.cause();
      if (cause == null) {
        continue;
      }
      if (cause instanceof RefusedException) {
        if (((RefusedException) cause).retryable()) {
          return cause;
        }
        if (permanent == null) {
          permanent = cause;
        }
      } else if (other == null) {
        other = cause;
      }
    }
    return permanent != null ? permanent : other;
  }
}

package io.tailshard.common.service;

import io.tailshard.common.component.MetricsConsumer;
import io.tailshard.common.component.MetricsData;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;

/**
 * Hands the same {@link MetricsData} to several consumers (a metrics pipeline with several
 * exporters, or a connector feeding several metrics pipelines), with the failure rules of
 * {@link FanOutConsumer}. Thread-safe if its consumers are.
 */
final class MetricsFanOut implements MetricsConsumer {
  private final List<MetricsConsumer> consumers;

  private MetricsFanOut(List<MetricsConsumer> consumers) {
    this.consumers = consumers;
  }

  static MetricsConsumer of(List<? extends MetricsConsumer> consumers) {
    if (consumers.isEmpty()) {
      throw new IllegalArgumentException("a fan-out needs at least one consumer");
    }
    if (consumers.size() == 1) {
      return consumers.get(0);
    }
    return new MetricsFanOut(List.copyOf(consumers));
  }

  @Override
  public Future<Void> consumeMetrics(MetricsData data) {
    List<Future<Void>> results = new ArrayList<>(consumers.size());
    for (MetricsConsumer c : consumers) {
      Future<Void> f;
      try {
        f = c.consumeMetrics(data);
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      results.add(f);
    }
    return Future.join(results)
        .transform(ar -> ar.succeeded() ? Future.succeededFuture() : Future.failedFuture(FanOutConsumer.worst(results)));
  }
}

package io.tailshard.common.component;

import io.vertx.core.Future;

/**
 * Takes metrics data. Like {@link TracesConsumer}: the future completes when the data is handed on
 * (held for a scrape, queued, or sent) and fails with {@link RefusedException} when it cannot be
 * taken. Called from a Vert.x context: implementations must not block.
 */
@FunctionalInterface
public interface MetricsConsumer {
  Future<Void> consumeMetrics(MetricsData data);
}

package io.tailshard.common.resolver;

import io.tailshard.common.telemetry.MetricRegistry;
import java.util.List;
import java.util.function.Supplier;

/**
 * The loadbalancing exporter's resolver metrics, with the Collector's names and labels so its
 * dashboards and alerts work unchanged.
 */
final class ResolverMetrics {
  static final String NUM_RESOLUTIONS = "otelcol_loadbalancer_num_resolutions";
  static final String NUM_BACKENDS = "otelcol_loadbalancer_num_backends";
  static final String NUM_BACKEND_UPDATES = "otelcol_loadbalancer_num_backend_updates";

  final MetricRegistry.Counter succeeded;
  final MetricRegistry.Counter failed;
  final MetricRegistry.Counter updates;

  ResolverMetrics(MetricRegistry registry, String resolver, Supplier<List<String>> endpoints) {
    String resolutionsHelp = "Number of times the resolver has resolved the backends, by outcome";
    succeeded = registry.counter(NUM_RESOLUTIONS, resolutionsHelp, "resolver", resolver, "success", "true");
    failed = registry.counter(NUM_RESOLUTIONS, resolutionsHelp, "resolver", resolver, "success", "false");
    updates = registry.counter(NUM_BACKEND_UPDATES, "Number of times the set of backends changed", "resolver", resolver);
    registry.gauge(NUM_BACKENDS, "Current number of backends in use", () -> endpoints.get().size(), "resolver", resolver);
  }
}

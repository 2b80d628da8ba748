package io.tailshard.sampling.connector.spanmetrics;

import io.tailshard.common.component.ComponentFactory;
import io.tailshard.sampling.exporter.prometheus.PrometheusExporterFactory;
import java.util.List;

/** The component types of the span metrics path, for a tier's registry. */
public final class SpanMetrics {
  private SpanMetrics() {}

  /** The {@code spanmetrics} connector and the {@code prometheus} exporter. */
  public static List<ComponentFactory<?>> factories() {
    return List.of(new SpanMetricsConnectorFactory(), new PrometheusExporterFactory());
  }
}

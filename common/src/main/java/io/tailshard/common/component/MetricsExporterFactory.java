package io.tailshard.common.component;

/**
 * Makes exporters for metrics pipelines. An exporter type that sends traces too (such as
 * {@code otlp}) implements {@link ExporterFactory} as well; one that only serves metrics (such as
 * {@code prometheus}) implements this interface alone. Which signals a factory carries is therefore
 * a fact of its type, read in one place ({@code SignalSupport}), and no factory has a create method
 * it cannot honour.
 */
public interface MetricsExporterFactory<C> extends ComponentFactory<C> {
  @Override
  default ComponentKind kind() {
    return ComponentKind.EXPORTER;
  }

  MetricsExporter createMetricsExporter(ComponentSettings settings, C config);
}

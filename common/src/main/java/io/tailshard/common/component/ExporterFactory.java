package io.tailshard.common.component;

/**
 * Makes exporters for traces pipelines: components that send data out of the process. An exporter
 * type that serves metrics pipelines too implements {@link MetricsExporterFactory} as well.
 */
public interface ExporterFactory<C> extends ComponentFactory<C> {
  @Override
  default ComponentKind kind() {
    return ComponentKind.EXPORTER;
  }

  TracesExporter createTracesExporter(ComponentSettings settings, C config);
}

package io.tailshard.common.component;

/** Makes exporters: components that send data out of the process. */
public interface ExporterFactory<C> extends ComponentFactory<C> {
  @Override
  default ComponentKind kind() {
    return ComponentKind.EXPORTER;
  }

  TracesExporter createTracesExporter(ComponentSettings settings, C config);
}

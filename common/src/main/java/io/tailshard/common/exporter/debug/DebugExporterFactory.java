package io.tailshard.common.exporter.debug;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.ExporterFactory;
import io.tailshard.common.component.TracesExporter;
import io.tailshard.common.config.ConfigMap;

/** The {@code debug} exporter: writes what it gets to the log, for trying a pipeline out. */
public final class DebugExporterFactory implements ExporterFactory<DebugExporterConfig> {
  @Override
  public String type() {
    return "debug";
  }

  @Override
  public DebugExporterConfig parseConfig(ConfigMap block) {
    return DebugExporterConfig.parse(block);
  }

  @Override
  public TracesExporter createTracesExporter(ComponentSettings settings, DebugExporterConfig config) {
    return new DebugExporter(settings, config);
  }
}

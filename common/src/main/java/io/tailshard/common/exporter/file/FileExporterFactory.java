package io.tailshard.common.exporter.file;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.ExporterFactory;
import io.tailshard.common.component.TracesExporter;
import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.exporter.QueuedTracesExporter;

/**
 * The {@code file} exporter: writes each batch of traces to a file as one OTLP/JSON line (or as a
 * length-prefixed protobuf message), with optional size-based rotation, on a dedicated writer
 * thread. A batch is acknowledged once its bytes are in the file (handed to the OS).
 */
public final class FileExporterFactory implements ExporterFactory<FileExporterConfig> {
  @Override
  public String type() {
    return "file";
  }

  @Override
  public FileExporterConfig parseConfig(ConfigMap block) {
    return FileExporterConfig.parse(block);
  }

  @Override
  public TracesExporter createTracesExporter(ComponentSettings settings, FileExporterConfig config) {
    return new QueuedTracesExporter(settings, config.queue(), config.retry(),
        () -> new FileDestination(settings.id().toString(), config));
  }
}

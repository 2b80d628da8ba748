package io.tailshard.common.exporter.file;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.ExporterFactory;
import io.tailshard.common.component.MetricsExporter;
import io.tailshard.common.component.MetricsExporterFactory;
import io.tailshard.common.component.TracesExporter;
import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.exporter.QueuedMetricsExporter;
import io.tailshard.common.exporter.QueuedTracesExporter;
import java.time.Clock;

/**
 * The {@code file} exporter: writes each batch of traces (and, in a metrics pipeline, each metrics
 * request, into the same file) as one OTLP/JSON line or as a length-prefixed protobuf message, with
 * optional size-based rotation, on a dedicated writer thread. A batch is acknowledged once its
 * bytes are in the file (handed to the OS).
 */
public final class FileExporterFactory
    implements ExporterFactory<FileExporterConfig>, MetricsExporterFactory<FileExporterConfig> {
  @Override
  public String type() {
    return "file";
  }

  @Override
  public ComponentKind kind() {
    return ComponentKind.EXPORTER;
  }

  @Override
  public FileExporterConfig parseConfig(ConfigMap block) {
    return FileExporterConfig.parse(block);
  }

  @Override
  public TracesExporter createTracesExporter(ComponentSettings settings, FileExporterConfig config) {
    return new QueuedTracesExporter(settings, config.queue(), config.retry(),
        () -> new FileDestination(settings.id().toString(), config, ExportTraceServiceRequest.getDescriptor(),
            Clock.systemUTC()));
  }

  /** Metrics go into the same file as the exporter's traces, one {@code ExportMetricsServiceRequest} per line. */
  @Override
  public MetricsExporter createMetricsExporter(ComponentSettings settings, FileExporterConfig config) {
    return new QueuedMetricsExporter(settings, config.queue(), config.retry(),
        () -> new FileDestination(settings.id().toString(), config, ExportMetricsServiceRequest.getDescriptor(),
            Clock.systemUTC()));
  }
}

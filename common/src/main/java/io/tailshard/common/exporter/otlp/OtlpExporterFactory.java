package io.tailshard.common.exporter.otlp;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.ExporterFactory;
import io.tailshard.common.component.MetricsExporter;
import io.tailshard.common.component.MetricsExporterFactory;
import io.tailshard.common.component.TracesExporter;
import io.tailshard.common.config.ConfigMap;

/**
 * The {@code otlp} exporter: OTLP/gRPC to one destination, with the Collector's options and
 * defaults (gzip, 5s timeout, a queue of 1000 requests over 10 consumers, retries for 300s), in
 * traces pipelines ({@code TraceService/Export}) and metrics pipelines ({@code MetricsService/Export}).
 */
public final class OtlpExporterFactory
    implements ExporterFactory<OtlpExporterConfig>, MetricsExporterFactory<OtlpExporterConfig> {
  @Override
  public String type() {
    return "otlp";
  }

  @Override
  public ComponentKind kind() {
    return ComponentKind.EXPORTER;
  }

  @Override
  public OtlpExporterConfig parseConfig(ConfigMap block) {
    return OtlpExporterConfig.parse(block);
  }

  @Override
  public TracesExporter createTracesExporter(ComponentSettings settings, OtlpExporterConfig config) {
    return new OtlpExporter(settings, config);
  }

  @Override
  public MetricsExporter createMetricsExporter(ComponentSettings settings, OtlpExporterConfig config) {
    return new OtlpMetricsExporter(settings, config);
  }
}

package io.tailshard.common.exporter.otlphttp;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.ExporterFactory;
import io.tailshard.common.component.MetricsExporter;
import io.tailshard.common.component.MetricsExporterFactory;
import io.tailshard.common.component.TracesExporter;
import io.tailshard.common.config.ConfigException;
import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.exporter.QueuedMetricsExporter;
import io.tailshard.common.exporter.QueuedTracesExporter;

/**
 * The {@code otlphttp} exporter: OTLP/HTTP ({@code POST /v1/traces}, and {@code /v1/metrics} in
 * metrics pipelines) to one destination, with the
 * Collector's options and defaults (protobuf, gzip, 30s timeout, a queue of 1000 requests over 10
 * consumers, retries for 300s on 429/502/503/504 honouring Retry-After), and optionally a
 * persistent queue ({@code sending_queue.storage}).
 */
public final class OtlpHttpExporterFactory
    implements ExporterFactory<OtlpHttpExporterConfig>, MetricsExporterFactory<OtlpHttpExporterConfig> {
  @Override
  public String type() {
    return "otlphttp";
  }

  @Override
  public ComponentKind kind() {
    return ComponentKind.EXPORTER;
  }

  @Override
  public OtlpHttpExporterConfig parseConfig(ConfigMap block) {
    return OtlpHttpExporterConfig.parse(block);
  }

  @Override
  public TracesExporter createTracesExporter(ComponentSettings settings, OtlpHttpExporterConfig config) {
    if (config.tracesUrl() == null) {
      throw new ConfigException(null, 0, "exporters." + settings.id() + ".traces_endpoint",
          "a traces pipeline needs endpoint or traces_endpoint");
    }
    return new QueuedTracesExporter(settings, config.queue(), config.retry(),
        () -> new OtlpHttpSender(settings.vertx(), config));
  }

  @Override
  public MetricsExporter createMetricsExporter(ComponentSettings settings, OtlpHttpExporterConfig config) {
    if (config.metricsUrl() == null) {
      throw new ConfigException(null, 0, "exporters." + settings.id() + ".metrics_endpoint",
          "a metrics pipeline needs endpoint or metrics_endpoint");
    }
    return new QueuedMetricsExporter(settings, config.queue(), config.retry(),
        () -> new OtlpHttpSender(settings.vertx(), config, config.metricsUrl().toString(),
            ExportMetricsServiceRequest.getDescriptor()));
  }
}

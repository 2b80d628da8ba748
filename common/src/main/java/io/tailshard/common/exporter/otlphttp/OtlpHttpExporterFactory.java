package io.tailshard.common.exporter.otlphttp;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.ExporterFactory;
import io.tailshard.common.component.TracesExporter;
import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.exporter.QueuedTracesExporter;

/**
 * The {@code otlphttp} exporter: OTLP/HTTP ({@code POST /v1/traces}) to one destination, with the
 * Collector's options and defaults (protobuf, gzip, 30s timeout, a queue of 1000 requests over 10
 * consumers, retries for 300s on 429/502/503/504 honouring Retry-After), and optionally a
 * persistent queue ({@code sending_queue.storage}).
 */
public final class OtlpHttpExporterFactory implements ExporterFactory<OtlpHttpExporterConfig> {
  @Override
  public String type() {
    return "otlphttp";
  }

  @Override
  public OtlpHttpExporterConfig parseConfig(ConfigMap block) {
    return OtlpHttpExporterConfig.parse(block);
  }

  @Override
  public TracesExporter createTracesExporter(ComponentSettings settings, OtlpHttpExporterConfig config) {
    return new QueuedTracesExporter(settings, config.queue(), config.retry(),
        () -> new OtlpHttpTraceSender(settings.vertx(), config));
  }
}

package io.tailshard.sampling.exporter.prometheus;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.MetricsExporter;
import io.tailshard.common.component.MetricsExporterFactory;
import io.tailshard.common.config.ConfigMap;

/**
 * The {@code prometheus} exporter type, for metrics pipelines only: serves what it is given at
 * {@code http://<endpoint>/metrics} with the names and labels the Collector's Prometheus exporter
 * writes (see {@link PrometheusExporterConfig} for options and defaults).
 */
public final class PrometheusExporterFactory implements MetricsExporterFactory<PrometheusExporterConfig> {
  public static final String TYPE = "prometheus";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public PrometheusExporterConfig parseConfig(ConfigMap block) {
    return PrometheusExporterConfig.parse(block);
  }

  @Override
  public MetricsExporter createMetricsExporter(ComponentSettings settings, PrometheusExporterConfig config) {
    return new PrometheusExporter(settings, config, System::nanoTime);
  }
}

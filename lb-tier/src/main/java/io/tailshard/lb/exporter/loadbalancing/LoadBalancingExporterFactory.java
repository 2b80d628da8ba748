package io.tailshard.lb.exporter.loadbalancing;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.ExporterFactory;
import io.tailshard.common.component.TracesExporter;
import io.tailshard.common.config.ConfigMap;

/**
 * The {@code loadbalancing} exporter (also registered as {@code load_balancing}, the Collector's
 * newer name): routes each trace to the sampling node that owns it. See {@link LoadBalancingConfig}.
 */
public final class LoadBalancingExporterFactory implements ExporterFactory<LoadBalancingConfig> {
  @Override
  public String type() {
    return "loadbalancing";
  }

  @Override
  public LoadBalancingConfig parseConfig(ConfigMap block) {
    return LoadBalancingConfig.parse(block);
  }

  @Override
  public TracesExporter createTracesExporter(ComponentSettings settings, LoadBalancingConfig config) {
    return new LoadBalancingExporter(settings, config);
  }
}

package io.tailshard.sampling;

import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.Components;
import io.tailshard.common.exporter.debug.DebugExporterFactory;
import io.tailshard.common.exporter.otlp.OtlpExporterFactory;
import io.tailshard.common.extension.healthcheck.HealthCheckExtensionFactory;
import io.tailshard.common.receiver.otlp.OtlpReceiverFactory;
import io.tailshard.common.processor.Processors;
import io.tailshard.common.service.PlannedTypes;
import io.tailshard.common.service.Tier;
import io.tailshard.common.service.TierMain;
import io.tailshard.sampling.extension.rocksdb.RocksDbStorageExtensionFactory;
import io.tailshard.sampling.processor.tailsampling.TailSamplingProcessorFactory;
import io.tailshard.sampling.connector.spanmetrics.SpanMetricsConnectorFactory;
import io.tailshard.sampling.exporter.prometheus.PrometheusExporterFactory;

/** Entry point of sampling-tier: buffers each trace until its decision, samples, exports the kept ones. */
public final class SamplingTierMain {
  static final String DEFAULT_CONFIG = "tailshard/sampling-tier-default.yaml";

  private SamplingTierMain() {}

  /** The sampling-tier: its component types and its embedded default config. */
  public static Tier tier() {
    String lbOnly = "the load-balancing exporter runs in lb-tier, in front of this tier";
    Components.Builder builder = PlannedTypes.register(Components.builder());
    Processors.all().forEach(builder::add);
    Components components =
        builder
            .notBuilt(ComponentKind.EXPORTER, "loadbalancing", lbOnly)
            .notBuilt(ComponentKind.EXPORTER, "load_balancing", lbOnly)
            .add(new HealthCheckExtensionFactory())
            .add(new OtlpReceiverFactory())
            .add(new OtlpExporterFactory())
            .add(new TailSamplingProcessorFactory())
            .add(new RocksDbStorageExtensionFactory())
            .add(new DebugExporterFactory())
            .add(new SpanMetricsConnectorFactory())
            .add(new PrometheusExporterFactory())
            .build();
    return new Tier(
        "sampling-tier", "buffers every span of a trace, decides at decision time, exports the kept traces",
        components, DEFAULT_CONFIG);
  }

  public static void main(String[] args) {
    TierMain.run(SamplingTierMain::tier, args);
  }
}

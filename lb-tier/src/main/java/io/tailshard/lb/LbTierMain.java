package io.tailshard.lb;

import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.Components;
import io.tailshard.common.exporter.debug.DebugExporterFactory;
import io.tailshard.common.exporter.file.FileExporterFactory;
import io.tailshard.common.exporter.otlphttp.OtlpHttpExporterFactory;
import io.tailshard.common.extension.healthcheck.HealthCheckExtensionFactory;
import io.tailshard.common.receiver.otlp.OtlpReceiverFactory;
import io.tailshard.common.processor.Processors;
import io.tailshard.common.service.PlannedTypes;
import io.tailshard.common.service.Tier;
import io.tailshard.common.service.TierMain;
import io.tailshard.lb.exporter.loadbalancing.LoadBalancingExporterFactory;

/** Entry point of lb-tier: the stateless tier that routes each trace by its id to one sampling node. */
public final class LbTierMain {
  static final String DEFAULT_CONFIG = "tailshard/lb-tier-default.yaml";

  private LbTierMain() {}

  /** The lb-tier: its component types and its embedded default config. */
  public static Tier tier() {
    Components.Builder builder = PlannedTypes.register(Components.builder());
    Processors.all().forEach(builder::add);
    Components components =
        builder
            .notBuilt(ComponentKind.PROCESSOR, "tail_sampling",
                "tail sampling runs in sampling-tier; lb-tier routes each trace by its id to one sampling node")
            .notBuilt(ComponentKind.CONNECTOR, "spanmetrics",
                "span metrics are computed in sampling-tier, where all spans of a trace meet")
            .add(new HealthCheckExtensionFactory())
            .add(new OtlpReceiverFactory())
            .add(new LoadBalancingExporterFactory())
            .add("load_balancing", new LoadBalancingExporterFactory())
            .add(new DebugExporterFactory())
            .add(new OtlpHttpExporterFactory())
            .add(new FileExporterFactory())
            .notBuilt(ComponentKind.EXTENSION, "rocksdb",
                "lb-tier keeps no state: storage (the trace buffer, persistent sending queues) is in sampling-tier")
            .build();
    return new Tier("lb-tier", "OTLP in, each trace routed by trace-id hash to one sampling node", components, DEFAULT_CONFIG);
  }

  public static void main(String[] args) {
    TierMain.run(LbTierMain::tier, args);
  }
}

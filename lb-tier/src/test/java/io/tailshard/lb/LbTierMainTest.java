package io.tailshard.lb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.config.ConfigException;
import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.config.ConfigNode;
import io.tailshard.common.service.Service;
import io.tailshard.common.service.ServiceConfig;
import io.tailshard.common.service.TierMain;
import io.tailshard.common.telemetry.Telemetry;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LbTierMainTest {
  @Test
  void theEmbeddedDefaultConfigIsThereAndRoutesOtlpToTheRing() {
    ConfigNode root = new ConfigLoader(Map.<String, String>of()::get).loadResource(LbTierMain.DEFAULT_CONFIG);
    ConfigNode traces = root.entries().get("service").entries().get("pipelines").entries().get("traces");
    assertEquals(List.of("otlp"), traces.entries().get("receivers").toPlain());
    assertEquals(List.of("loadbalancing"), traces.entries().get("exporters").toPlain());
    assertEquals(
        "tailshard-sampling",
        root.entries().get("exporters").entries().get("loadbalancing").entries().get("resolver").entries().get("dns")
            .entries().get("hostname").text());
  }

  @Test
  void helpListsTheTiersComponentTypes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code =
        TierMain.execute(
            LbTierMain.tier(), new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
    assertEquals(0, code);
    String help = out.toString(StandardCharsets.UTF_8);
    assertTrue(help.startsWith("Usage: lb-tier "), help);
    assertTrue(help.contains("health_check"), help);
    assertTrue(help.contains("loadbalancing"), help);
  }

  @Test
  void tailSamplingIsRefusedWithTheReasonOfThisTier() {
    assertTrue(
        LbTierMain.tier().components().whyNotBuilt(io.tailshard.common.component.ComponentKind.PROCESSOR, "tail_sampling")
            .orElseThrow().startsWith("tail sampling runs in sampling-tier"));
  }

  @Test
  void aPersistentQueueIsRefusedBecauseThisTierKeepsNoState() {
    assertTrue(LbTierMain.tier().components().whyNotBuilt(ComponentKind.EXTENSION, "rocksdb").orElseThrow()
        .startsWith("lb-tier keeps no state"));
    ServiceConfig config = ServiceConfig.parse(new ConfigLoader(n -> null).parse("lb.yaml", String.join("\n",
        "receivers: {otlp: {protocols: {grpc: {endpoint: 127.0.0.1:0}}}}",
        "exporters:",
        "  otlphttp: {endpoint: http://127.0.0.1:4318, sending_queue: {storage: rocksdb}}",
        "service:",
        "  pipelines: {traces: {receivers: [otlp], exporters: [otlphttp]}}",
        "")), LbTierMain.tier().components());
    Vertx vertx = Vertx.vertx();
    try {
      ConfigException e = assertThrows(ConfigException.class, () -> Service.create(config, vertx, Telemetry.forTests("lb")));
      assertTrue(e.getMessage().contains("exporters.otlphttp.sending_queue.storage"), e.getMessage());
      assertTrue(e.getMessage().contains("lb-tier keeps no state"), e.getMessage());
    } finally {
      vertx.close();
    }
  }
}

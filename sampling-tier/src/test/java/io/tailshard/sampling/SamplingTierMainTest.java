package io.tailshard.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.config.ConfigNode;
import io.tailshard.common.service.TierMain;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SamplingTierMainTest {
  @Test
  void theEmbeddedDefaultConfigIsThereWithSamplingAndSpanMetrics() {
    ConfigNode root = new ConfigLoader(Map.<String, String>of()::get).loadResource(SamplingTierMain.DEFAULT_CONFIG);
    ConfigNode pipelines = root.entries().get("service").entries().get("pipelines");
    assertEquals(
        List.of("memory_limiter", "tail_sampling", "batch"),
        pipelines.entries().get("traces").entries().get("processors").toPlain());
    assertEquals(List.of("spanmetrics"), pipelines.entries().get("metrics/spanmetrics").entries().get("receivers").toPlain());
    assertEquals(3, root.entries().get("processors").entries().get("tail_sampling").entries().get("policies").items().size());
  }

  @Test
  void helpListsTheTiersComponentTypes() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code =
        TierMain.execute(
            SamplingTierMain.tier(), new String[] {"--help"}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
    assertEquals(0, code);
    String help = out.toString(StandardCharsets.UTF_8);
    assertTrue(help.startsWith("Usage: sampling-tier "), help);
    assertTrue(help.contains("tail_sampling"), help);
  }
}

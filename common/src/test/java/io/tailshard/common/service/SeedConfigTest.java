package io.tailshard.common.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.tailshard.common.config.ConfigException;
import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.config.ConfigNode;
import io.tailshard.common.testing.TestComponents;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Operators' Collector configs from the seeds must load as written and reach our registry. */
class SeedConfigTest {
  private final ConfigLoader loader = new ConfigLoader(Map.<String, String>of()::get);
  private final TestComponents test = new TestComponents();

  @Test
  void seed001FlowStylePoliciesParseAsYaml() {
    ConfigNode root = loader.loadResource("seeds/seed001-tail-sampling.yaml");
    List<ConfigNode> policies = root.entries().get("processors").entries().get("tail_sampling").entries().get("policies").items();
    assertEquals(2, policies.size());
    assertEquals(
        Map.of("name", "errors-policy", "type", "status_code", "status_code", Map.of("status_codes", List.of("ERROR"))),
        policies.get(0).toPlain());
    assertEquals(
        Map.of("name", "randomized-policy", "type", "probabilistic", "probabilistic", Map.of("sampling_percentage", "0.1")),
        policies.get(1).toPlain());
    assertEquals("processors.tail_sampling.policies[1].probabilistic.sampling_percentage",
        policies.get(1).entries().get("probabilistic").entries().get("sampling_percentage").path());
  }

  @Test
  void seed001TailSamplingBlockReachesTheRegistryAndIsNotBuiltYet() {
    ConfigNode root = loader.loadResource("seeds/seed001-tail-sampling.yaml");
    ConfigException e = assertThrows(ConfigException.class, () -> ServiceConfig.parse(root, test.components()));
    assertEquals("processors.tail_sampling", e.path());
    assertEquals(7, e.line());
    assertEquals(
        "classpath:seeds/seed001-tail-sampling.yaml:7: processors.tail_sampling: processor type 'tail_sampling' is not built"
            + " in this tier yet: tail sampling on a RocksDB trace buffer is planned for sampling-tier",
        e.getMessage());
  }

  @Test
  void seed004LoadbalancingBlockReachesTheRegistryAndIsNotBuiltYet() {
    ConfigNode root = loader.loadResource("seeds/seed004-loadbalancing-block.yaml");
    assertEquals(
        "otelcol.observability.svc.cluster.local",
        root.entries().get("exporters").entries().get("loadbalancing").entries().get("resolver").entries().get("dns")
            .entries().get("hostname").text());
    ConfigException e = assertThrows(ConfigException.class, () -> ServiceConfig.parse(root, test.components()));
    assertEquals(
        "classpath:seeds/seed004-loadbalancing-block.yaml:7: exporters.loadbalancing: exporter type 'loadbalancing' is not"
            + " built in this tier yet: planned: the trace-id ring exporter of lb-tier",
        e.getMessage());
  }

  @Test
  void seed004WholeConfigStopsAtTheFirstTypeNotBuiltYet() {
    ConfigNode root = loader.loadResource("seeds/seed004-loadbalancing.yaml");
    assertEquals(true, root.entries().get("processors").isNull());
    ConfigException e = assertThrows(ConfigException.class, () -> ServiceConfig.parse(root, test.components()));
    assertEquals("receivers.otlp", e.path());
    assertEquals(
        "receiver type 'otlp' is not built in this tier yet: the OTLP receiver (gRPC :4317, HTTP :4318) is still being written",
        e.problem());
  }
}

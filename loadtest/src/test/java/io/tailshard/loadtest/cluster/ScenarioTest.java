package io.tailshard.loadtest.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tailshard.common.config.ConfigException;
import io.tailshard.common.config.ConfigLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ScenarioTest {
  private static Scenario parse(String yaml) {
    return Scenario.parse("s.yaml", yaml);
  }

  private static ConfigException error(String yaml) {
    return assertThrows(ConfigException.class, () -> parse(yaml));
  }

  @Test
  void everyShippedScenarioLoads() throws Exception {
    Path dir = Path.of("scenarios");
    List<Path> files;
    try (Stream<Path> list = Files.list(dir)) {
      files = list.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    assertTrue(files.stream().map(p -> p.getFileName().toString()).toList()
        .containsAll(List.of("bench-lb.yaml", "bench-sampling.yaml", "demo.yaml", "scale.yaml")), files.toString());
    for (Path f : files) {
      Scenario s = Scenario.load(f);
      assertTrue(s.duration().toSeconds() <= 120, f + ": a scenario stays short");
      assertTrue(ClusterRun.hardBound(s).toMinutes() < 10, f + ": bounded");
    }
    Scenario demo = Scenario.load(dir.resolve("demo.yaml"));
    assertEquals(1, demo.lbNodes());
    assertEquals(2, demo.samplingNodes());
    assertEquals(2000, demo.initialRate());
    assertEquals(List.of(new Scenario.KillStep(Duration.ofSeconds(30), 2, Duration.ofSeconds(2))), demo.steps());
  }

  @Test
  void defaultsAreErrorsPlusTenPercentOnOneLbAndTwoSamplingNodes() {
    Scenario s = parse("duration: 20s\n");
    assertEquals(1, s.lbNodes());
    assertEquals(2, s.samplingNodes());
    assertEquals(10, s.samplingPercentage());
    assertEquals(Duration.ofSeconds(5), s.decisionWait());
    assertEquals("wait", s.failingBackends());
    assertEquals("gzip", s.compression());
    assertEquals(Scenario.DEFAULT_JVM_OPTIONS, s.jvmOptions());
    assertEquals(Scenario.DEFAULT_POLICIES, s.policiesYaml());
    assertEquals(List.of(), s.generateArgs());
    assertEquals("grpc", s.protocol());
  }

  @Test
  void generateOptionsBecomeTheGeneratorsCommandLine() {
    Scenario s = parse("""
        generate:
          rate: 1500
          spans_per_trace: 2..8
          late_ratio: 0.1
          protocol: http/protobuf
        steps:
          - {at: 5s, rate: 3000}
          - {at: 10s, scale_sampling: 3}
          - {at: 12s, kill_sampling: 3, restart_after: 1s}
        duration: 20s
        """);
    assertEquals(List.of("--rate", "1500", "--protocol", "http/protobuf", "--spans-per-trace", "2..8",
        "--late-ratio", "0.1"), s.generateArgs());
    assertEquals("http/protobuf", s.protocol());
    assertEquals(1500, s.initialRate());
    assertEquals("5000ms:3000", Scenario.rateSteps(s.steps()));
    assertEquals(3, s.maxSamplingNodes());
    assertInstanceOf(Scenario.KillStep.class, s.steps().get(2));
  }

  @Test
  void anUnknownKeyNamesFileLineAndPath() {
    ConfigException e = error("lb_nodes: 1\nsampling_node: 2\n");
    assertEquals("s.yaml", e.file());
    assertEquals(2, e.line());
    assertEquals("sampling_node", e.path());
    assertTrue(e.getMessage().contains("sampling_nodes"), "lists the allowed keys: " + e.getMessage());

    ConfigException g = error("generate:\n  rate: 10\n  endpoint: 127.0.0.1:4317\n");
    assertEquals(3, g.line());
    assertEquals("generate.endpoint", g.path());
  }

  @Test
  void aBadGeneratorValueIsReportedOnItsKey() {
    ConfigException e = error("generate:\n  rate: 10\n  spans_per_trace: lots\n");
    assertEquals(3, e.line());
    assertEquals("generate.spans_per_trace", e.path());
    assertTrue(e.getMessage().contains("--spans-per-trace"), e.getMessage());
  }

  @Test
  void stepsAreCheckedAgainstTheTimelineAndTheNodes() {
    assertTrue(error("steps:\n  - {at: 5s, kill_sampling: 3}\n").getMessage().contains("no sampling-3"));
    assertTrue(error("steps:\n  - {at: 9s, rate: 5}\n  - {at: 5s, rate: 6}\n").getMessage().contains("time order"));
    assertTrue(error("steps:\n  - {at: 5s, rate: 5, scale_sampling: 3}\n").getMessage().contains("exactly one"));
    assertTrue(error("steps:\n  - {at: 5s, scale_sampling: 2}\n").getMessage().contains("already has 2"));
    assertTrue(error("steps:\n  - {at: 5s, rate: 5, restart_after: 1s}\n").getMessage().contains("only a kill"));
    assertTrue(error("duration: 10s\nsteps:\n  - {at: 10s, rate: 5}\n").getMessage().contains("after the load"));
    ConfigException missing = error("steps:\n  - {rate: 5}\n");
    assertTrue(missing.getMessage().contains("at: required"), missing.getMessage());
  }

  @Test
  void policiesMustBeOnesTheSinkCanJudge() {
    ConfigException e = error("""
        policies:
          - {name: slow, type: latency, latency: {threshold_ms: 100}}
        """);
    assertEquals("policies[0].type", e.path());
    assertTrue(e.getMessage().contains("status_code, probabilistic"), e.getMessage());
    assertTrue(error("""
        policies:
          - {name: ok, type: status_code, status_code: {status_codes: [OK]}}
        """).getMessage().contains("[ERROR]"));
  }

  @Test
  void policiesArePastedAsWrittenAndJudgedByTheirPercentageAndSalt() {
    Scenario s = parse("""
        policies:
          - name: errors
            type: status_code
            status_code: {status_codes: [ERROR]}
          - name: "one percent"
            type: probabilistic
            probabilistic: {sampling_percentage: 1.5, hash_salt: "s: alt"}
        """);
    assertEquals(1.5, s.samplingPercentage());
    assertEquals("s: alt", s.hashSalt());
    Object original = reparse("""
        - name: errors
          type: status_code
          status_code: {status_codes: [ERROR]}
        - name: "one percent"
          type: probabilistic
          probabilistic: {sampling_percentage: 1.5, hash_salt: "s: alt"}
        """);
    assertEquals(original, reparse(s.policiesYaml()));
  }

  /** The rendered block read back: a list at the top, so wrap it as the value of a key. */
  private static Object reparse(String yaml) {
    return new ConfigLoader(n -> null).parse("b.yaml", "p:\n" + yaml.indent(2)).entries().get("p").toPlain();
  }

  @Test
  void lbBatchIsPastedAsTheLbsSendingQueueBatch() {
    Layout layout = new Layout("127.0", 4317, 4318, 8888, 13133);
    Scenario none = parse("duration: 20s\n");
    assertEquals(null, none.lbBatchYaml());
    Object noneQueue = lbOtlp(NodeConfigs.lb(none, layout, 1, "127.0.3.1:53")).get("sending_queue");
    assertEquals(null, noneQueue, "no batch block: the exporter's default (merge what waits, no linger)");

    Scenario batch = parse("duration: 20s\nlb_batch: {flush_timeout: 200ms, min_size: 1000}\n");
    Object queue = lbOtlp(NodeConfigs.lb(batch, layout, 1, "127.0.3.1:53")).get("sending_queue");
    assertEquals(java.util.Map.of("batch", java.util.Map.of("flush_timeout", "200ms", "min_size", "1000")),
        stringly(queue));

    Scenario empty = parse("duration: 20s\nlb_batch: {}\n");
    assertEquals(java.util.Map.of("batch", java.util.Map.of()),
        stringly(lbOtlp(NodeConfigs.lb(empty, layout, 1, "127.0.3.1:53")).get("sending_queue")));

    ConfigException e = error("duration: 20s\nlb_batch: 200ms\n");
    assertTrue(e.getMessage().contains("lb_batch") && e.getMessage().contains("sending_queue.batch"), e.getMessage());
  }

  @SuppressWarnings("unchecked")
  private static java.util.Map<String, Object> lbOtlp(String config) {
    var root = (java.util.Map<String, Object>) new ConfigLoader(n -> null).parse("lb.yaml", config).toPlain();
    var exporters = (java.util.Map<String, Object>) root.get("exporters");
    var lb = (java.util.Map<String, Object>) exporters.get("loadbalancing");
    var protocol = (java.util.Map<String, Object>) lb.get("protocol");
    return (java.util.Map<String, Object>) protocol.get("otlp");
  }

  /** Scalars as their text, so the comparison does not depend on how the loader types them. */
  @SuppressWarnings("unchecked")
  private static Object stringly(Object o) {
    if (o instanceof java.util.Map<?, ?> m) {
      java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), stringly(v)));
      return out;
    }
    return o == null ? null : String.valueOf(o);
  }
}

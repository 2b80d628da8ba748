package io.tailshard.common.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.testing.Await;
import io.tailshard.common.testing.Http;
import io.tailshard.common.testing.TestComponents;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunningTierTest {
  private final TestComponents test = new TestComponents();
  private final Tier tier = new Tier("test-tier", "a tier for tests", test.components(), "tailshard/test-tier-default.yaml");

  private ServiceConfig config(String extra) {
    String yaml =
        "receivers: {test_receiver: }\nexporters: {test_exporter: " + extra + "}\n"
            + "extensions: {health_check: {endpoint: '127.0.0.1:0'}}\n"
            + "service:\n"
            + "  extensions: [health_check]\n"
            + "  pipelines: {traces: {receivers: [test_receiver], exporters: [test_exporter]}}\n"
            + "  telemetry:\n"
            + "    resource: {deployment.environment: test, service.version: null}\n"
            + "    metrics: {readers: [{pull: {exporter: {prometheus: {host: 127.0.0.1, port: 0}}}}]}\n";
    return ServiceConfig.parse(new ConfigLoader(Map.<String, String>of()::get).parse("n.yaml", yaml), test.components());
  }

  @Test
  void aNodeServesMetricsAndHealthThenStopsCleanly() {
    RunningTier node = Await.result(RunningTier.start(tier, config("")));
    String metricsUrl = "http://" + node.metricsAddress().orElseThrow() + "/metrics";
    String metrics = Http.get(metricsUrl).body();
    assertTrue(metrics.contains("otelcol_process_uptime_total{"), metrics);
    assertTrue(metrics.contains("service_name=\"tailshard-test-tier\""), metrics);
    assertTrue(metrics.contains("deployment_environment=\"test\""), metrics);
    assertFalse(metrics.contains("service_version="), "a null resource attribute is left out");

    String health = node.endpoints().stream().filter(e -> e.startsWith("extension health_check=")).findFirst().orElseThrow();
    String healthUrl = "http://" + health.substring("extension health_check=".length()) + "/";
    assertEquals(200, Http.get(healthUrl).statusCode());
    assertTrue(node.endpoints().get(0).startsWith("metrics=127.0.0.1:"), node.endpoints().toString());

    Await.result(node.stop(Duration.ofSeconds(5)));
    Await.result(node.stop(Duration.ofSeconds(5)));
    assertThrows(AssertionError.class, () -> Http.get(metricsUrl), "the metrics port is closed");
    assertThrows(AssertionError.class, () -> Http.get(healthUrl), "the health port is closed");
  }

  @Test
  void aFailedStartClosesEverything() {
    Throwable t = Await.failure(RunningTier.start(tier, config("{fail_start: true}")));
    assertEquals("exporter test_exporter failed to start: configured to fail", t.getMessage());
    // The health_check extension is real and not in the log; the exporter was rolled back.
    assertEquals(java.util.List.of("start exporter test_exporter", "shutdown exporter test_exporter"), test.events());
  }

  @Test
  void aShutdownSlowerThanTheGraceFailsButStillCloses() {
    RunningTier node = Await.result(RunningTier.start(tier, config("{hold_shutdown: true}")));
    Throwable t = Await.failure(node.stop(Duration.ofMillis(200)));
    assertTrue(t.getMessage().startsWith("shutdown did not finish within 200 ms"), t.getMessage());
    String metricsUrl = "http://" + node.metricsAddress().orElseThrow() + "/metrics";
    assertThrows(AssertionError.class, () -> Http.get(metricsUrl));
  }

  @Test
  void labelNamesComeFromResourceAttributeNames() {
    assertEquals("service_name", RunningTier.labelName("service.name"));
    assertEquals("k8s_pod_name", RunningTier.labelName("k8s.pod.name"));
    assertEquals("_1st", RunningTier.labelName("1st"));
  }
}

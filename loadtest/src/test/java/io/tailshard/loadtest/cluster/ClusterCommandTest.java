package io.tailshard.loadtest.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tailshard.loadtest.truth.GroundTruthFiles;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short scenario end to end with the packaged tier jars: 1 lb node, 2 sampling nodes, 12 s of
 * low load and a SIGKILL of a sampling node restarted a second later. In {@code mvn verify} the
 * tiers are packaged before this module's tests run (reactor order); with {@code -pl loadtest -am}
 * lb-tier is not built, and the jars of an earlier {@code package} are used when present (the test
 * is skipped with a message saying so when they are not).
 */
class ClusterCommandTest {
  @TempDir Path dir;

  @Test
  @Timeout(240)
  void aShortScenarioWithAKillPassesItsVerdict() throws Exception {
    Path lbJar = existing("lb-tier");
    Path samplingJar = existing("sampling-tier");
    Assumptions.assumeTrue(lbJar != null && samplingJar != null,
        "lb-tier.jar / sampling-tier.jar not built: run mvn verify (or mvn package -DskipTests first)");
    Path scenario = dir.resolve("short.yaml");
    Files.writeString(scenario, String.join("\n",
        "lb_nodes: 1",
        "sampling_nodes: 2",
        "decision_wait: 2s",
        "generate: {rate: 500, spans_per_trace: 2..10, error_ratio: 0.1, trace_spread: 1s, seed: 7}",
        "steps:",
        "  - {at: 5s, kill_sampling: 2, restart_after: 1s}",
        "duration: 12s",
        "settle: 20s",
        "warmup: 2s",
        ""));
    // A loopback block of its own and ports off the defaults, so a demo or another run can go on
    // at the same time on this machine.
    String prefix = "127." + ThreadLocalRandom.current().nextInt(100, 200);
    Path out = dir.resolve("run");
    ByteArrayOutputStream console = new ByteArrayOutputStream();
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    int code = ClusterCommand.run(new String[] {
        "--scenario", scenario.toString(), "--out", out.toString(),
        "--lb-jar", lbJar.toString(), "--sampling-jar", samplingJar.toString(),
        "--address-prefix", prefix, "--otlp-port", "14317", "--http-port", "14318",
        "--metrics-port", "18888", "--health-port", "13134"},
        new PrintStream(console, true, StandardCharsets.UTF_8), new PrintStream(errors, true, StandardCharsets.UTF_8));
    String text = console.toString(StandardCharsets.UTF_8);
    System.out.println(text.lines().filter(l -> !l.startsWith("[ ")).reduce("", (a, b) -> a + b + "\n"));
    assertEquals(0, code, "verdict passes:\n" + text + errors.toString(StandardCharsets.UTF_8));

    assertTrue(text.contains("cluster verdict: PASS"), text);
    assertTrue(text.contains("kill -9 sampling-2") && text.contains("restarted sampling-2"), text);
    JsonObject result = new JsonObject(Files.readString(out.resolve(ClusterVerdict.RESULT)));
    assertTrue(result.getBoolean("pass"));
    assertEquals(2, result.getJsonObject("processes").getJsonObject("sampling-2").getInteger("incarnations"));
    List<String> nodes = Files.readAllLines(out.resolve(GroundTruthFiles.NODES_TIMESERIES));
    assertEquals("t_s,unix_ms,process,role,spans_per_s,backlog,cpu_seconds", nodes.get(0));
    for (String name : List.of("lb-1", "sampling-1", "sampling-2")) {
      assertTrue(nodes.stream().anyMatch(l -> l.split(",")[2].equals(name)), name + " has a series");
    }
    assertTrue(nodes.stream().skip(1).allMatch(l -> l.split(",", -1).length == 7), "well-formed rows");
    for (String file : List.of("report.html", "summary.md", "cluster.log", "nodes/lb-1.yaml", "nodes/sampling-2.log",
        GroundTruthFiles.SINK_RESULT, GroundTruthFiles.GENERATE_SUMMARY)) {
      assertTrue(Files.exists(out.resolve(file)), file);
    }
    assertTrue(Files.readString(out.resolve("summary.md")).contains("Cluster verdict: **PASS**"));
  }

  private static Path existing(String module) {
    return ClusterCommand.defaultJars(module).stream().filter(Files::isRegularFile).findFirst().orElse(null);
  }
}

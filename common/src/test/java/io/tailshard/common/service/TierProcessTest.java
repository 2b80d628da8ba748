package io.tailshard.common.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tailshard.common.testing.Http;
import io.tailshard.common.testing.TestTierMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line as an operator runs it: a real JVM, real sockets, SIGTERM. */
class TierProcessTest {
  private static final Pattern STARTED =
      Pattern.compile(
          "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z info tailshard\\.service started tier=test-tier .*"
              + "endpoints=\"metrics=(127\\.0\\.0\\.1:\\d+), extension health_check=(127\\.0\\.0\\.1:\\d+)\"$");

  @TempDir Path dir;

  @Test
  void servesUntilSigtermThenStopsGracefully() throws Exception {
    Path config = dir.resolve("node.yaml");
    Files.writeString(
        config,
        "receivers: {test_receiver: }\n"
            + "exporters: {test_exporter: }\n"
            + "extensions: {health_check: {endpoint: '127.0.0.1:0'}}\n"
            + "service:\n"
            + "  extensions: [health_check]\n"
            + "  pipelines: {traces: {receivers: [test_receiver], exporters: [test_exporter]}}\n"
            + "  telemetry:\n"
            + "    logs: {level: info}\n"
            + "    metrics: {readers: [{pull: {exporter: {prometheus: {host: 127.0.0.1, port: 0}}}}]}\n");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), TestTierMain.class.getName(),
                "--config", config.toString(), "--shutdown-timeout", "5s")
            .redirectErrorStream(true)
            .start();
    List<String> lines = new CopyOnWriteArrayList<>();
    Thread reader = new Thread(() -> readLines(p, lines), "test-process-output");
    reader.setDaemon(true);
    reader.start();
    try {
      Matcher started = waitForLine(lines, p);
      assertEquals(200, Http.get("http://" + started.group(2) + "/").statusCode());
      String metrics = Http.get("http://" + started.group(1) + "/metrics").body();
      assertTrue(metrics.contains("otelcol_process_uptime_total{"), metrics);

      p.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of its output
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "stopped within the grace period: " + lines);
      assertEquals(143, p.exitValue(), "the exit status of SIGTERM: " + lines);
      reader.join(5_000);
      assertTrue(lines.stream().anyMatch(l -> l.contains(" info tailshard.service stopping tier=test-tier grace=5s")), lines.toString());
      assertTrue(lines.stream().anyMatch(l -> l.contains(" info tailshard.service stopped tier=test-tier")), lines.toString());
    } finally {
      p.destroyForcibly();
    }
  }

  private static Matcher waitForLine(List<String> lines, Process p) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      for (String l : lines) {
        Matcher m = STARTED.matcher(l);
        if (m.matches()) {
          return m;
        }
      }
      if (!p.isAlive()) {
        throw new AssertionError("the process exited with " + p.exitValue() + ": " + lines);
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no 'started' line within 60 s: " + lines);
  }

  private static void readLines(Process p, List<String> lines) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        lines.add(line);
      }
    } catch (IOException e) {
      lines.add("(output ended: " + e + ")");
    }
  }
}

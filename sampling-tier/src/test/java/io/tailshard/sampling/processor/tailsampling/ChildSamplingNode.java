package io.tailshard.sampling.processor.tailsampling;

import io.tailshard.sampling.SamplingTierMain;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.DoublePredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sampling node in a JVM of its own, for tests that kill it (SIGKILL, SIGTERM) and start it again
 * on the same data: its config (receiver -> tail_sampling -> otlp to a sink), the process, and its
 * self-metrics scraped over HTTP.
 */
final class ChildSamplingNode {
  static final Pattern ON_MEMORY =
      Pattern.compile("(?m)^otelcol_processor_tail_sampling_sampling_traces_on_memory\\{[^}]*} (\\S+)$");

  private ChildSamplingNode() {}

  /**
   * The node's YAML: OTLP/gRPC in on {@code port}, {@code tailSampling} (indented block body),
   * an {@code otlp} exporter to {@code sinkEndpoint} with {@code exporterExtra} lines (queue, retry),
   * RocksDB under {@code dataDir}, self-metrics on {@code metricsPort}.
   */
  static String config(int port, String tailSampling, String sinkEndpoint, String exporterExtra, Path dataDir,
      int metricsPort) {
    return String.join("\n",
        "receivers:",
        "  otlp:",
        "    protocols:",
        "      grpc: {endpoint: 127.0.0.1:" + port + "}",
        "processors:",
        "  tail_sampling:",
        tailSampling.indent(4).stripTrailing(),
        "exporters:",
        "  otlp:",
        "    endpoint: " + sinkEndpoint,
        "    tls: {insecure: true}",
        exporterExtra.indent(4).stripTrailing(),
        "extensions:",
        "  rocksdb: {directory: " + dataDir + "}",
        "service:",
        "  extensions: [rocksdb]",
        "  pipelines:",
        "    traces: {receivers: [otlp], processors: [tail_sampling], exporters: [otlp]}",
        "  telemetry:",
        "    metrics: {address: 127.0.0.1:" + metricsPort + "}",
        "");
  }

  /** Starts the node on the test's class path, its output to {@code log}. */
  static Process start(Path config, Path log) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        SamplingTierMain.class.getName(), "--config", config.toString())
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
  }

  /** The first value of {@code p} in a scrape, or NaN. */
  static double metric(String scrape, Pattern p) {
    Matcher m = p.matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  /** Scrapes the node's metrics until {@code p}'s value passes {@code test}; returns that scrape. */
  static String awaitMetric(int metricsPort, Pattern p, DoublePredicate test, long millis) throws Exception {
    // HTTP/1.1 without an h2c upgrade attempt: the metrics endpoint speaks plain HTTP/1.1.
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest scrape = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
        .timeout(Duration.ofSeconds(5)).build();
    long deadline = System.currentTimeMillis() + millis;
    String last = "";
    while (System.currentTimeMillis() < deadline) {
      try {
        last = http.send(scrape, HttpResponse.BodyHandlers.ofString()).body();
        double v = metric(last, p);
        if (!Double.isNaN(v) && test.test(v)) {
          Thread.sleep(300);
          return http.send(scrape, HttpResponse.BodyHandlers.ofString()).body();
        }
      } catch (java.io.IOException e) {
        // not up yet
      }
      Thread.sleep(200);
    }
    throw new AssertionError("timed out waiting for " + p + "; last scrape: " + last.lines()
        .filter(l -> l.startsWith("otelcol_exporter") || l.contains("on_memory")).toList());
  }
}

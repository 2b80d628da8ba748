package io.tailshard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.images.builder.Transferable;

/**
 * The image as it is deployed: built from deploy/docker/Dockerfile, then one lb-tier, two
 * sampling-tier nodes and a sink on one Docker network. The two sampling containers share the
 * network alias {@code tailshard-sampling}, so Docker's DNS answers that name with both addresses,
 * as a headless Service does; the lb-tier resolves it exactly as in Kubernetes. Traces sent to the
 * lb-tier must reach the sink, through both sampling nodes.
 *
 * <p><b>Needs a Docker engine.</b> CI has none (the {@code docker} CLI is installed, no daemon
 * runs), so there this test is skipped, and the Dockerfile is checked statically by
 * {@link DockerfileTest}. Run it on a machine with Docker:
 * {@code mvn -B -pl deploy-test test -Dtest=ImageClusterTest}. The first run builds the tiers
 * inside the build stage and downloads their dependencies: allow several minutes.
 */
class ImageClusterTest {
  private static final int TRACES = 40;
  private static final int SPANS_PER_TRACE = 5;

  /** The sink: an lb-tier process with only an OTLP receiver and the debug exporter, counted on 8888. */
  private static final String SINK_CONFIG = String.join("\n",
      "receivers:",
      "  otlp:",
      "    protocols:",
      "      grpc: {endpoint: 0.0.0.0:4317}",
      "exporters:",
      "  debug: {verbosity: basic}",
      "extensions:",
      "  health_check: {endpoint: 0.0.0.0:13133}",
      "service:",
      "  extensions: [health_check]",
      "  pipelines:",
      "    traces: {receivers: [otlp], exporters: [debug]}",
      "  telemetry:",
      "    metrics:",
      "      readers:",
      "        - pull: {exporter: {prometheus: {host: 0.0.0.0, port: 8888}}}",
      "");

  /** Sampling nodes keep every trace after 2s and export to the sink. RocksDB in the image's ./data. */
  private static final String SAMPLING_CONFIG = String.join("\n",
      "receivers:",
      "  otlp:",
      "    protocols:",
      "      grpc: {endpoint: 0.0.0.0:4317}",
      "processors:",
      "  tail_sampling:",
      "    decision_wait: 2s",
      "    policies:",
      "      - {name: everything, type: always_sample}",
      "  batch: {}",
      "exporters:",
      "  otlp:",
      "    endpoint: sink:4317",
      "    tls: {insecure: true}",
      "extensions:",
      "  health_check: {endpoint: 0.0.0.0:13133}",
      "  rocksdb: {directory: ./data}",
      "service:",
      "  extensions: [health_check, rocksdb]",
      "  pipelines:",
      "    traces: {receivers: [otlp], processors: [tail_sampling, batch], exporters: [otlp]}",
      "  telemetry:",
      "    metrics:",
      "      readers:",
      "        - pull: {exporter: {prometheus: {host: 0.0.0.0, port: 8888}}}",
      "");

  @Test
  void lbAndTwoSamplingNodesDeliverTracesToTheSink() throws Exception {
    assumeTrue(DockerClientFactory.instance().isDockerAvailable(),
        "skipped: no Docker engine here (CI has the docker CLI but no daemon); "
            + "DockerfileTest checks the Dockerfile statically, and this test runs where Docker does");

    ImageFromDockerfile image = new ImageFromDockerfile("tailshard-deploy-test", true).withDockerfilePath(DockerfileTest.DOCKERFILE);
    // The build context: exactly what the Dockerfile copies (no target/ directories, no .git).
    for (String path : contextPaths()) {
      image.withFileFromPath(path, Repo.path(path));
    }

    try (Network net = Network.newNetwork();
        GenericContainer<?> sink = node(image, net, "lb-tier", SINK_CONFIG).withNetworkAliases("sink");
        GenericContainer<?> s0 = node(image, net, "sampling-tier", SAMPLING_CONFIG).withNetworkAliases("tailshard-sampling");
        GenericContainer<?> s1 = node(image, net, "sampling-tier", SAMPLING_CONFIG).withNetworkAliases("tailshard-sampling");
        // The lb-tier with its embedded default config, as in Kubernetes but for the name it resolves.
        GenericContainer<?> lb = new GenericContainer<>(image)
            .withNetwork(net)
            .withCommand("lb-tier")
            .withEnv("TAILSHARD_SAMPLING_HOSTNAME", "tailshard-sampling")
            .withExposedPorts(4318, 8888, 13133)
            // Ready only once its ring has backends: both sampling nodes are in DNS by then.
            .waitingFor(Wait.forHttp("/").forPort(13133).forStatusCode(200).withStartupTimeout(Duration.ofMinutes(2)))) {
      sink.start();
      s0.start();
      s1.start();
      lb.start();

      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      String traces = "http://" + lb.getHost() + ":" + lb.getMappedPort(4318) + "/v1/traces";
      for (int i = 0; i < TRACES; i++) {
        HttpResponse<String> r = http.send(
            HttpRequest.newBuilder(URI.create(traces)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(traceJson())).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), "lb-tier refused a trace: " + r.body());
      }

      long expected = (long) TRACES * SPANS_PER_TRACE;
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      long delivered = 0;
      while (System.nanoTime() < deadline) {
        delivered = counter(http, sink, "otelcol_exporter_sent_spans_total");
        if (delivered >= expected) {
          break;
        }
        Thread.sleep(1000);
      }
      assertEquals(expected, delivered, "spans at the sink; sink log:\n" + sink.getLogs());
      // Both sampling nodes took a share: the lb-tier's ring held both addresses of the name.
      assertTrue(counter(http, s0, "otelcol_receiver_accepted_spans_total") > 0, "sampling node 0 got nothing:\n" + s0.getLogs());
      assertTrue(counter(http, s1, "otelcol_receiver_accepted_spans_total") > 0, "sampling node 1 got nothing:\n" + s1.getLogs());
    }
  }

  private static GenericContainer<?> node(ImageFromDockerfile image, Network net, String tier, String config) {
    return new GenericContainer<>(image)
        .withNetwork(net)
        .withCopyToContainer(Transferable.of(config), "/etc/tailshard/config.yaml")
        .withCommand(tier, "--config", "/etc/tailshard/config.yaml")
        .withExposedPorts(8888, 13133)
        .waitingFor(Wait.forHttp("/").forPort(13133).forStatusCode(200).withStartupTimeout(Duration.ofMinutes(2)));
  }

  /** Files the Dockerfile copies from the context (its COPY sources without --from). */
  static List<String> contextPaths() {
    List<String> paths = new ArrayList<>();
    for (DockerfileTest.Instruction i : DockerfileTest.parse(Repo.read(DockerfileTest.DOCKERFILE))) {
      if (i.keyword().equals("COPY") && !i.args().startsWith("--from")) {
        List<String> parts = List.of(i.args().split("\\s+"));
        paths.addAll(parts.subList(0, parts.size() - 1));
      }
    }
    paths.add(DockerfileTest.DOCKERFILE);
    return paths.stream().distinct().collect(Collectors.toList());
  }

  /** One trace of {@link #SPANS_PER_TRACE} spans in OTLP/JSON (ids in hex, as OTLP/JSON writes them). */
  private static String traceJson() {
    HexFormat hex = HexFormat.of();
    byte[] traceId = new byte[16];
    ThreadLocalRandom.current().nextBytes(traceId);
    long now = System.currentTimeMillis() * 1_000_000L;
    StringBuilder spans = new StringBuilder();
    for (int s = 0; s < SPANS_PER_TRACE; s++) {
      byte[] spanId = new byte[8];
      ThreadLocalRandom.current().nextBytes(spanId);
      spans.append(s == 0 ? "" : ",")
          .append("{\"traceId\":\"").append(hex.formatHex(traceId))
          .append("\",\"spanId\":\"").append(hex.formatHex(spanId))
          .append("\",\"name\":\"op-").append(s)
          .append("\",\"kind\":2,\"startTimeUnixNano\":\"").append(now)
          .append("\",\"endTimeUnixNano\":\"").append(now + 1_000_000L).append("\"}");
    }
    return "{\"resourceSpans\":[{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"deploy-test\"}}]},"
        + "\"scopeSpans\":[{\"scope\":{\"name\":\"deploy-test\"},\"spans\":[" + spans + "]}]}]}";
  }

  /** The sum of a counter's series in a node's self-metrics. */
  private static long counter(HttpClient http, GenericContainer<?> node, String name) throws Exception {
    String url = "http://" + node.getHost() + ":" + node.getMappedPort(8888) + "/metrics";
    String body = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    double sum = 0;
    for (String line : body.split("\n")) {
      if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return (long) sum;
  }
}

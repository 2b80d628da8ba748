package io.tailshard.sampling.processor.tailsampling;

import io.tailshard.common.component.RefusedException;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.exporter.SendResult;
import io.tailshard.common.exporter.otlp.OtlpClientConfig;
import io.tailshard.common.exporter.otlp.OtlpTraceSender;
import io.tailshard.common.service.RunningTier;
import io.tailshard.common.service.ServiceConfig;
import io.tailshard.common.testing.RecordingOtlpSink;
import io.tailshard.common.testing.SpanLedger;
import io.tailshard.sampling.SamplingTierMain;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One sampling node running in this JVM from YAML (receiver -> tail_sampling -> otlp exporter),
 * a recording OTLP sink as its backend, and an OTLP/gRPC client that sends to it like an SDK.
 */
final class SamplingNodeFixture implements AutoCloseable {
  final Vertx vertx = Vertx.vertx();
  final SpanLedger ledger = new SpanLedger();
  final RecordingOtlpSink sink;
  final int port;
  final RunningTier node;
  private final OtlpTraceSender client;

  /** The exporters' default here: an otlp exporter without a queue, quick retries. */
  static String unqueuedOtlpExporter(String endpoint) {
    return String.join("\n",
        "otlp:",
        "  endpoint: " + endpoint,
        "  tls: {insecure: true}",
        "  sending_queue: {enabled: false}",
        "  retry_on_failure: {initial_interval: 100ms, max_interval: 1s, max_elapsed_time: 20s}");
  }

  SamplingNodeFixture(Path dataDir, String processorYaml) throws Exception {
    this(dataDir, processorYaml, SamplingNodeFixture::unqueuedOtlpExporter);
  }

  /** {@code exporterYaml} makes the {@code exporters} block (exporter id {@code otlp}) from the sink's endpoint. */
  SamplingNodeFixture(Path dataDir, String processorYaml, java.util.function.Function<String, String> exporterYaml)
      throws Exception {
    sink = new RecordingOtlpSink(vertx, "127.0.0.1", freePort(), ledger);
    port = freePort();
    String yaml = String.join("\n",
        "receivers:",
        "  otlp:",
        "    protocols:",
        "      grpc:",
        "        endpoint: 127.0.0.1:" + port,
        "processors:",
        "  tail_sampling:",
        processorYaml.indent(4).stripTrailing(),
        "exporters:",
        exporterYaml.apply(sink.endpoint).indent(2).stripTrailing(),
        "extensions:",
        "  rocksdb:",
        "    directory: " + dataDir,
        "service:",
        "  extensions: [rocksdb]",
        "  pipelines:",
        "    traces:",
        "      receivers: [otlp]",
        "      processors: [tail_sampling]",
        "      exporters: [otlp]",
        "  telemetry:",
        "    metrics:",
        "      level: none",
        "");
    ServiceConfig config = ServiceConfig.parse(new ConfigLoader(name -> null).parse("node.yaml", yaml),
        SamplingTierMain.tier().components());
    node = RunningTier.start(SamplingTierMain.tier(), config).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    client = new OtlpTraceSender(vertx, new OtlpClientConfig("127.0.0.1:" + port, OtlpClientConfig.Tls.PLAINTEXT,
        false, Map.of(), Duration.ofSeconds(10)));
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  /** Sends like an SDK: retries retryable answers until accepted. */
  void send(TraceData data) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      SendResult r = client.send(data).toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      if (r.sent()) {
        if (r.rejectedSpans() > 0) {
          throw new AssertionError("partially rejected: " + r.message());
        }
        return;
      }
      if (r.outcome() == SendResult.Outcome.PERMANENT || System.nanoTime() > deadline) {
        throw new AssertionError("refused: " + r.message(), RefusedException.permanent(r.message()));
      }
      Thread.sleep(50);
    }
  }

  double metric(String name, String... labels) {
    return node.telemetry().metrics().sum(name, labels);
  }

  /** Waits until the node's buffer holds no undecided trace and its exports are done. */
  void awaitAllDecided(long timeoutMillis) throws InterruptedException {
    long deadline = System.currentTimeMillis() + timeoutMillis;
    while (metric("otelcol_processor_tail_sampling_sampling_traces_on_memory") > 0) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("traces still undecided after " + timeoutMillis + " ms: "
            + metric("otelcol_processor_tail_sampling_sampling_traces_on_memory"));
      }
      Thread.sleep(100);
    }
    Thread.sleep(300);
  }

  @Override
  public void close() throws Exception {
    node.stop(Duration.ofSeconds(20)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    client.close();
    sink.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}

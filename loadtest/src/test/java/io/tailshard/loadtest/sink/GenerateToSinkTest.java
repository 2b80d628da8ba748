package io.tailshard.loadtest.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tailshard.common.component.TraceData;
import io.tailshard.common.exporter.otlp.OtlpClientConfig;
import io.tailshard.common.exporter.otlp.OtlpTraceSender;
import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.tailshard.common.otlp.wire.TraceRequestWriter;
import io.tailshard.loadtest.generate.GenerateCommand;
import io.tailshard.loadtest.truth.GroundTruthFiles;
import io.tailshard.loadtest.truth.TraceTruth;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.Histogram;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.resource.v1.Resource;
import io.tailshard.loadtest.truth.SpanMetricsTable;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator against the sink on loopback, a few seconds each: everything accepted is counted,
 * the ground truth matches what was sent, traces arrive in pieces over time and connections, and a
 * span removed on the way makes the verdict fail.
 */
class GenerateToSinkTest {
  @TempDir
  Path dir;

  private static SinkOptions sinkOptions(Path run) {
    return sinkOptions(run, Duration.ofMillis(500), false);
  }

  private static SinkOptions sinkOptions(Path run, Duration settle, boolean spanmetrics) {
    SocketAddress any = SocketAddress.inetSocketAddress(0, "127.0.0.1");
    return new SinkOptions(any, any, run, run, Duration.ofSeconds(18), settle, 100, null, true, spanmetrics,
        "traces.span.metrics", 64 << 20, true);
  }

  /** What a perfect spanmetrics connector would export for the expectation: one cumulative flush. */
  private static byte[] spanMetricsRequest(SpanMetricsTable t) {
    ExportMetricsServiceRequest.Builder req = ExportMetricsServiceRequest.newBuilder();
    for (SpanMetricsTable.Key k : t.keys()) {
      SpanMetricsTable.Cell c = t.get(k);
      List<KeyValue> attrs = List.of(kv("span.name", k.spanName()), kv("span.kind", k.spanKind()),
          kv("status.code", k.statusCode()));
      HistogramDataPoint.Builder h = HistogramDataPoint.newBuilder().addAllAttributes(attrs).setCount(c.calls())
          .setStartTimeUnixNano(1).setTimeUnixNano(2);
      Arrays.stream(SpanMetricsTable.DEFAULT_BOUNDS_MS).forEach(h::addExplicitBounds);
      Arrays.stream(c.buckets()).forEach(h::addBucketCounts);
      req.addResourceMetrics(ResourceMetrics.newBuilder()
          .setResource(Resource.newBuilder().addAttributes(kv("service.name", k.service())))
          .addScopeMetrics(ScopeMetrics.newBuilder()
              .addMetrics(Metric.newBuilder().setName("traces.span.metrics.calls").setSum(Sum.newBuilder()
                  .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                  .addDataPoints(NumberDataPoint.newBuilder().addAllAttributes(attrs).setAsInt(c.calls())
                      .setStartTimeUnixNano(1).setTimeUnixNano(2))))
              .addMetrics(Metric.newBuilder().setName("traces.span.metrics.duration").setHistogram(Histogram.newBuilder()
                  .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                  .addDataPoints(h)))));
    }
    return req.build().toByteArray();
  }

  private static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  private static CompletableFuture<Verdict> judge(Sink sink) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return sink.runUntilDone();
      } catch (Exception e) {
        throw new CompletionException(e);
      }
    });
  }

  private static int generate(Path run, String endpoint, String... extra) {
    List<String> args = new ArrayList<>(List.of("--endpoint", endpoint, "--out", run.toString(), "--quiet",
        "--seed", "42", "--drain-timeout", "5s"));
    args.addAll(Arrays.asList(extra));
    return GenerateCommand.run(args.toArray(new String[0]));
  }

  @Test
  @Timeout(20)
  void everyAcceptedSpanArrivesAndTracesComeInPiecesOverRequestsAndConnections() throws Exception {
    Path run = dir.resolve("grpc");
    try (Sink sink = Sink.start(sinkOptions(run, Duration.ofSeconds(2), true), System.out)) {
      CompletableFuture<Verdict> verdict = judge(sink);
      int code = generate(run, "127.0.0.1:" + sink.grpcPort(), "--compression", "gzip", "--rate", "3000", "--duration", "2s",
          "--trace-spread", "1s", "--batch-interval", "100ms", "--connections", "4", "--workers", "2",
          "--spans-per-trace", "4..16", "--late-ratio", "0.3", "--late-delay", "1s", "--error-ratio", "0.1");
      assertEquals(0, code);
      // Stand in for the product's spanmetrics connector: export exactly the expectation over OTLP/HTTP.
      SpanMetricsTable expected = GroundTruthFiles.readSpanMetrics(run.resolve(GroundTruthFiles.SPANMETRICS));
      HttpResponse<String> posted = HttpClient.newHttpClient().send(HttpRequest.newBuilder()
              .uri(URI.create("http://127.0.0.1:" + sink.httpPort() + "/v1/metrics"))
              .header("Content-Type", "application/x-protobuf")
              .POST(HttpRequest.BodyPublishers.ofByteArray(spanMetricsRequest(expected))).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, posted.statusCode(), posted.body());
      Verdict v = verdict.get(15, TimeUnit.SECONDS);
      assertTrue(v.pass(), v.text());
      assertTrue(v.spanmetricsChecked);
      assertEquals(v.spansReceived, v.spanmetricsActualCalls);

      JsonObject gen = new JsonObject(Files.readString(run.resolve(GroundTruthFiles.GENERATE_SUMMARY)));
      List<TraceTruth> truth = GroundTruthFiles.readAll(run.resolve(GroundTruthFiles.TRUTH));
      long truthSpans = truth.stream().mapToLong(TraceTruth::spans).sum();
      assertEquals(gen.getLong("traces"), truth.size());
      assertEquals(gen.getLong("spans_accepted"), truthSpans);
      assertEquals(gen.getLong("spans_offered"), truthSpans);
      assertEquals(truthSpans, v.spansReceived);
      assertEquals(truth.size(), v.keptTraces);
      assertEquals(truth.stream().filter(TraceTruth::error).count(), v.errorTraces);
      assertTrue(v.errorTraces > 0);
      assertEquals(truth.stream().mapToLong(TraceTruth::lateSpans).sum(), v.lateSpansInKept);
      assertTrue(v.lateSpansInKept > 0);
      assertEquals(truthSpans, GroundTruthFiles.readSpanMetrics(run.resolve(GroundTruthFiles.SPANMETRICS)).totalCalls());

      // Spread: most multi-span traces came in several requests and over several connections, and
      // the first and last span of a trace arrived a good part of a second apart.
      assertTrue(v.splitOverRequests > truth.size() / 2, v.text());
      assertTrue(v.splitOverConnections > truth.size() / 4, v.text());
      assertTrue(v.arrivalSpreadMicros.getValueAtPercentile(50) > 300_000, v.text());
      // The token bucket offers the target rate while traces are being started.
      assertEquals(3000, gen.getLong("spans_offered") / gen.getDouble("creation_seconds"), 300, gen.encode());
      assertTrue(gen.getDouble("achieved_spans_per_s") > 1000, gen.encode());
      assertTrue(Files.exists(run.resolve(GroundTruthFiles.SINK_RESULT)));
      assertTrue(Files.readAllLines(run.resolve(GroundTruthFiles.GENERATE_TIMESERIES)).size() >= 3);
    }
  }

  @Test
  @Timeout(20)
  void httpJsonWithGzipArrivesWhole() throws Exception {
    Path run = dir.resolve("json");
    try (Sink sink = Sink.start(sinkOptions(run), System.out)) {
      CompletableFuture<Verdict> verdict = judge(sink);
      int code = generate(run, "127.0.0.1:" + sink.httpPort(), "--protocol", "http/json", "--compression", "gzip",
          "--rate", "1000", "--duration", "5s", "--traces", "40", "--trace-spread", "300ms", "--connections", "2");
      assertEquals(0, code);
      Verdict v = verdict.get(15, TimeUnit.SECONDS);
      assertTrue(v.pass(), v.text());
      assertEquals(40, v.keptTraces, "--traces stops the run before --duration");
    }
  }

  @Test
  @Timeout(20)
  void aSpanDroppedOnTheWayFailsTheVerdict() throws Exception {
    Path run = dir.resolve("drop");
    Vertx vertx = Vertx.vertx();
    try (Sink sink = Sink.start(sinkOptions(run), System.out)) {
      OtlpTraceSender forward = new OtlpTraceSender(vertx, new OtlpClientConfig("127.0.0.1:" + sink.grpcPort(),
          OtlpClientConfig.Tls.PLAINTEXT, false, Map.of(), Duration.ofSeconds(5)));
      AtomicBoolean dropped = new AtomicBoolean();
      // A relay that answers OK but loses one span of a trace whose other spans travel with it.
      GrpcServer relay = GrpcServer.server(vertx, new GrpcServerOptions().setMaxMessageSize(64 << 20));
      relay.callHandler(SinkServer.TRACE_EXPORT, req -> req.last().onSuccess(buf -> {
        byte[] bytes = buf.getBytes();
        try {
          TraceRequestIndex idx = new TraceRequestIndex().index(bytes);
          int victim = dropped.get() ? -1 : spanWithSibling(idx);
          byte[] out = bytes;
          int spans = idx.spanCount();
          if (victim >= 0 && dropped.compareAndSet(false, true)) {
            out = TraceRequestWriter.select(idx, i -> i != victim);
            spans--;
          }
          forward.send(new TraceData(out, spans)).onComplete(ar -> req.response().send(Buffer.buffer()));
        } catch (Exception e) {
          req.response().status(io.vertx.grpc.common.GrpcStatus.INTERNAL).end();
        }
      }));
      HttpServer server = vertx.createHttpServer().requestHandler(relay).listen(0, "127.0.0.1")
          .toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);

      CompletableFuture<Verdict> verdict = judge(sink);
      int code = generate(run, "127.0.0.1:" + server.actualPort(), "--rate", "1000", "--duration", "1s",
          "--trace-spread", "200ms", "--spans-per-trace", "4..8");
      assertEquals(0, code, "the relay answered OK to everything");
      Verdict v = verdict.get(15, TimeUnit.SECONDS);
      assertTrue(dropped.get());
      assertFalse(v.pass(), v.text());
      assertEquals(1, v.spansLost, v.text());
      assertEquals(v.keptTraces - 1, v.completeTraces);
      assertFalse(v.criteria.stream().filter(c -> c.name().equals("kept traces complete")).findFirst().get().pass());
      assertTrue(v.criteria.stream().filter(c -> !c.name().equals("kept traces complete")).allMatch(Verdict.Criterion::pass),
          v.text());
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
  }

  /** A span whose trace has another span in the same request, or -1. */
  private static int spanWithSibling(TraceRequestIndex idx) {
    for (int i = 0; i < idx.spanCount(); i++) {
      for (int j = 0; j < idx.spanCount(); j++) {
        if (i != j && idx.traceIdHigh(i) == idx.traceIdHigh(j) && idx.traceIdLow(i) == idx.traceIdLow(j)) {
          return i;
        }
      }
    }
    return -1;
  }
}

package io.tailshard.common.exporter.otlphttp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailshard.common.component.Component;
import io.tailshard.common.component.ComponentId;
import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.Host;
import io.tailshard.common.component.MetricsData;
import io.tailshard.common.component.MetricsExporter;
import io.tailshard.common.component.RefusedException;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.component.TracesExporter;
import io.tailshard.common.config.ConfigException;
import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.exporter.SendResult;
import io.tailshard.common.receiver.otlp.OtlpReceiverFactory;
import io.tailshard.common.telemetry.Telemetry;
import io.tailshard.common.testing.Await;
import io.tailshard.common.testing.RandomTraces;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The otlphttp exporter against the product's own OTLP receiver on its HTTP side, and a bare HTTP server. */
class OtlpHttpExporterTest {
  private final Vertx vertx = Vertx.vertx();
  private final Telemetry telemetry = Telemetry.forTests("otlphttp-test");
  private final List<Component> started = new ArrayList<>();
  /** What the receiver's pipeline got, and what it should answer next. */
  private final List<TraceData> received = new CopyOnWriteArrayList<>();
  private final List<Long> arrivals = new CopyOnWriteArrayList<>();
  private volatile Function<TraceData, Future<Void>> answer = d -> Future.succeededFuture();

  @AfterEach
  void stop() throws Exception {
    Collections.reverse(started);
    for (Component c : started) {
      Await.result(c.shutdown());
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  /** The OTLP receiver, HTTP only, on a free port; returns its base URL. */
  private String receiver() throws Exception {
    int port = freePort();
    OtlpReceiverFactory factory = new OtlpReceiverFactory();
    var config = factory.parseConfig(new ConfigLoader(n -> null)
        .parse("r.yaml", "protocols:\n  http:\n    endpoint: 127.0.0.1:" + port + "\n").asMap());
    Component r = factory.createTracesReceiver(new ComponentSettings(ComponentId.of("otlp"), ComponentKind.RECEIVER,
        vertx, Telemetry.forTests("receiver"), Host.empty()), config, data -> {
          arrivals.add(System.nanoTime());
          received.add(data);
          return answer.apply(data);
        });
    Await.result(r.start());
    started.add(r);
    return "http://127.0.0.1:" + port;
  }

  private TracesExporter exporter(String yaml) {
    OtlpHttpExporterFactory factory = new OtlpHttpExporterFactory();
    OtlpHttpExporterConfig config = factory.parseConfig(new ConfigLoader(n -> null).parse("e.yaml", yaml).asMap());
    TracesExporter e = factory.createTracesExporter(new ComponentSettings(ComponentId.of("otlphttp"),
        ComponentKind.EXPORTER, vertx, telemetry, Host.empty()), config);
    Await.result(e.start());
    started.add(e);
    return e;
  }

  private double metric(String name) {
    return telemetry.metrics().sum(name);
  }

  private static TraceData data(ExportTraceServiceRequest r) {
    int spans = r.getResourceSpansList().stream().flatMap(rs -> rs.getScopeSpansList().stream())
        .mapToInt(ScopeSpans::getSpansCount).sum();
    return new TraceData(r.toByteArray(), spans);
  }

  private static void eventually(String what, java.util.function.BooleanSupplier ok) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!ok.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  @Test
  void protobufAndJsonWithEachCompressionArriveIntact() throws Exception {
    String url = receiver();
    RandomTraces random = new RandomTraces(3);
    String[] variants = {"", "encoding: json", "compression: zlib", "compression: deflate",
        "compression: none\nencoding: json", "encoding: json\ncompression: gzip"};
    for (String v : variants) {
      TracesExporter e = exporter("endpoint: " + url + "\nsending_queue: {enabled: false}\n" + v);
      for (int i = 0; i < 5; i++) {
        ExportTraceServiceRequest req = random.request(2, 2, 20);
        received.clear();
        Await.result(e.consumeTraces(data(req)));
        assertEquals(1, received.size(), v);
        TraceData got = received.get(0);
        assertEquals(req, ExportTraceServiceRequest.parseFrom(got.toByteArray()), "variant '" + v + "'");
      }
    }
  }

  @Test
  void a503WithRetryAfterIsRetriedNoSoonerThanTheServerAsked() throws Exception {
    String url = receiver();
    AtomicInteger calls = new AtomicInteger();
    // The receiver turns a retryable refusal into 503 with Retry-After in whole seconds.
    answer = d -> calls.incrementAndGet() == 1
        ? Future.failedFuture(RefusedException.retryable("busy", Duration.ofSeconds(2)))
        : Future.succeededFuture();
    TracesExporter e = exporter("endpoint: " + url + "\nsending_queue: {enabled: false}\n"
        + "retry_on_failure: {initial_interval: 50ms, max_interval: 100ms}");
    Await.result(e.consumeTraces(data(new RandomTraces(1).request(1, 1, 5))));
    assertEquals(2, arrivals.size());
    long gapMillis = TimeUnit.NANOSECONDS.toMillis(arrivals.get(1) - arrivals.get(0));
    assertTrue(gapMillis >= 1900, "retried after " + gapMillis + " ms, not after Retry-After: 2");
  }

  @Test
  void a400IsPermanentNotRetriedAndCountedAsFailed() throws Exception {
    String url = receiver();
    answer = d -> Future.failedFuture(RefusedException.permanent("never"));
    TracesExporter e = exporter("endpoint: " + url + "\nretry_on_failure: {initial_interval: 10ms}");
    TraceData d = data(new RandomTraces(2).request(1, 1, 5));
    Await.result(e.consumeTraces(d));
    eventually("the batch counted as failed", () -> metric("otelcol_exporter_send_failed_spans") == d.spanCount());
    Thread.sleep(300);
    assertEquals(1, received.size(), "no retry after 400");
    assertEquals(0, metric("otelcol_exporter_sent_spans"));
  }

  @Test
  void aPartialSuccessCountsTheRejectedSpansAsFailedWithoutRetry() throws Exception {
    String url = receiver();
    Span good = Span.newBuilder().setTraceId(com.google.protobuf.ByteString.copyFrom(new byte[16]))
        .setSpanId(com.google.protobuf.ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8})).setName("zero id").build();
    byte[] id = new byte[16];
    id[15] = 7;
    ExportTraceServiceRequest req = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .addScopeSpans(ScopeSpans.newBuilder()
            .addSpans(good)
            .addSpans(good.toBuilder().setTraceId(com.google.protobuf.ByteString.copyFrom(id)).setName("ok"))
            .addSpans(good.toBuilder().setTraceId(com.google.protobuf.ByteString.copyFrom(id)).setName("ok too"))))
        .build();
    for (String encoding : new String[] {"proto", "json"}) {
      double sent0 = metric("otelcol_exporter_sent_spans");
      double failed0 = metric("otelcol_exporter_send_failed_spans");
      TracesExporter e = exporter("endpoint: " + url + "\nencoding: " + encoding + "\nsending_queue: {enabled: false}");
      Await.result(e.consumeTraces(data(req)));
      assertEquals(sent0 + 2, metric("otelcol_exporter_sent_spans"), encoding);
      assertEquals(failed0 + 1, metric("otelcol_exporter_send_failed_spans"), encoding);
      Await.result(e.shutdown());
    }
  }

  @Test
  void tracesEndpointHeadersAndContentHeadersAreSent() throws Exception {
    int port = freePort();
    List<String> seen = new CopyOnWriteArrayList<>();
    HttpServer server = vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      MultiMap h = req.headers();
      seen.add(req.method() + " " + req.path() + " ct=" + h.get("Content-Type") + " ce=" + h.get("Content-Encoding")
          + " key=" + h.get("x-api-key") + " ua=" + h.get("User-Agent"));
      req.response().setStatusCode(200).putHeader("Content-Type", "application/x-protobuf").end();
    }));
    Await.result(server.listen(port, "127.0.0.1"));
    try {
      TracesExporter e = exporter("endpoint: http://127.0.0.1:1\ntraces_endpoint: http://127.0.0.1:" + port
          + "/custom/traces\nheaders: {x-api-key: secret}\nsending_queue: {enabled: false}");
      Await.result(e.consumeTraces(data(new RandomTraces(4).request(1, 1, 3))));
      assertEquals(1, seen.size());
      String s = seen.get(0);
      assertTrue(s.startsWith("POST /custom/traces ct=application/x-protobuf ce=gzip key=secret ua=tailshard/"), s);
    } finally {
      Await.result(server.close());
    }
  }

  @Test
  void aMetricsPipelinePostsToMetricsEndpointInEitherEncoding() throws Exception {
    int port = freePort();
    List<String> paths = new CopyOnWriteArrayList<>();
    List<ExportMetricsServiceRequest> bodies = new CopyOnWriteArrayList<>();
    HttpServer server = vertx.createHttpServer(new io.vertx.core.http.HttpServerOptions().setDecompressionSupported(true))
        .requestHandler(req -> req.body().onSuccess(b -> {
          paths.add(req.path());
          try {
            ExportMetricsServiceRequest.Builder m = ExportMetricsServiceRequest.newBuilder();
            if (req.getHeader("Content-Type").equals("application/json")) {
              JsonFormat.parser().merge(b.toString(), m);
            } else {
              m.mergeFrom(b.getBytes());
            }
            bodies.add(m.build());
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
          req.response().setStatusCode(200).end();
        }));
    Await.result(server.listen(port, "127.0.0.1"));
    try {
      ExportMetricsServiceRequest req = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
          .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName("calls").setSum(Sum.newBuilder()
              .addDataPoints(NumberDataPoint.newBuilder().setAsInt(3))
              .addDataPoints(NumberDataPoint.newBuilder().setAsInt(4))))))
          .build();
      OtlpHttpExporterFactory f = new OtlpHttpExporterFactory();
      for (String extra : new String[] {"", "\nencoding: json"}) {
        OtlpHttpExporterConfig c = f.parseConfig(new ConfigLoader(n -> null)
            .parse("e.yaml", "endpoint: http://127.0.0.1:" + port + extra).asMap());
        MetricsExporter e = f.createMetricsExporter(new ComponentSettings(ComponentId.of("otlphttp"),
            ComponentKind.EXPORTER, vertx, telemetry, Host.empty()), c);
        Await.result(e.start());
        Await.result(e.consumeMetrics(new MetricsData(req)));
        eventually("the metrics sent", () -> bodies.size() == (extra.isEmpty() ? 1 : 2));
        Await.result(e.shutdown());
      }
      assertEquals(List.of("/v1/metrics", "/v1/metrics"), paths);
      assertEquals(List.of(req, req), bodies);
      assertEquals(4, (long) metric("otelcol_exporter_sent_metric_points"));
      OtlpHttpExporterConfig onlyTraces = f.parseConfig(new ConfigLoader(n -> null)
          .parse("e.yaml", "traces_endpoint: http://127.0.0.1:" + port + "/v1/traces").asMap());
      assertTrue(assertThrows(ConfigException.class, () -> f.createMetricsExporter(new ComponentSettings(
          ComponentId.of("otlphttp"), ComponentKind.EXPORTER, vertx, telemetry, Host.empty()), onlyTraces))
          .getMessage().contains("metrics_endpoint"));
    } finally {
      Await.result(server.close());
    }
  }

  @Test
  void aServerThatNeverAnswersIsATimeoutAndRetryable() throws Exception {
    int port = freePort();
    HttpServer server = vertx.createHttpServer().requestHandler(req -> { });
    Await.result(server.listen(port, "127.0.0.1"));
    try {
      OtlpHttpExporterConfig c = new OtlpHttpExporterFactory().parseConfig(new ConfigLoader(n -> null)
          .parse("e.yaml", "endpoint: http://127.0.0.1:" + port + "\ntimeout: 300ms").asMap());
      OtlpHttpSender sender = new OtlpHttpSender(vertx, c);
      long t0 = System.nanoTime();
      SendResult r = Await.result(sender.send(data(new RandomTraces(4).request(1, 1, 3))));
      assertEquals(SendResult.Outcome.RETRYABLE, r.outcome(), r.message());
      assertTrue(r.message().contains("no answer within 300ms"), r.message());
      assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
      Await.result(sender.closeAsync());
    } finally {
      Await.result(server.close());
    }
  }

  @Test
  void statusCodesAreClassifiedAsTheSpecificationSays() {
    OtlpHttpExporterConfig c = new OtlpHttpExporterFactory().parseConfig(new ConfigLoader(n -> null)
        .parse("e.yaml", "endpoint: http://127.0.0.1:4318").asMap());
    OtlpHttpSender sender = new OtlpHttpSender(vertx, c);
    MultiMap none = MultiMap.caseInsensitiveMultiMap();
    for (int code : new int[] {429, 502, 503, 504}) {
      assertEquals(SendResult.Outcome.RETRYABLE, sender.classify(code, none, Buffer.buffer()).outcome(), "" + code);
    }
    for (int code : new int[] {400, 401, 403, 404, 413, 500, 501}) {
      assertEquals(SendResult.Outcome.PERMANENT, sender.classify(code, none, Buffer.buffer()).outcome(), "" + code);
    }
    assertEquals(SendResult.Outcome.SENT, sender.classify(204, none, null).outcome());
    // google.rpc.Status{code=3, message="bad span"} as protobuf: the message ends up in the log line.
    Buffer status = Buffer.buffer(new byte[] {0x08, 0x03, 0x12, 0x08, 'b', 'a', 'd', ' ', 's', 'p', 'a', 'n'});
    assertTrue(sender.classify(400, none, status).message().endsWith("HTTP 400: bad span"));
    MultiMap json = MultiMap.caseInsensitiveMultiMap().add("Content-Type", "application/json");
    assertTrue(sender.classify(400, json, Buffer.buffer("{\"code\":3,\"message\":\"bad json\"}")).message().endsWith(": bad json"));
    assertEquals(Duration.ofSeconds(7), sender.classify(429, MultiMap.caseInsensitiveMultiMap().add("Retry-After", "7"),
        Buffer.buffer()).retryAfter());
    sender.closeAsync();
  }

  @Test
  void retryAfterIsReadAsSecondsOrAnHttpDate() {
    assertEquals(Duration.ofSeconds(3), OtlpHttpSender.retryAfter("3"));
    assertEquals(Duration.ZERO, OtlpHttpSender.retryAfter(null));
    assertEquals(Duration.ZERO, OtlpHttpSender.retryAfter("soon"));
    String inTenSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now().plusSeconds(10));
    Duration d = OtlpHttpSender.retryAfter(inTenSeconds);
    assertTrue(d.compareTo(Duration.ofSeconds(8)) >= 0 && d.compareTo(Duration.ofSeconds(10)) <= 0, d.toString());
  }

  @Test
  void configComposesTheUrlAndNamesBadKeys() {
    OtlpHttpExporterFactory f = new OtlpHttpExporterFactory();
    Function<String, OtlpHttpExporterConfig> parse = y -> f.parseConfig(new ConfigLoader(n -> null).parse("e.yaml", y).asMap());
    assertEquals("https://b.example:4318/v1/traces", parse.apply("endpoint: https://b.example:4318").tracesUrl().toString());
    assertEquals("https://b.example/base/v1/traces", parse.apply("endpoint: https://b.example/base/").tracesUrl().toString());
    OtlpHttpExporterConfig d = parse.apply("endpoint: http://b:4318");
    assertEquals(OtlpHttpExporterConfig.Compression.GZIP, d.compression());
    assertEquals(OtlpHttpExporterConfig.Encoding.PROTO, d.encoding());
    assertEquals(Duration.ofSeconds(30), d.timeout());
    assertTrue(d.tls().insecure(), "http:// is plaintext");
    assertTrue(d.queue().enabled());
    assertTrue(assertThrows(ConfigException.class, () -> parse.apply("timeout: 1s")).getMessage().contains("endpoint"));
    assertTrue(assertThrows(ConfigException.class, () -> parse.apply("endpoint: b:4318")).getMessage().contains("http://"));
    assertTrue(assertThrows(ConfigException.class, () -> parse.apply("endpoint: http://b\ncompression: zstd"))
        .getMessage().contains("compression"));
    assertTrue(assertThrows(ConfigException.class, () -> parse.apply("endpoint: http://b\nencoding: xml"))
        .getMessage().contains("encoding"));
    assertTrue(assertThrows(ConfigException.class, () -> parse.apply("endpoint: http://b\nproxy_url: http://p"))
        .getMessage().contains("proxy_url"));
    assertTrue(assertThrows(ConfigException.class, () -> parse.apply("endpoint: http://b\nendpoitn: x"))
        .getMessage().contains("endpoitn"));
    OtlpHttpExporterConfig both = parse.apply("endpoint: http://b\nwrite_buffer_size: 524288\nmetrics_endpoint: http://m/x");
    assertEquals("http://b/v1/traces", both.tracesUrl().toString());
    assertEquals("http://m/x", both.metricsUrl().toString());
  }

  @Test
  void aPersistentQueueWithoutAStorageExtensionIsAConfigErrorNamingTheKey() {
    OtlpHttpExporterFactory f = new OtlpHttpExporterFactory();
    OtlpHttpExporterConfig c = f.parseConfig(new ConfigLoader(n -> null)
        .parse("e.yaml", "endpoint: http://b\nsending_queue: {storage: rocksdb}").asMap());
    ConfigException e = assertThrows(ConfigException.class, () -> f.createTracesExporter(new ComponentSettings(
        ComponentId.of("otlphttp"), ComponentKind.EXPORTER, vertx, telemetry, Host.empty()), c));
    assertTrue(e.getMessage().contains("exporters.otlphttp.sending_queue.storage"), e.getMessage());
    assertTrue(e.getMessage().contains("lb-tier keeps no state"), e.getMessage());
  }

  @Test
  void shutdownWithoutStartIsSafe() {
    OtlpHttpExporterFactory f = new OtlpHttpExporterFactory();
    OtlpHttpExporterConfig c = f.parseConfig(new ConfigLoader(n -> null).parse("e.yaml", "endpoint: http://b").asMap());
    TracesExporter e = f.createTracesExporter(new ComponentSettings(ComponentId.of("otlphttp"), ComponentKind.EXPORTER,
        vertx, telemetry, Host.empty()), c);
    Await.result(e.shutdown());
    Await.result(e.shutdown());
    assertTrue(Await.failure(e.consumeTraces(new TraceData(new byte[0], 0))) instanceof RefusedException);
  }
}

package io.tailshard.common.receiver.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** OTLP/HTTP through the JDK's HTTP client: protobuf and JSON, every refusal, CORS. */
@Timeout(60)
class OtlpHttpReceiverTest {
  private static final String PROTOBUF = "application/x-protobuf";
  private static final String JSON = "application/json";
  private static Vertx vertx;
  private static HttpClient http;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static HttpRequest.Builder post(ReceiverFixture f, String path, String contentType) {
    return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + f.receiver.httpPort() + path))
        .timeout(Duration.ofSeconds(20))
        .header("Content-Type", contentType);
  }

  private static HttpResponse<byte[]> send(HttpRequest req) throws Exception {
    return http.send(req, HttpResponse.BodyHandlers.ofByteArray());
  }

  private static HttpResponse<byte[]> post(ReceiverFixture f, String contentType, byte[] body) throws Exception {
    return send(post(f, "/v1/traces", contentType).POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
  }

  /** Writes {@code request} on a new connection and returns the first bytes of the answer. */
  private static String rawExchange(int port, String request) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      byte[] buf = new byte[4096];
      int n = socket.getInputStream().read(buf);
      return n < 0 ? "" : new String(buf, 0, n, StandardCharsets.ISO_8859_1);
    }
  }

  /** google.rpc.Status.message from a protobuf error body. */
  private static String statusMessage(byte[] body) throws Exception {
    CodedInputStream in = CodedInputStream.newInstance(body);
    String message = null;
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag == (2 << 3 | 2)) {
        message = in.readStringRequireUtf8();
      } else {
        in.skipField(tag);
      }
    }
    return message;
  }

  static ExportTraceServiceRequest sample() {
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder()
            .setResource(Resource.newBuilder()
                .addAttributes(KeyValue.newBuilder().setKey("service.name").setValue(AnyValue.newBuilder().setStringValue("checkout"))))
            .addScopeSpans(ScopeSpans.newBuilder()
                .setScope(InstrumentationScope.newBuilder().setName("io.example").setVersion("1.2"))
                .addSpans(Span.newBuilder()
                    .setTraceId(ByteString.fromHex("5b8efff798038103d269b633813fc60c"))
                    .setSpanId(ByteString.fromHex("eee19b7ec3c1b174"))
                    .setParentSpanId(ByteString.fromHex("eee19b7ec3c1b173"))
                    .setName("GET /cart")
                    .setKind(Span.SpanKind.SPAN_KIND_SERVER)
                    .setStartTimeUnixNano(1544712660000000000L)
                    .setEndTimeUnixNano(1544712661000000000L)
                    .addAttributes(KeyValue.newBuilder().setKey("http.status_code").setValue(AnyValue.newBuilder().setIntValue(200)))
                    .addAttributes(KeyValue.newBuilder().setKey("ratio").setValue(AnyValue.newBuilder().setDoubleValue(0.5)))
                    .setStatus(Status.newBuilder().setMessage("oops").setCode(Status.StatusCode.STATUS_CODE_ERROR)))))
        .build();
  }

  /** {@link #sample()} as OTLP/JSON: hex ids, int64 as strings, enums as numbers, fields in field-number order. */
  static final String SAMPLE_JSON = String.join("",
      "{\"resourceSpans\":[{",
      "\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"checkout\"}}]},",
      "\"scopeSpans\":[{\"scope\":{\"name\":\"io.example\",\"version\":\"1.2\"},\"spans\":[{",
      "\"traceId\":\"5B8EFFF798038103D269B633813FC60C\",\"spanId\":\"eee19b7ec3c1b174\",",
      "\"parentSpanId\":\"eee19b7ec3c1b173\",\"name\":\"GET /cart\",\"kind\":2,",
      "\"startTimeUnixNano\":\"1544712660000000000\",\"endTimeUnixNano\":1544712661000000000,",
      "\"attributes\":[{\"key\":\"http.status_code\",\"value\":{\"intValue\":\"200\"}},",
      "{\"key\":\"ratio\",\"value\":{\"doubleValue\":0.5}}],",
      "\"status\":{\"message\":\"oops\",\"code\":\"STATUS_CODE_ERROR\"}}]}]}]}");

  @Test
  void protobufRequestsArriveIntactAndGetAProtobufAnswer() throws Exception {
    ExportTraceServiceRequest req = sample();
    try (ReceiverFixture f = ReceiverFixture.start(vertx)) {
      HttpResponse<byte[]> resp = post(f, PROTOBUF, req.toByteArray());
      assertEquals(200, resp.statusCode());
      assertEquals(PROTOBUF, resp.headers().firstValue("Content-Type").orElse(""));
      assertEquals(ExportTraceServiceResponse.getDefaultInstance(), ExportTraceServiceResponse.parseFrom(resp.body()));
      assertEquals(List.of(req), f.consumer.requests());
      assertEquals(1, f.counter(ReceiverMetrics.ACCEPTED_SPANS, "http"));
      assertEquals(1, f.requests("http", Outcome.ACCEPTED));
    }
  }

  @Test
  void jsonWithHexIdsArrivesAsTheSameProtobufTheGeneratedClassesWrite() throws Exception {
    try (ReceiverFixture f = ReceiverFixture.start(vertx)) {
      HttpResponse<byte[]> resp = post(f, JSON + "; charset=utf-8", SAMPLE_JSON.getBytes(StandardCharsets.UTF_8));
      assertEquals(200, resp.statusCode(), new String(resp.body(), StandardCharsets.UTF_8));
      assertEquals(JSON, resp.headers().firstValue("Content-Type").orElse(""));
      assertEquals("{}", new String(resp.body(), StandardCharsets.UTF_8));
      assertEquals(1, f.consumer.received().size());
      assertEquals(ByteString.copyFrom(sample().toByteArray()), ByteString.copyFrom(f.consumer.received().get(0).toByteArray()));
    }
  }

  @Test
  void gzipBodiesAreInflated() throws Exception {
    ExportTraceServiceRequest req = sample();
    try (ReceiverFixture f = ReceiverFixture.start(vertx)) {
      HttpResponse<byte[]> resp = send(post(f, "/v1/traces", JSON).header("Content-Encoding", "gzip")
          .POST(HttpRequest.BodyPublishers.ofByteArray(OtlpGrpcReceiverTest.gzip(SAMPLE_JSON.getBytes(StandardCharsets.UTF_8)))).build());
      assertEquals(200, resp.statusCode());
      resp = send(post(f, "/v1/traces", PROTOBUF).header("Content-Encoding", "gzip")
          .POST(HttpRequest.BodyPublishers.ofByteArray(OtlpGrpcReceiverTest.gzip(req.toByteArray()))).build());
      assertEquals(200, resp.statusCode());
      assertEquals(List.of(req, req), f.consumer.requests());
    }
  }

  @Test
  void invalidTraceIdsAreRejectedThroughPartialSuccessInTheRequestsFormat() throws Exception {
    String json = SAMPLE_JSON.replace("\"spans\":[{", "\"spans\":[{\"traceId\":\"00000000000000000000000000000000\",\"name\":\"zero\"},{");
    try (ReceiverFixture f = ReceiverFixture.start(vertx)) {
      HttpResponse<byte[]> resp = post(f, JSON, json.getBytes(StandardCharsets.UTF_8));
      assertEquals(200, resp.statusCode());
      String body = new String(resp.body(), StandardCharsets.UTF_8);
      assertTrue(body.startsWith("{\"partialSuccess\":{\"rejectedSpans\":\"1\",\"errorMessage\":\"1 of 2 spans rejected"), body);
      assertEquals(List.of(sample()), f.consumer.requests());
      assertEquals(1, f.counter(ReceiverMetrics.REFUSED_SPANS, "http"));
      assertEquals(1, f.counter(ReceiverMetrics.ACCEPTED_SPANS, "http"));

      ExportTraceServiceRequest onlyBad = ExportTraceServiceRequest.newBuilder()
          .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder()
              .addSpans(Span.newBuilder().setName("no id")))).build();
      resp = post(f, PROTOBUF, onlyBad.toByteArray());
      assertEquals(200, resp.statusCode());
      assertEquals(1, ExportTraceServiceResponse.parseFrom(resp.body()).getPartialSuccess().getRejectedSpans());
      assertEquals(1, f.consumer.received().size(), "a request with no valid span is not passed on");
    }
  }

  @Test
  void malformedBodiesAre400WithAStatusInTheRequestsFormat() throws Exception {
    try (ReceiverFixture f = ReceiverFixture.start(vertx)) {
      HttpResponse<byte[]> resp = post(f, PROTOBUF, new byte[] {0x0A, 0x7F, 0x01});
      assertEquals(400, resp.statusCode());
      assertEquals(PROTOBUF, resp.headers().firstValue("Content-Type").orElse(""));
      assertTrue(statusMessage(resp.body()).contains("malformed ExportTraceServiceRequest"), statusMessage(resp.body()));

      resp = post(f, JSON, "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"xyz\"}]}]}]}".getBytes(StandardCharsets.UTF_8));
      assertEquals(400, resp.statusCode());
      String body = new String(resp.body(), StandardCharsets.UTF_8);
      assertTrue(body.startsWith("{\"code\":3,\"message\":\"invalid OTLP/JSON at byte "), body);
      assertTrue(body.contains("traceId"), body);

      assertEquals(400, post(f, JSON, "{\"resourceSpans\":".getBytes(StandardCharsets.UTF_8)).statusCode());
      resp = send(post(f, "/v1/traces", PROTOBUF).header("Content-Encoding", "gzip")
          .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1, 2, 3, 4})).build());
      assertEquals(400, resp.statusCode());
      assertTrue(f.consumer.received().isEmpty());
      assertEquals(4, f.requests("http", Outcome.MALFORMED));
    }
  }

  @Test
  void anUnsupportedContentTypeIs415() throws Exception {
    try (ReceiverFixture f = ReceiverFixture.start(vertx)) {
      HttpResponse<byte[]> resp = post(f, "text/plain", "hello".getBytes(StandardCharsets.UTF_8));
      assertEquals(415, resp.statusCode());
      assertTrue(new String(resp.body(), StandardCharsets.UTF_8).contains("application/x-protobuf"));
      assertEquals(1, f.requests("http", Outcome.UNSUPPORTED_MEDIA_TYPE));
    }
  }

  @Test
  void anUnsupportedContentEncodingIs400() throws Exception {
    try (ReceiverFixture f = ReceiverFixture.start(vertx)) {
      HttpResponse<byte[]> resp = send(post(f, "/v1/traces", PROTOBUF).header("Content-Encoding", "br")
          .POST(HttpRequest.BodyPublishers.ofByteArray(sample().toByteArray())).build());
      assertEquals(400, resp.statusCode());
      assertTrue(statusMessage(resp.body()).contains("Content-Encoding"));
      assertEquals(1, f.requests("http", Outcome.UNSUPPORTED_ENCODING));
    }
  }

  @Test
  void bodiesOverTheLimitAre413DeclaredStreamedOrInflated() throws Exception {
    String yaml = "protocols:\n  http:\n    endpoint: 127.0.0.1:0\n    max_request_body_size: 1MiB\n";
    byte[] big = new byte[(1 << 20) + 1];
    try (ReceiverFixture f = ReceiverFixture.start(vertx, yaml)) {
      // Content-Length over the limit: refused before the body is stored.
      HttpResponse<byte[]> resp = post(f, PROTOBUF, big);
      assertEquals(413, resp.statusCode());
      assertTrue(statusMessage(resp.body()).contains("larger than the limit"), statusMessage(resp.body()));
      // Chunked, no length announced: refused when the limit is crossed.
      resp = send(post(f, "/v1/traces", PROTOBUF)
          .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big))).build());
      assertEquals(413, resp.statusCode());
      // 64 MiB of zeros in about 64 KiB of gzip.
      resp = send(post(f, "/v1/traces", PROTOBUF).header("Content-Encoding", "gzip")
          .POST(HttpRequest.BodyPublishers.ofByteArray(OtlpGrpcReceiverTest.gzipOfZeros(64L << 20))).build());
      assertEquals(413, resp.statusCode());
      // A sender waiting for 100 Continue is answered at once, without sending its body. (Over a
      // raw socket: the JDK 17 client waits forever when the answer to Expect is not 100.)
      String head = rawExchange(f.receiver.httpPort(), "POST /v1/traces HTTP/1.1\r\nHost: t\r\n"
          + "Content-Type: application/x-protobuf\r\nContent-Length: " + big.length + "\r\nExpect: 100-continue\r\n\r\n");
      assertTrue(head.startsWith("HTTP/1.1 413 "), head);
      assertTrue(head.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), head);
      assertEquals(4, f.requests("http", Outcome.TOO_LARGE));
      // The connection is still usable and a body at the limit passes the size check.
      assertEquals(200, post(f, PROTOBUF, sample().toByteArray()).statusCode());
      assertTrue(f.consumer.received().size() == 1);
    }
  }

  @Test
  void aRetryableRefusalIs503WithRetryAfter() throws Exception {
    try (ReceiverFixture f = ReceiverFixture.start(vertx)) {
      f.consumer.mode(RecordingConsumer.Mode.REFUSE_RETRYABLE);
      HttpResponse<byte[]> resp = post(f, PROTOBUF, sample().toByteArray());
      assertEquals(503, resp.statusCode());
      assertEquals("7", resp.headers().firstValue("Retry-After").orElse(""));
      assertTrue(statusMessage(resp.body()).contains("store is full"));
      assertEquals(1, f.counter(ReceiverMetrics.REFUSED_SPANS, "http"));

      f.consumer.mode(RecordingConsumer.Mode.REFUSE_PERMANENT);
      resp = post(f, JSON, SAMPLE_JSON.getBytes(StandardCharsets.UTF_8));
      assertEquals(400, resp.statusCode());
      assertFalse(resp.headers().firstValue("Retry-After").isPresent());
      assertEquals(2, f.counter(ReceiverMetrics.REFUSED_SPANS, "http"));
    }
  }

  @Test
  void tooManyRequestsInFlightIs503() throws Exception {
    String yaml = "protocols:\n  http:\n    endpoint: 127.0.0.1:0\nmax_in_flight_requests: 1\n";
    try (ReceiverFixture f = ReceiverFixture.start(vertx, yaml)) {
      f.consumer.mode(RecordingConsumer.Mode.HOLD);
      CompletableFuture<HttpResponse<byte[]>> first = http.sendAsync(
          post(f, "/v1/traces", PROTOBUF).POST(HttpRequest.BodyPublishers.ofByteArray(sample().toByteArray())).build(),
          HttpResponse.BodyHandlers.ofByteArray());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (f.consumer.received().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      HttpResponse<byte[]> second = post(f, PROTOBUF, sample().toByteArray());
      assertEquals(503, second.statusCode());
      assertEquals("1", second.headers().firstValue("Retry-After").orElse(""));
      assertEquals(1, f.requests("http", Outcome.OVERLOADED));
      assertFalse(first.isDone(), "no answer before the pipeline answered");
      f.consumer.releaseHeld();
      assertEquals(200, first.get(10, TimeUnit.SECONDS).statusCode());
    }
  }

  @Test
  void otherMethodsAre405AndOtherPaths404() throws Exception {
    try (ReceiverFixture f = ReceiverFixture.start(vertx)) {
      HttpResponse<byte[]> resp = send(post(f, "/v1/traces", PROTOBUF).GET().build());
      assertEquals(405, resp.statusCode());
      assertEquals("POST", resp.headers().firstValue("Allow").orElse(""));
      resp = send(post(f, "/v1/traces", PROTOBUF).PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[0])).build());
      assertEquals(405, resp.statusCode());
      resp = postSampleTo(f, "/v1/metrics");
      assertEquals(404, resp.statusCode());
      resp = send(post(f, "/v1/traces/", PROTOBUF).POST(HttpRequest.BodyPublishers.ofByteArray(new byte[0])).build());
      assertEquals(404, resp.statusCode());
      assertEquals(2, f.requests("http", Outcome.METHOD_NOT_ALLOWED));
      assertEquals(2, f.requests("http", Outcome.NOT_FOUND));
    }
  }

  private static HttpResponse<byte[]> postSampleTo(ReceiverFixture f, String path) throws Exception {
    return send(post(f, path, PROTOBUF).POST(HttpRequest.BodyPublishers.ofByteArray(sample().toByteArray())).build());
  }

  @Test
  void anEmptyBodyIsAnEmptyRequestAndSucceeds() throws Exception {
    try (ReceiverFixture f = ReceiverFixture.start(vertx)) {
      assertEquals(200, post(f, PROTOBUF, new byte[0]).statusCode());
      assertEquals(200, post(f, JSON, "{}".getBytes(StandardCharsets.UTF_8)).statusCode());
      assertTrue(f.consumer.received().isEmpty(), "nothing to pass on");
    }
  }

  @Test
  void corsPreflightsAreAnsweredForAllowedOriginsOnly() throws Exception {
    String yaml = String.join("\n",
        "protocols:",
        "  http:",
        "    endpoint: 127.0.0.1:0",
        "    response_headers:",
        "      X-Node: n1",
        "    cors:",
        "      allowed_origins: ['https://*.example.com', 'http://localhost:3000']",
        "      allowed_headers: ['X-Custom']",
        "      max_age: 600",
        "");
    try (ReceiverFixture f = ReceiverFixture.start(vertx, yaml)) {
      HttpResponse<byte[]> resp = send(post(f, "/v1/traces", PROTOBUF)
          .header("Origin", "https://app.example.com")
          .header("Access-Control-Request-Method", "POST")
          .header("Access-Control-Request-Headers", "content-type, x-custom")
          .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
      assertEquals(204, resp.statusCode());
      assertEquals("https://app.example.com", resp.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
      assertEquals("POST", resp.headers().firstValue("Access-Control-Allow-Methods").orElse(""));
      assertEquals("content-type, x-custom", resp.headers().firstValue("Access-Control-Allow-Headers").orElse(""));
      assertEquals("600", resp.headers().firstValue("Access-Control-Max-Age").orElse(""));

      resp = send(post(f, "/v1/traces", PROTOBUF)
          .header("Origin", "https://evil.test")
          .header("Access-Control-Request-Method", "POST")
          .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
      assertEquals(204, resp.statusCode());
      assertNull(resp.headers().firstValue("Access-Control-Allow-Origin").orElse(null));

      resp = send(post(f, "/v1/traces", PROTOBUF)
          .header("Origin", "http://localhost:3000")
          .header("Access-Control-Request-Method", "POST")
          .header("Access-Control-Request-Headers", "x-not-allowed")
          .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build());
      assertNull(resp.headers().firstValue("Access-Control-Allow-Origin").orElse(null), "a header not allowed fails the preflight");

      resp = send(post(f, "/v1/traces", PROTOBUF).header("Origin", "http://localhost:3000")
          .POST(HttpRequest.BodyPublishers.ofByteArray(sample().toByteArray())).build());
      assertEquals(200, resp.statusCode());
      assertEquals("http://localhost:3000", resp.headers().firstValue("Access-Control-Allow-Origin").orElse(""));
      assertEquals("n1", resp.headers().firstValue("X-Node").orElse(""));
    }
  }

  @Test
  void hexIdsMayBeAnyCase() {
    assertEquals("5b8efff798038103d269b633813fc60c", HexFormat.of().formatHex(sample().getResourceSpans(0).getScopeSpans(0).getSpans(0).getTraceId().toByteArray()));
  }
}

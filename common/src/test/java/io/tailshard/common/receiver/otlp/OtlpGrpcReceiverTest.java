package io.tailshard.common.receiver.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailshard.common.testing.RandomTraces;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** OTLP/gRPC through a raw Vert.x gRPC client: success, partial success and every refusal. */
@Timeout(60)
class OtlpGrpcReceiverTest {
  private static Vertx vertx;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  static ExportTraceServiceRequest request(int spans, long seed) {
    RandomTraces random = new RandomTraces(seed);
    ExportTraceServiceRequest r;
    do {
      r = random.request(3, 3, spans);
    } while (count(r) == 0);
    return r;
  }

  static int count(ExportTraceServiceRequest r) {
    int n = 0;
    for (ResourceSpans rs : r.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        n += ss.getSpansCount();
      }
    }
    return n;
  }

  static Span span(byte[] traceId, String name) {
    Span.Builder b = Span.newBuilder().setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8})).setName(name);
    if (traceId != null) {
      b.setTraceId(ByteString.copyFrom(traceId));
    }
    return b.build();
  }

  static byte[] traceId(int seed) {
    byte[] id = new byte[16];
    for (int i = 0; i < 16; i++) {
      id[i] = (byte) (seed * 31 + i + 1);
    }
    return id;
  }

  static byte[] gzip(byte[] data) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  /** A gzip stream of {@code size} zero bytes, written in pieces so the test holds little. */
  static byte[] gzipOfZeros(long size) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] zeros = new byte[1 << 20];
    try (GZIPOutputStream gz = new GZIPOutputStream(out, 1 << 16)) {
      for (long left = size; left > 0; left -= zeros.length) {
        gz.write(zeros, 0, (int) Math.min(zeros.length, left));
      }
    }
    return out.toByteArray();
  }

  @Test
  void exportedSpansArriveByteForByteAndAreCounted() throws Exception {
    ExportTraceServiceRequest req = request(40, 1);
    try (ReceiverFixture f = ReceiverFixture.start(vertx); GrpcTestClient client = new GrpcTestClient(vertx, f.receiver.grpcPort())) {
      GrpcTestClient.Result r = client.export(req.toByteArray());
      assertEquals(GrpcStatus.OK, r.status());
      assertEquals(ExportTraceServiceResponse.getDefaultInstance(), ExportTraceServiceResponse.parseFrom(r.body().getBytes()));
      assertEquals(List.of(req), f.consumer.requests());
      assertEquals(count(req), f.consumer.received().get(0).spanCount());
      assertEquals(count(req), f.counter(ReceiverMetrics.ACCEPTED_SPANS, "grpc"));
      assertEquals(0, f.counter(ReceiverMetrics.REFUSED_SPANS, "grpc"));
      assertEquals(1, f.requests("grpc", Outcome.ACCEPTED));
    }
  }

  @Test
  void gzipCompressedRequestsAreInflated() throws Exception {
    ExportTraceServiceRequest req = request(40, 2);
    try (ReceiverFixture f = ReceiverFixture.start(vertx); GrpcTestClient client = new GrpcTestClient(vertx, f.receiver.grpcPort())) {
      assertEquals(GrpcStatus.OK, client.export(req.toByteArray(), "gzip").status());
      assertEquals(List.of(req), f.consumer.requests());
    }
  }

  @Test
  void malformedProtobufIsInvalidArgument() throws Exception {
    byte[] garbage = {0x0A, 0x7F, 0x01, 0x02}; // resource_spans claiming 127 bytes, holding 2
    try (ReceiverFixture f = ReceiverFixture.start(vertx); GrpcTestClient client = new GrpcTestClient(vertx, f.receiver.grpcPort())) {
      GrpcTestClient.Result r = client.export(garbage);
      assertEquals(GrpcStatus.INVALID_ARGUMENT, r.status());
      assertTrue(r.message().contains("malformed ExportTraceServiceRequest"), r.message());
      assertTrue(f.consumer.received().isEmpty());
      assertEquals(1, f.requests("grpc", Outcome.MALFORMED));
    }
  }

  @Test
  void aMessageOverMaxRecvMsgSizeIsResourceExhausted() throws Exception {
    String yaml = "protocols:\n  grpc:\n    endpoint: 127.0.0.1:0\n    max_recv_msg_size_mib: 1\n";
    ExportTraceServiceRequest big = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder()
            .addSpans(span(traceId(1), "x".repeat((1 << 20) + 10)))))
        .build();
    try (ReceiverFixture f = ReceiverFixture.start(vertx, yaml); GrpcTestClient client = new GrpcTestClient(vertx, f.receiver.grpcPort())) {
      GrpcTestClient.Result r = client.export(big.toByteArray());
      assertEquals(GrpcStatus.RESOURCE_EXHAUSTED, r.status());
      assertTrue(r.message().contains("max_recv_msg_size_mib"), r.message());
      assertEquals(1, f.requests("grpc", Outcome.TOO_LARGE));
      // The limit is raised from Vert.x's default: a 3 MiB message is fine under the default 4 MiB.
    }
    try (ReceiverFixture f = ReceiverFixture.start(vertx, "protocols:\n  grpc:\n    endpoint: 127.0.0.1:0\n");
        GrpcTestClient client = new GrpcTestClient(vertx, f.receiver.grpcPort())) {
      ExportTraceServiceRequest threeMib = ExportTraceServiceRequest.newBuilder()
          .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder()
              .addSpans(span(traceId(1), "y".repeat(3 << 20)))))
          .build();
      assertEquals(GrpcStatus.OK, client.export(threeMib.toByteArray()).status());
      assertEquals(1, f.consumer.spanCount());
    }
  }

  @Test
  void refusedCallsDoNotLeaveStreamsOpenOnTheConnection() throws Exception {
    // Two streams per connection: if a refused call whose message was not read kept its stream
    // open, the third call on the connection would wait forever.
    String yaml = "protocols:\n  grpc:\n    endpoint: 127.0.0.1:0\n    max_recv_msg_size_mib: 1\n    max_concurrent_streams: 2\n";
    byte[] oversize = new byte[(2 << 20)];
    try (ReceiverFixture f = ReceiverFixture.start(vertx, yaml); GrpcTestClient client = new GrpcTestClient(vertx, f.receiver.grpcPort())) {
      for (int i = 0; i < 5; i++) {
        assertEquals(GrpcStatus.RESOURCE_EXHAUSTED, client.export(oversize).status());
      }
      assertEquals(GrpcStatus.OK, client.export(request(5, 9).toByteArray()).status());
    }
  }

  @Test
  void aGzipBombIsResourceExhaustedWhileInflating() throws Exception {
    String yaml = "protocols:\n  grpc:\n    endpoint: 127.0.0.1:0\n    max_recv_msg_size_mib: 1\n";
    byte[] bomb = gzipOfZeros(64L << 20); // 64 MiB of zeros in about 64 KiB
    assertTrue(bomb.length < (1 << 20));
    try (ReceiverFixture f = ReceiverFixture.start(vertx, yaml); GrpcTestClient client = new GrpcTestClient(vertx, f.receiver.grpcPort())) {
      GrpcTestClient.Result r = client.exportPrecompressed(bomb, "gzip");
      assertEquals(GrpcStatus.RESOURCE_EXHAUSTED, r.status());
      assertTrue(r.message().contains("larger than the limit"), r.message());
      assertTrue(f.consumer.received().isEmpty());
      assertEquals(1, f.requests("grpc", Outcome.TOO_LARGE));
    }
  }

  @Test
  void aRetryableRefusalIsUnavailableWithRetryInfo() throws Exception {
    ExportTraceServiceRequest req = request(10, 3);
    try (ReceiverFixture f = ReceiverFixture.start(vertx); GrpcTestClient client = new GrpcTestClient(vertx, f.receiver.grpcPort())) {
      f.consumer.mode(RecordingConsumer.Mode.REFUSE_RETRYABLE);
      GrpcTestClient.Result r = client.export(req.toByteArray());
      assertEquals(GrpcStatus.UNAVAILABLE, r.status());
      assertTrue(r.message().contains("store is full"), r.message());
      String details = r.trailers().get(GrpcIngestVerticle.STATUS_DETAILS);
      assertNotNull(details, "RetryInfo is sent in grpc-status-details-bin");
      byte[] status = Base64.getDecoder().decode(details);
      assertEquals(retryInfoStatus(14, r.message(), RecordingConsumer.RETRY_AFTER.toSeconds()), com.google.protobuf.ByteString.copyFrom(status));
      assertEquals(count(req), f.counter(ReceiverMetrics.REFUSED_SPANS, "grpc"));
      assertEquals(0, f.counter(ReceiverMetrics.ACCEPTED_SPANS, "grpc"));
      assertEquals(1, f.requests("grpc", Outcome.REFUSED));

      f.consumer.mode(RecordingConsumer.Mode.REFUSE_PERMANENT);
      assertEquals(GrpcStatus.INVALID_ARGUMENT, client.export(req.toByteArray()).status());
      assertEquals(2L * count(req), f.counter(ReceiverMetrics.REFUSED_SPANS, "grpc"));
    }
  }

  /** google.rpc.Status{code, message, details:[Any{RetryInfo{retry_delay{seconds}}}]} via the generated Any/Duration. */
  private static ByteString retryInfoStatus(int code, String message, long seconds) {
    ByteString retryInfo = ByteString.copyFrom(new byte[] {0x0A, 0x02, 0x08, (byte) seconds});
    com.google.protobuf.Any any = com.google.protobuf.Any.newBuilder()
        .setTypeUrl("type.googleapis.com/google.rpc.RetryInfo").setValue(retryInfo).build();
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try {
      com.google.protobuf.CodedOutputStream c = com.google.protobuf.CodedOutputStream.newInstance(out);
      c.writeInt32(1, code);
      c.writeString(2, message);
      c.writeMessage(3, any);
      c.flush();
    } catch (java.io.IOException e) {
      throw new AssertionError(e);
    }
    return ByteString.copyFrom(out.toByteArray());
  }

  @Test
  void spansWithInvalidTraceIdsAreRejectedThroughPartialSuccess() throws Exception {
    ExportTraceServiceRequest req = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder()
            .addSpans(span(traceId(1), "good-1"))
            .addSpans(span(null, "no-trace-id"))
            .addSpans(span(new byte[16], "all-zero"))
            .addSpans(span(new byte[8], "short"))
            .addSpans(span(traceId(2), "good-2"))))
        .build();
    try (ReceiverFixture f = ReceiverFixture.start(vertx); GrpcTestClient client = new GrpcTestClient(vertx, f.receiver.grpcPort())) {
      GrpcTestClient.Result r = client.export(req.toByteArray());
      assertEquals(GrpcStatus.OK, r.status());
      ExportTraceServiceResponse resp = ExportTraceServiceResponse.parseFrom(r.body().getBytes());
      assertEquals(3, resp.getPartialSuccess().getRejectedSpans());
      assertTrue(resp.getPartialSuccess().getErrorMessage().contains("trace_id"), resp.getPartialSuccess().getErrorMessage());
      List<ExportTraceServiceRequest> got = f.consumer.requests();
      assertEquals(1, got.size());
      List<Span> spans = got.get(0).getResourceSpans(0).getScopeSpans(0).getSpansList();
      assertEquals(List.of("good-1", "good-2"), spans.stream().map(Span::getName).toList());
      assertEquals(2, f.counter(ReceiverMetrics.ACCEPTED_SPANS, "grpc"));
      assertEquals(3, f.counter(ReceiverMetrics.REFUSED_SPANS, "grpc"));
      assertEquals(1, f.requests("grpc", Outcome.PARTIAL));
    }
  }

  @Test
  void tooManyRequestsInFlightIsUnavailable() throws Exception {
    String yaml = "protocols:\n  grpc:\n    endpoint: 127.0.0.1:0\nmax_in_flight_requests: 1\n";
    ExportTraceServiceRequest req = request(5, 4);
    try (ReceiverFixture f = ReceiverFixture.start(vertx, yaml); GrpcTestClient client = new GrpcTestClient(vertx, f.receiver.grpcPort())) {
      f.consumer.mode(RecordingConsumer.Mode.HOLD);
      var first = vertx.executeBlocking(() -> client.export(req.toByteArray()));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (f.consumer.received().isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      GrpcTestClient.Result second = client.export(req.toByteArray());
      assertEquals(GrpcStatus.UNAVAILABLE, second.status());
      assertEquals(1, f.requests("grpc", Outcome.OVERLOADED));
      f.consumer.releaseHeld();
      assertEquals(GrpcStatus.OK, first.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).status());
      f.consumer.mode(RecordingConsumer.Mode.ACCEPT);
      assertEquals(GrpcStatus.OK, client.export(req.toByteArray()).status(), "the slot is given back");
    }
  }

  @Test
  void anUnsupportedMessageEncodingIsUnimplemented() throws Exception {
    try (ReceiverFixture f = ReceiverFixture.start(vertx); GrpcTestClient client = new GrpcTestClient(vertx, f.receiver.grpcPort())) {
      GrpcTestClient.Result r = client.exportRaw("snappy", true, new byte[] {1, 2, 3});
      assertEquals(GrpcStatus.UNIMPLEMENTED, r.status());
      assertTrue(r.message().contains("snappy"), r.message());
      assertEquals(1, f.requests("grpc", Outcome.UNSUPPORTED_ENCODING));
      // The same frame uncompressed is read as protobuf (bytes 1, 2, 3 are not a valid request).
      assertEquals(GrpcStatus.INVALID_ARGUMENT, client.exportRaw("snappy", false, new byte[] {1, 2, 3}).status());
    }
  }
}

package io.tailshard.common.exporter.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.exporter.SendResult;
import io.tailshard.common.testing.Await;
import io.tailshard.common.testing.RecordingOtlpSink;
import io.tailshard.common.testing.SpanLedger;
import io.vertx.core.Vertx;
import java.io.ByteArrayInputStream;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The sender gzips trace requests itself (a reused deflater, the level its owner chose) and hands
 * them to the gRPC client already encoded: a real OTLP receiver inflates every level, small and
 * large (incompressible) requests alike.
 */
class OtlpTraceSenderGzipTest {
  private static final int PORT = 24417;
  private Vertx vertx;
  private final SpanLedger ledger = new SpanLedger();
  private RecordingOtlpSink sink;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    sink = new RecordingOtlpSink(vertx, "127.0.0.1", PORT, ledger);
  }

  @AfterEach
  void tearDown() throws Exception {
    sink.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** {@code spans} spans, each with an attribute of {@code randomBytes} random bytes (incompressible). */
  private static TraceData request(long seed, int spans, int randomBytes) {
    Random r = new Random(seed);
    ScopeSpans.Builder ss = ScopeSpans.newBuilder();
    for (int i = 0; i < spans; i++) {
      byte[] trace = new byte[16];
      byte[] span = new byte[8];
      byte[] noise = new byte[randomBytes];
      r.nextBytes(trace);
      r.nextBytes(span);
      r.nextBytes(noise);
      ss.addSpans(Span.newBuilder().setTraceId(ByteString.copyFrom(trace)).setSpanId(ByteString.copyFrom(span))
          .setName("GET /checkout/" + (i % 7))
          .addAttributes(KeyValue.newBuilder().setKey("noise").setValue(AnyValue.newBuilder()
              .setBytesValue(ByteString.copyFrom(noise)))));
    }
    byte[] b = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ss)).build().toByteArray();
    return new TraceData(b, spans);
  }

  private OtlpTraceSender sender(boolean gzip, int level) {
    OtlpClientConfig config = new OtlpClientConfig("127.0.0.1:" + PORT, OtlpClientConfig.Tls.PLAINTEXT, gzip,
        Map.of(), OtlpClientConfig.DEFAULT_TIMEOUT);
    return new OtlpTraceSender(vertx, config, level);
  }

  @Test
  void everyLevelAndSizeArrivesWhole() throws Exception {
    long expected = 0;
    for (int level : new int[] {1, 6, 9}) {
      try (OtlpTraceSender s = sender(true, level)) {
        for (TraceData d : new TraceData[] {request(level, 3, 8), request(level + 100, 4_000, 300)}) {
          SendResult r = Await.result(s.send(d));
          assertTrue(r.sent(), "level " + level + ": " + r);
          expected += d.spanCount();
        }
      }
    }
    try (OtlpTraceSender s = sender(false, 1)) {
      TraceData d = request(7, 50, 16);
      assertTrue(Await.result(s.send(d)).sent());
      expected += d.spanCount();
    }
    assertEquals(expected, ledger.spans());
    assertEquals(expected, ledger.distinctSpans(), "no span lost or repeated");
  }

  @Test
  void theGzipIsStandardGzipOfTheRequest() throws Exception {
    TraceData d = request(3, 2_000, 100);
    for (int level : new int[] {1, 6}) {
      var body = new OtlpTraceSender.Gzip(level).compress(d.array(), d.offset(), d.length());
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body.getBytes()))) {
        assertTrue(java.util.Arrays.equals(d.toByteArray(), in.readAllBytes()), "level " + level);
      }
    }
  }

  @Test
  void aLevelOutsideOneToNineIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> sender(true, 0));
    assertThrows(IllegalArgumentException.class, () -> sender(true, 10));
  }
}

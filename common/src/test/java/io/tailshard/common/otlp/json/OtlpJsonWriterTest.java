package io.tailshard.common.otlp.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailshard.common.receiver.otlp.OtlpJsonTestCodec;
import io.tailshard.common.testing.RandomTraces;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** The OTLP/JSON writer against the receiver's JSON transcoder and the OTLP JSON rules. */
class OtlpJsonWriterTest {
  @Test
  void randomRequestsSurviveJsonAndBackUnchanged() throws Exception {
    RandomTraces random = new RandomTraces(5);
    for (int i = 0; i < 300; i++) {
      ExportTraceServiceRequest req = random.request(3, 3, 8);
      byte[] proto = req.toByteArray();
      byte[] json = OtlpJsonWriter.traces(proto, 0, proto.length);
      byte[] back = OtlpJsonTestCodec.toProto(json, 0, json.length);
      assertEquals(req, ExportTraceServiceRequest.parseFrom(back), new String(json, StandardCharsets.UTF_8));
      // Fields in wire order come back in wire order: the very same bytes.
      assertArrayEquals(proto, back);
    }
  }

  @Test
  void idsAreHexEnumsNumbersAndSixtyFourBitIntegersStrings() throws Exception {
    byte[] traceId = HexFormat.of().parseHex("0102030405060708090a0b0c0d0e0f10");
    byte[] spanId = HexFormat.of().parseHex("a1a2a3a4a5a6a7a8");
    Span span = Span.newBuilder().setTraceId(ByteString.copyFrom(traceId)).setSpanId(ByteString.copyFrom(spanId))
        .setParentSpanId(ByteString.copyFrom(spanId)).setName("GET /").setKind(Span.SpanKind.SPAN_KIND_SERVER)
        .setStartTimeUnixNano(1_700_000_000_123_456_789L).build();
    byte[] proto = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .addScopeSpans(ScopeSpans.newBuilder().addSpans(span))).build().toByteArray();
    String json = new String(OtlpJsonWriter.traces(proto, 0, proto.length), StandardCharsets.UTF_8);
    assertEquals("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"traceId\":\"0102030405060708090a0b0c0d0e0f10\","
        + "\"spanId\":\"a1a2a3a4a5a6a7a8\",\"parentSpanId\":\"a1a2a3a4a5a6a7a8\",\"name\":\"GET /\",\"kind\":2,"
        + "\"startTimeUnixNano\":\"1700000000123456789\"}]}]}]}", json);
    assertTrue(!json.contains("\n"), "one line");
  }

  @Test
  void anEmptyRequestIsAnEmptyObjectAndGarbageIsRefused() throws Exception {
    assertEquals("{}", new String(OtlpJsonWriter.traces(new byte[0], 0, 0), StandardCharsets.UTF_8));
    byte[] garbage = {0x0A, 0x7F, 0x01};
    assertThrows(IOException.class, () -> OtlpJsonWriter.traces(garbage, 0, garbage.length));
  }
}

package io.tailshard.common.receiver.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.protobuf.util.JsonFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailshard.common.testing.RandomTraces;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class JsonTraceTranscoderTest {
  private static final Set<String> ID_KEYS = Set.of("traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id");

  private static byte[] transcode(String json) throws Rejection {
    byte[] in = json.getBytes(StandardCharsets.UTF_8);
    ProtoOutput out = JsonTraceTranscoder.transcode(in, 0, in.length);
    return out.toByteArray();
  }

  private static ExportTraceServiceRequest parse(String json) throws Exception {
    return ExportTraceServiceRequest.parseFrom(transcode(json));
  }

  /** Proto3 JSON as JsonFormat prints it, with the OTLP hex ids (upper case, to check case). */
  private static String otlpJson(ExportTraceServiceRequest r, boolean snakeCase, boolean enumsAsInts) throws Exception {
    JsonFormat.Printer printer = JsonFormat.printer().omittingInsignificantWhitespace();
    if (snakeCase) {
      printer = printer.preservingProtoFieldNames();
    }
    if (enumsAsInts) {
      printer = printer.printingEnumsAsInts();
    }
    JsonObject tree = new JsonObject(printer.print(r));
    hexIds(tree);
    return tree.encode();
  }

  private static void hexIds(Object node) {
    if (node instanceof JsonObject) {
      JsonObject o = (JsonObject) node;
      for (Map.Entry<String, Object> e : o) {
        if (ID_KEYS.contains(e.getKey()) && e.getValue() instanceof String) {
          e.setValue(HexFormat.of().formatHex(Base64.getDecoder().decode((String) e.getValue())).toUpperCase(Locale.ROOT));
        } else {
          hexIds(e.getValue());
        }
      }
    } else if (node instanceof JsonArray) {
      for (Object item : (JsonArray) node) {
        hexIds(item);
      }
    }
  }

  @Test
  void randomRequestsTranscodeToTheBytesTheGeneratedClassesWrite() throws Exception {
    for (long seed = 0; seed < 300; seed++) {
      RandomTraces random = new RandomTraces(seed).invalidTraceIds(0.1);
      ExportTraceServiceRequest r = random.request(3, 3, 8);
      boolean snake = seed % 3 == 1;
      boolean ints = seed % 2 == 0;
      String json = otlpJson(r, snake, ints);
      byte[] got = transcode(json);
      assertEquals(ByteString.copyFrom(r.toByteArray()), ByteString.copyFrom(got), "seed " + seed + ": " + json);
    }
  }

  @Test
  void keysMayComeInAnyOrderAndUnknownKeysAreSkipped() throws Exception {
    ExportTraceServiceRequest r = parse("{\"future\":{\"a\":[1,{\"b\":null}]},\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":["
        + "{\"name\":\"n\",\"kind\":\"SPAN_KIND_CLIENT\",\"unknown\":[[]],\"spanId\":\"0102030405060708\","
        + "\"traceId\":\"0102030405060708090a0b0c0d0e0f10\",\"parentSpanId\":\"\",\"status\":null}]}]}]}");
    Span s = r.getResourceSpans(0).getScopeSpans(0).getSpans(0);
    assertEquals("n", s.getName());
    assertEquals(Span.SpanKind.SPAN_KIND_CLIENT, s.getKind());
    assertEquals(ByteString.fromHex("0102030405060708090a0b0c0d0e0f10"), s.getTraceId());
    assertTrue(s.getParentSpanId().isEmpty());
    assertTrue(!s.hasStatus());
  }

  @Test
  void numbersMayBeStringsOrNumbersInAnyIntegralForm() throws Exception {
    Span s = parse("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"startTimeUnixNano\":\"18446744073709551615\","
        + "\"endTimeUnixNano\":1e3,\"droppedAttributesCount\":\"7\",\"flags\":4294967295,"
        + "\"attributes\":[{\"key\":\"k\",\"value\":{\"intValue\":-5}},{\"key\":\"d\",\"value\":{\"doubleValue\":\"NaN\"}}]}]}]}]}")
        .getResourceSpans(0).getScopeSpans(0).getSpans(0);
    assertEquals(-1L, s.getStartTimeUnixNano(), "2^64-1 unsigned");
    assertEquals(1000, s.getEndTimeUnixNano());
    assertEquals(7, s.getDroppedAttributesCount());
    assertEquals(-1, s.getFlags());
    assertEquals(-5, s.getAttributes(0).getValue().getIntValue());
    assertTrue(Double.isNaN(s.getAttributes(1).getValue().getDoubleValue()));
  }

  @Test
  void anEmptyBodyOrObjectIsAnEmptyRequest() throws Exception {
    assertEquals(0, transcode("").length);
    assertEquals(0, transcode("  {}  ").length);
  }

  private static String refusal(String json) {
    Rejection r = assertThrows(Rejection.class, () -> transcode(json));
    assertEquals(Outcome.MALFORMED, r.outcome());
    return r.getMessage();
  }

  private static String inSpan(String fields) {
    return "{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{" + fields + "}]}]}]}";
  }

  @Test
  void badInputIsRefusedWithWhereAndWhat() {
    assertTrue(refusal("[]").contains("must be a JSON object"));
    assertTrue(refusal("{} {}").contains("after the request object"));
    assertTrue(refusal("{\"resourceSpans\":[").contains("invalid JSON"));
    assertTrue(refusal(inSpan("\"traceId\":\"abc\"")).contains("even number of hex digits"));
    assertTrue(refusal(inSpan("\"traceId\":\"zz\"")).contains("not a hex string"));
    assertTrue(refusal(inSpan("\"name\":5")).contains("'name' must be a string, found a number"));
    assertTrue(refusal(inSpan("\"kind\":\"SPAN_KIND_WRONG\"")).contains("not a value of SpanKind"));
    assertTrue(refusal(inSpan("\"startTimeUnixNano\":-1")).contains("out of range"));
    assertTrue(refusal(inSpan("\"startTimeUnixNano\":\"1.5\"")).contains("not an integer"));
    assertTrue(refusal(inSpan("\"droppedAttributesCount\":4294967296")).contains("out of range"));
    assertTrue(refusal(inSpan("\"attributes\":{}")).contains("must be an array"));
    assertTrue(refusal(inSpan("\"attributes\":[null]")).contains("null in the list"));
    assertTrue(refusal("{\"resourceSpans\":[{\"scopeSpans\":[{\"spans\":[{\"name\":\"x\"}]}]}]").contains("invalid JSON"));
    String msg = refusal(inSpan("\"traceId\":\"abc\""));
    assertTrue(msg.startsWith("invalid OTLP/JSON at byte "), msg);
  }

  @Test
  void nestingDeeperThanTheGeneratedClassesReadIsRefused() {
    StringBuilder deep = new StringBuilder(inSpan("\"attributes\":[{\"key\":\"k\",\"value\":@}]"));
    String value = "{\"intValue\":1}";
    for (int i = 0; i < 60; i++) {
      value = "{\"arrayValue\":{\"values\":[" + value + "]}}";
    }
    assertTrue(refusal(deep.toString().replace("@", value)).contains("nested deeper than"));
  }
}

package io.tailshard.loadtest.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The pre-encoded requests are valid OTLP, checked with the generated classes and the wire index. */
class RequestEncodersTest {
  private static GeneratorOptions options(String... args) throws Exception {
    return GenerateCommand.options(GenerateCommand.commandLine().parse(args));
  }

  private record Batch(TracePlan[] plans, int[] spans, int count) {}

  private static Batch batch(GeneratorOptions o, int traces) {
    TraceFactory f = new TraceFactory(o, new SplittableRandom(3));
    List<TracePlan> plans = new ArrayList<>();
    List<Integer> spans = new ArrayList<>();
    for (int t = 0; t < traces; t++) {
      TracePlan p = f.next();
      p.startUnixNano = 1_763_700_000_000_000_000L + t;
      for (int i = 0; i < p.spanCount; i++) {
        plans.add(p);
        spans.add(i);
      }
    }
    return new Batch(plans.toArray(new TracePlan[0]), spans.stream().mapToInt(Integer::intValue).toArray(), plans.size());
  }

  @Test
  void protobufRequestsParseWithTheGeneratedClassesAndMatchThePlans() throws Exception {
    GeneratorOptions o = options("--services", "4", "--attributes", "3", "--attribute-size", "20",
        "--error-ratio", "0.5", "--spans-per-trace", "1..12", "--seed", "1");
    SpanTemplates t = new SpanTemplates(4, 4, 3, 20, new SplittableRandom(2));
    Batch b = batch(o, 30);
    byte[] bytes = new ProtobufRequestEncoder(t).encode(b.plans, b.spans, b.count);
    ExportTraceServiceRequest req = ExportTraceServiceRequest.parseFrom(bytes);

    Map<ByteString, Span> byId = new HashMap<>();
    int errors = 0;
    for (ResourceSpans rs : req.getResourceSpansList()) {
      String service = rs.getResource().getAttributes(0).getValue().getStringValue();
      assertEquals("service.name", rs.getResource().getAttributes(0).getKey());
      for (Span s : rs.getScopeSpans(0).getSpansList()) {
        assertTrue(s.getName().contains("/" + service + "/"), s.getName() + " under " + service);
        assertEquals(3, s.getAttributesCount());
        assertEquals(20, s.getAttributes(0).getValue().getStringValue().length());
        byId.put(s.getSpanId(), s);
        errors += s.getStatus().getCodeValue() == 2 ? 1 : 0;
      }
    }
    assertEquals(b.count, byId.size());
    int planErrors = 0;
    for (int k = 0; k < b.count; k++) {
      TracePlan p = b.plans[k];
      int i = b.spans[k];
      planErrors += p.error(i) ? 1 : 0;
      Span s = byId.get(ByteString.copyFrom(HexFormat.of().parseHex(String.format("%016x", p.spanId[i]))));
      assertEquals(p.id.hex(), HexFormat.of().formatHex(s.getTraceId().toByteArray()));
      assertEquals(p.startNanos(i), s.getStartTimeUnixNano());
      assertEquals(p.endNanos(i), s.getEndTimeUnixNano());
      assertEquals(p.kind[i], s.getKindValue());
      assertEquals(t.spanNames[p.service[i]][p.operation[i]], s.getName());
      if (p.parent[i] < 0) {
        assertTrue(s.getParentSpanId().isEmpty());
      } else {
        assertEquals(String.format("%016x", p.spanId[p.parent[i]]), HexFormat.of().formatHex(s.getParentSpanId().toByteArray()));
      }
    }
    assertEquals(planErrors, errors);
    assertTrue(errors > 0);

    TraceRequestIndex idx = new TraceRequestIndex().index(bytes);
    assertEquals(b.count, idx.spanCount());
    assertEquals(0, idx.invalidTraceIdCount());
  }

  @Test
  void jsonRequestsFollowOtlpJsonWithHexIdsAndStringTimes() throws Exception {
    GeneratorOptions o = options("--services", "3", "--error-ratio", "1", "--spans-per-trace", "5", "--seed", "4");
    SpanTemplates t = new SpanTemplates(3, 4, 4, 16, new SplittableRandom(2));
    Batch b = batch(o, 5);
    JsonObject req = new JsonObject(new String(new JsonRequestEncoder(t).encode(b.plans, b.spans, b.count), "UTF-8"));
    int spans = 0;
    int errors = 0;
    for (Object rso : req.getJsonArray("resourceSpans")) {
      JsonObject rs = (JsonObject) rso;
      JsonArray list = rs.getJsonArray("scopeSpans").getJsonObject(0).getJsonArray("spans");
      for (Object so : list) {
        JsonObject s = (JsonObject) so;
        spans++;
        assertEquals(32, s.getString("traceId").length());
        assertEquals(16, s.getString("spanId").length());
        assertTrue(Long.parseLong(s.getString("endTimeUnixNano")) >= Long.parseLong(s.getString("startTimeUnixNano")));
        assertTrue(s.getInteger("kind") >= 1 && s.getInteger("kind") <= 3);
        if (s.getJsonObject("status") != null) {
          assertEquals(2, s.getJsonObject("status").getInteger("code"));
          errors++;
        }
      }
    }
    assertEquals(25, spans);
    assertEquals(5, errors);
  }
}

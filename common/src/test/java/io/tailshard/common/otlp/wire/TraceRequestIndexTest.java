package io.tailshard.common.otlp.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailshard.common.testing.RandomTraces;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Property tests: what the wire index sees equals what the generated OTLP parser sees. */
class TraceRequestIndexTest {
  private static final int CASES = 400;

  @Test
  void indexSeesEverySpanFieldAsTheGeneratedParserDoes() throws Exception {
    TraceRequestIndex idx = new TraceRequestIndex();
    for (int seed = 0; seed < CASES; seed++) {
      RandomTraces gen = new RandomTraces(seed).invalidTraceIds(0.1);
      ExportTraceServiceRequest req = gen.request(3, 3, 6);
      byte[] bytes = req.toByteArray();
      idx.index(bytes);

      List<Span> spans = new ArrayList<>();
      List<Integer> scopeOfSpan = new ArrayList<>();
      List<Integer> resourceOfScope = new ArrayList<>();
      int scopeNo = 0;
      for (int r = 0; r < req.getResourceSpansCount(); r++) {
        for (ScopeSpans ss : req.getResourceSpans(r).getScopeSpansList()) {
          resourceOfScope.add(r);
          for (Span s : ss.getSpansList()) {
            spans.add(s);
            scopeOfSpan.add(scopeNo);
          }
          scopeNo++;
        }
      }
      assertEquals(spans.size(), idx.spanCount(), "span count, seed " + seed);
      assertEquals(scopeNo, idx.scopeCount(), "scope count, seed " + seed);
      assertEquals(req.getResourceSpansCount(), idx.resourceCount(), "resource count, seed " + seed);
      int invalid = 0;
      for (int i = 0; i < spans.size(); i++) {
        Span s = spans.get(i);
        String where = "seed " + seed + " span " + i;
        byte[] tid = s.getTraceId().toByteArray();
        boolean valid = tid.length == 16 && !Arrays.equals(tid, new byte[16]);
        invalid += valid ? 0 : 1;
        assertEquals(valid, idx.traceIdValid(i), where);
        assertArrayEquals(tid, range(bytes, idx.traceIdOffset(i), idx.traceIdLength(i)), where);
        assertArrayEquals(s.getSpanId().toByteArray(), range(bytes, idx.spanIdOffset(i), idx.spanIdLength(i)), where);
        assertArrayEquals(s.getParentSpanId().toByteArray(),
            range(bytes, idx.parentSpanIdOffset(i), idx.parentSpanIdLength(i)), where);
        assertEquals(s.getParentSpanId().isEmpty(), idx.isRoot(i), where);
        assertEquals(s.getName(), idx.name(i), where);
        assertEquals(s.getTraceState(),
            new String(range(bytes, idx.traceStateOffset(i), idx.traceStateLength(i)), StandardCharsets.UTF_8), where);
        assertEquals(s.getKindValue(), idx.kind(i), where);
        assertEquals(s.getStartTimeUnixNano(), idx.startTimeUnixNano(i), where);
        assertEquals(s.getEndTimeUnixNano(), idx.endTimeUnixNano(i), where);
        assertEquals(s.getStatus().getCodeValue(), idx.statusCode(i), where);
        assertEquals(s.getFlags(), idx.flags(i), where);
        assertEquals(scopeOfSpan.get(i), idx.scopeOf(i), where);
        assertEquals(resourceOfScope.get(idx.scopeOf(i)), idx.resourceOf(i), where);
        assertArrayEquals(s.toByteArray(), range(bytes, idx.spanOffset(i), idx.spanLength(i)), where);
        if (valid) {
          assertEquals(java.nio.ByteBuffer.wrap(tid).getLong(0), idx.traceIdHigh(i), where);
          assertEquals(java.nio.ByteBuffer.wrap(tid).getLong(8), idx.traceIdLow(i), where);
        }
        for (KeyValue kv : s.getAttributesList()) {
          assertAttribute(bytes, idx.spanAttribute(i, utf8(kv.getKey())), lastValue(s.getAttributesList(), kv.getKey()), where);
        }
        assertEquals(-1, idx.spanAttribute(i, utf8("no.such.attribute")), where);
      }
      assertEquals(invalid, idx.invalidTraceIdCount(), "seed " + seed);
      for (int r = 0; r < req.getResourceSpansCount(); r++) {
        ResourceSpans rs = req.getResourceSpans(r);
        long pos = idx.resourceAttribute(r, utf8("service.name"));
        if (rs.hasResource()) {
          assertEquals(rs.getResource().getAttributes(0).getValue().getStringValue(), AnyValues.asString(bytes, pos));
          assertTrue(AnyValues.stringEquals(bytes, pos, utf8(rs.getResource().getAttributes(0).getValue().getStringValue())));
        } else {
          assertEquals(-1, pos);
        }
      }
    }
  }

  @Test
  void truncatedRequestsFailExactlyWhenTheGeneratedParserFails() throws Exception {
    TraceRequestIndex idx = new TraceRequestIndex();
    for (int seed = 0; seed < 60; seed++) {
      byte[] bytes = new RandomTraces(seed).request(2, 2, 3).toByteArray();
      for (int cut = 0; cut < bytes.length; cut++) {
        boolean generatedFails;
        try {
          ExportTraceServiceRequest.parseFrom(Arrays.copyOf(bytes, cut));
          generatedFails = false;
        } catch (InvalidProtocolBufferException e) {
          generatedFails = true;
        }
        boolean oursFails;
        try {
          idx.index(bytes, 0, cut);
          oursFails = false;
        } catch (WireFormatException e) {
          oursFails = true;
          assertTrue(e.getMessage().contains("at byte"), e.getMessage());
        }
        assertEquals(generatedFails, oursFails, "seed " + seed + " cut at " + cut + " of " + bytes.length);
      }
    }
  }

  @Test
  void corruptedBytesNeverEscapeAsAnythingButWireFormatException() {
    TraceRequestIndex idx = new TraceRequestIndex();
    Random random = new Random(7);
    for (int seed = 0; seed < 300; seed++) {
      byte[] bytes = new RandomTraces(seed).request(2, 2, 4).toByteArray();
      for (int flips = 0; flips < 20; flips++) {
        byte[] bad = bytes.clone();
        for (int k = 1 + random.nextInt(4); k > 0; k--) {
          bad[random.nextInt(bad.length)] = (byte) random.nextInt(256);
        }
        try {
          idx.index(bad);
          for (int i = 0; i < idx.spanCount(); i++) {
            idx.spanAttribute(i, utf8("attr.1"));
          }
          for (int r = 0; r < idx.resourceCount(); r++) {
            idx.resourceAttribute(r, utf8("service.name"));
          }
        } catch (WireFormatException expected) {
          assertEquals(0, idx.spanCount());
        } catch (RuntimeException e) {
          fail("seed " + seed + ": " + e, e);
        }
      }
    }
  }

  @Test
  void garbageIsRefusedWithTheOffset() {
    WireFormatException e = assertThrows(WireFormatException.class,
        () -> new TraceRequestIndex().index("this is not protobuf".getBytes(StandardCharsets.US_ASCII)));
    assertTrue(e.getMessage().startsWith("malformed OTLP trace request at byte "), e.getMessage());
  }

  @Test
  void emptyRequestHasNoSpans() throws Exception {
    TraceRequestIndex idx = new TraceRequestIndex().index(new byte[0]);
    assertEquals(0, idx.spanCount());
    assertEquals(0, idx.resourceCount());
  }

  @Test
  void indexIsReusableAcrossRequestsOfDifferentSizes() throws Exception {
    TraceRequestIndex idx = new TraceRequestIndex();
    byte[] big = new RandomTraces(1).request(1, 1, 1).toBuilder().build().toByteArray();
    ExportTraceServiceRequest.Builder many = ExportTraceServiceRequest.newBuilder();
    ScopeSpans.Builder ss = ScopeSpans.newBuilder();
    RandomTraces gen = new RandomTraces(2);
    for (int i = 0; i < 2000; i++) {
      ss.addSpans(gen.span());
    }
    many.addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ss));
    assertEquals(2000, idx.index(many.build().toByteArray()).spanCount());
    idx.index(big);
    assertFalse(idx.spanCount() > 1);
  }

  static void assertAttribute(byte[] buf, long pos, AnyValue expected, String where) {
    assertTrue(pos != -1, where + ": attribute not found");
    switch (expected.getValueCase()) {
      case STRING_VALUE:
        assertEquals(AnyValues.STRING, AnyValues.kind(buf, pos), where);
        assertEquals(expected.getStringValue(), AnyValues.asString(buf, pos), where);
        break;
      case INT_VALUE:
        assertEquals(AnyValues.INT, AnyValues.kind(buf, pos), where);
        assertEquals(expected.getIntValue(), AnyValues.asLong(buf, pos, Long.MIN_VALUE), where);
        break;
      case BOOL_VALUE:
        assertEquals(expected.getBoolValue(), AnyValues.asBoolean(buf, pos, !expected.getBoolValue()), where);
        break;
      case DOUBLE_VALUE:
        assertEquals(expected.getDoubleValue(), AnyValues.asDouble(buf, pos, Double.NaN), where);
        break;
      case ARRAY_VALUE:
        assertEquals(AnyValues.ARRAY, AnyValues.kind(buf, pos), where);
        break;
      case KVLIST_VALUE:
        assertEquals(AnyValues.KVLIST, AnyValues.kind(buf, pos), where);
        break;
      case BYTES_VALUE:
        assertEquals(AnyValues.BYTES, AnyValues.kind(buf, pos), where);
        break;
      default:
        assertEquals(AnyValues.NONE, AnyValues.kind(buf, pos), where);
    }
  }

  static AnyValue lastValue(List<KeyValue> attrs, String key) {
    AnyValue v = null;
    for (KeyValue kv : attrs) {
      if (kv.getKey().equals(key)) {
        v = kv.getValue();
      }
    }
    return v;
  }

  static byte[] range(byte[] buf, int off, int len) {
    return off < 0 ? new byte[0] : Arrays.copyOfRange(buf, off, off + len);
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}

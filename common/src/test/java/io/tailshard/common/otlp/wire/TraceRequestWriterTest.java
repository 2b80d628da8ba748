package io.tailshard.common.otlp.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailshard.common.testing.RandomTraces;
import java.util.Arrays;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/** Property tests: the writer's output parses to exactly the expected messages. */
class TraceRequestWriterTest {

  @Test
  void selectKeepsTheChosenSpansUnderTheirOriginalResourceAndScope() throws Exception {
    TraceRequestIndex idx = new TraceRequestIndex();
    for (int seed = 0; seed < 300; seed++) {
      ExportTraceServiceRequest req = new RandomTraces(seed).invalidTraceIds(0.25).request(3, 3, 5);
      idx.index(req.toByteArray());
      byte[] out = TraceRequestWriter.select(idx, idx::traceIdValid);
      ExportTraceServiceRequest expected = filter(req, TraceRequestWriterTest::validTraceId);
      if (expected.getResourceSpansCount() == 0) {
        assertNull(out, "seed " + seed);
      } else {
        assertEquals(expected, ExportTraceServiceRequest.parseFrom(out), "seed " + seed);
      }
    }
  }

  @Test
  void splitPartitionsSpansIntoGroupsAndLosesNone() throws Exception {
    TraceRequestIndex idx = new TraceRequestIndex();
    TraceRequestWriter writer = new TraceRequestWriter();
    Random random = new Random(42);
    for (int seed = 0; seed < 300; seed++) {
      ExportTraceServiceRequest req = new RandomTraces(seed).request(3, 3, 8);
      idx.index(req.toByteArray());
      int groups = 1 + random.nextInt(7);
      int[] groupOf = new int[idx.spanCount()];
      for (int i = 0; i < groupOf.length; i++) {
        groupOf[i] = random.nextInt(groups);
      }
      int[] counts = new int[groups];
      byte[][] parts = writer.split(idx, groups, groupOf, counts);
      int total = 0;
      for (int g = 0; g < groups; g++) {
        final int group = g;
        int[] spanNo = {0};
        // Expected: the original request with only this group's spans, in original order.
        ExportTraceServiceRequest expected = filterIndexed(req, i -> groupOf[i] == group);
        if (counts[g] == 0) {
          assertNull(parts[g]);
          assertEquals(0, expected.getResourceSpansCount());
        } else {
          ExportTraceServiceRequest got = ExportTraceServiceRequest.parseFrom(parts[g]);
          assertEquals(expected, got, "seed " + seed + " group " + g);
          assertEquals(counts[g], spanCount(got));
        }
        total += counts[g];
        spanNo[0]++;
      }
      assertEquals(idx.spanCount(), total);
    }
  }

  @Test
  void writingEverySpanReproducesTheRequest() throws Exception {
    TraceRequestIndex idx = new TraceRequestIndex();
    for (int seed = 0; seed < 100; seed++) {
      ExportTraceServiceRequest req = new RandomTraces(seed).request(3, 3, 5);
      idx.index(req.toByteArray());
      byte[] out = TraceRequestWriter.select(idx, i -> true);
      assertEquals(filter(req, s -> true), out == null ? ExportTraceServiceRequest.getDefaultInstance()
          : ExportTraceServiceRequest.parseFrom(out));
    }
  }

  private static boolean validTraceId(Span s) {
    byte[] id = s.getTraceId().toByteArray();
    return id.length == 16 && !Arrays.equals(id, new byte[16]);
  }

  private static int spanCount(ExportTraceServiceRequest req) {
    int n = 0;
    for (ResourceSpans rs : req.getResourceSpansList()) {
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        n += ss.getSpansCount();
      }
    }
    return n;
  }

  /** The request with only matching spans; scopes and resources left without spans are dropped. */
  static ExportTraceServiceRequest filter(ExportTraceServiceRequest req, Predicate<Span> keep) {
    int[] counter = {0};
    return filterIndexed(req, i -> true, keep, counter);
  }

  static ExportTraceServiceRequest filterIndexed(ExportTraceServiceRequest req, java.util.function.IntPredicate keep) {
    return filterIndexed(req, keep, s -> true, new int[] {0});
  }

  private static ExportTraceServiceRequest filterIndexed(
      ExportTraceServiceRequest req, java.util.function.IntPredicate keepIndex, Predicate<Span> keep, int[] counter) {
    ExportTraceServiceRequest.Builder out = ExportTraceServiceRequest.newBuilder();
    for (ResourceSpans rs : req.getResourceSpansList()) {
      ResourceSpans.Builder rb = rs.toBuilder().clearScopeSpans();
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        ScopeSpans.Builder sb = ss.toBuilder().clearSpans();
        for (Span s : ss.getSpansList()) {
          int i = counter[0]++;
          if (keepIndex.test(i) && keep.test(s)) {
            sb.addSpans(s);
          }
        }
        if (sb.getSpansCount() > 0) {
          rb.addScopeSpans(sb);
        }
      }
      if (rb.getScopeSpansCount() > 0) {
        out.addResourceSpans(rb);
      }
    }
    return out.build();
  }
}

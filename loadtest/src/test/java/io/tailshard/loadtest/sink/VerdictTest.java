package io.tailshard.loadtest.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
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
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.tailshard.loadtest.truth.ProbabilisticRule;
import io.tailshard.loadtest.truth.SpanMetricsTable;
import io.tailshard.loadtest.truth.TraceId;
import io.tailshard.loadtest.truth.TraceTruth;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The verdict's criteria on hand-made ledgers: each can pass, and each can fail. */
class VerdictTest {
  private static final ProbabilisticRule RULE_20 = new ProbabilisticRule(20, null);

  private record Trace(TraceId id, boolean error) {}

  private static List<Trace> traces(int n, int errors) {
    Random r = new Random(11);
    List<Trace> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Trace(new TraceId(r.nextLong() | 1, r.nextLong()), i < errors));
    }
    return out;
  }

  /** Two spans per trace, sent in one request. */
  private static void receive(SpanLedger ledger, List<Trace> traces, boolean duplicateFirstSpan) throws Exception {
    ScopeSpans.Builder ss = ScopeSpans.newBuilder();
    for (Trace t : traces) {
      for (int s = 1; s <= (duplicateFirstSpan ? 3 : 2); s++) {
        long spanId = t.id.low() * 3 + Math.min(s, 2);
        ss.addSpans(Span.newBuilder().setTraceId(ByteString.copyFrom(t.id.bytes()))
            .setSpanId(ByteString.copyFrom(java.nio.ByteBuffer.allocate(8).putLong(spanId).array()))
            .setName("op").setStartTimeUnixNano(1).setEndTimeUnixNano(2)
            .setStatus(Status.newBuilder().setCodeValue(t.error && s == 1 ? 2 : 0)));
      }
    }
    byte[] bytes = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ss)).build().toByteArray();
    ledger.ingest(new TraceRequestIndex().index(bytes), 10, 1);
  }

  private static List<TraceTruth> truth(List<Trace> traces) {
    List<TraceTruth> out = new ArrayList<>();
    for (Trace t : traces) {
      out.add(new TraceTruth(t.id, 2, t.error, 0, 0, 0, List.of("svc-00")));
    }
    return out;
  }

  /** What a correct sampler keeps: every error trace and the non-error ones the rule selects. */
  private static List<Trace> sampled(List<Trace> all, ProbabilisticRule rule) {
    return all.stream().filter(t -> t.error || rule.sampled(t.id.high(), t.id.low())).toList();
  }

  private static boolean criterion(Verdict v, String name) {
    return v.criteria.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow().pass();
  }

  @Test
  void aCorrectSamplerPassesEveryCriterionIncludingTheExactRule() throws Exception {
    List<Trace> all = traces(4000, 200);
    SpanLedger ledger = new SpanLedger();
    ledger.expect(truth(all));
    receive(ledger, sampled(all, RULE_20), false);
    Verdict v = Verdict.judge(ledger, RULE_20, true, true, null, null);
    assertTrue(v.pass(), v.text());
    assertEquals(200, v.errorTracesKept);
    assertEquals(3800, v.nonErrorTraces);
    assertEquals(v.ruleSelected, v.nonErrorKept);
    assertTrue(v.probabilisticObserved > v.probabilisticLow && v.probabilisticObserved < v.probabilisticHigh);
  }

  @Test
  void keepingEverythingFailsTheProbabilisticShare() throws Exception {
    List<Trace> all = traces(2000, 100);
    SpanLedger ledger = new SpanLedger();
    ledger.expect(truth(all));
    receive(ledger, all, false);
    Verdict v = Verdict.judge(ledger, RULE_20, false, true, null, null);
    assertFalse(v.pass());
    assertFalse(criterion(v, "probabilistic kept fraction"));
    assertTrue(criterion(v, "kept traces complete"));
  }

  @Test
  void theRightShareOfTheWrongTracesPassesTheIntervalButNotTheExactRule() throws Exception {
    List<Trace> all = traces(4000, 0);
    ProbabilisticRule otherSalt = new ProbabilisticRule(20, "another-salt");
    SpanLedger ledger = new SpanLedger();
    ledger.expect(truth(all));
    receive(ledger, sampled(all, otherSalt), false);
    assertTrue(Verdict.judge(ledger, RULE_20, false, true, null, null).pass());
    Verdict exact = Verdict.judge(ledger, RULE_20, true, true, null, null);
    assertFalse(exact.pass());
    assertFalse(criterion(exact, "probabilistic rule agreement"));
  }

  @Test
  void aMissingErrorTraceADuplicateAndAnUnknownTraceEachFail() throws Exception {
    List<Trace> all = traces(1000, 50);
    List<Trace> kept = new ArrayList<>(sampled(all, RULE_20));
    kept.remove(0);
    SpanLedger ledger = new SpanLedger();
    ledger.expect(truth(all));
    receive(ledger, kept, false);
    Verdict v = Verdict.judge(ledger, RULE_20, false, true, null, null);
    assertFalse(criterion(v, "error traces kept"));
    assertEquals(49, v.errorTracesKept);

    SpanLedger dup = new SpanLedger();
    dup.expect(truth(all));
    receive(dup, sampled(all, RULE_20).subList(0, 1), true);
    receive(dup, sampled(all, RULE_20).subList(1, sampled(all, RULE_20).size()), false);
    Verdict d = Verdict.judge(dup, RULE_20, false, true, null, null);
    assertEquals(1, d.duplicates);
    assertFalse(criterion(d, "duplicate spans"));
    assertTrue(criterion(d, "kept traces complete"));

    SpanLedger unknown = new SpanLedger();
    unknown.expect(truth(all));
    receive(unknown, sampled(all, RULE_20), false);
    receive(unknown, traces(1, 0).stream().map(t -> new Trace(new TraceId(5, 5), false)).toList(), false);
    assertFalse(criterion(Verdict.judge(unknown, RULE_20, false, true, null, null), "spans of unknown traces"));
  }

  @Test
  void withoutAGroundTruthThereIsNothingToPass() {
    Verdict v = Verdict.judge(new SpanLedger(), RULE_20, false, false, null, null);
    assertFalse(v.pass());
  }

  private static final SpanMetricsTable.Key A =
      new SpanMetricsTable.Key("svc-00", "GET /a", "SPAN_KIND_SERVER", "STATUS_CODE_UNSET");
  private static final SpanMetricsTable.Key B =
      new SpanMetricsTable.Key("svc-01", "POST /b", "SPAN_KIND_CLIENT", "STATUS_CODE_ERROR");

  private static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  /** One node's cumulative span metrics: calls and a duration histogram per key. */
  private static ResourceMetrics node(String node, long time, SpanMetricsTable.Key key, long calls, long[] buckets) {
    List<KeyValue> attrs = List.of(kv("span.name", key.spanName()), kv("span.kind", key.spanKind()),
        kv("status.code", key.statusCode()));
    HistogramDataPoint.Builder h = HistogramDataPoint.newBuilder().addAllAttributes(attrs)
        .setStartTimeUnixNano(1).setTimeUnixNano(time).setCount(calls);
    for (double b : SpanMetricsTable.DEFAULT_BOUNDS_MS) {
      h.addExplicitBounds(b);
    }
    for (long c : buckets) {
      h.addBucketCounts(c);
    }
    return ResourceMetrics.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(kv("service.name", key.service()))
            .addAttributes(kv("service.instance.id", node)))
        .addScopeMetrics(ScopeMetrics.newBuilder()
            .addMetrics(Metric.newBuilder().setName("traces.span.metrics.calls").setSum(Sum.newBuilder()
                .setIsMonotonic(true)
                .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                .addDataPoints(NumberDataPoint.newBuilder().addAllAttributes(attrs).setStartTimeUnixNano(1)
                    .setTimeUnixNano(time).setAsInt(calls))))
            .addMetrics(Metric.newBuilder().setName("traces.span.metrics.duration").setHistogram(Histogram.newBuilder()
                .setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE)
                .addDataPoints(h))))
        .build();
  }

  private static long[] buckets(int index, long count) {
    long[] b = new long[SpanMetricsTable.BUCKETS];
    b[index] = count;
    return b;
  }

  @Test
  void spanMetricsFromTwoNodesAddUpAndTheNewestCumulativePointWins() throws Exception {
    List<Trace> all = traces(10, 0);
    SpanLedger ledger = new SpanLedger();
    ledger.expect(truth(all));
    receive(ledger, all, false);
    SpanMetricsTable expected = new SpanMetricsTable();
    expected.add(A, 10, buckets(2, 10));
    expected.add(B, 3, buckets(16, 3));

    MetricsLedger metrics = new MetricsLedger("traces.span.metrics");
    // Node 1 flushes twice (the first, older point is superseded); node 2 has the rest of A's calls.
    metrics.ingest(ExportMetricsServiceRequest.newBuilder().addResourceMetrics(node("n1", 100, A, 2, buckets(2, 2))).build());
    metrics.ingest(ExportMetricsServiceRequest.newBuilder().addResourceMetrics(node("n1", 200, A, 6, buckets(2, 6)))
        .addResourceMetrics(node("n1", 200, B, 3, buckets(16, 3))).build());
    metrics.ingest(ExportMetricsServiceRequest.newBuilder().addResourceMetrics(node("n2", 150, A, 4, buckets(2, 4))).build());
    ProbabilisticRule all100 = new ProbabilisticRule(100, null);
    Verdict v = Verdict.judge(ledger, all100, false, true, expected, metrics);
    assertTrue(v.pass(), v.text());
    assertEquals(13, v.spanmetricsActualCalls);

    metrics.ingest(ExportMetricsServiceRequest.newBuilder().addResourceMetrics(node("n2", 300, A, 5, buckets(3, 5))).build());
    Verdict off = Verdict.judge(ledger, all100, false, true, expected, metrics);
    assertFalse(off.pass());
    assertFalse(criterion(off, "spanmetrics deviation"));
    assertEquals(1, off.spanmetricsCallsDiff);
  }
}

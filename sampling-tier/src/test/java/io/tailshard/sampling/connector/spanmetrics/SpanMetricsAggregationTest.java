package io.tailshard.sampling.connector.spanmetrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.tailshard.common.otlp.wire.WireFormatException;
import io.tailshard.sampling.connector.spanmetrics.MetricsView.Point;
import io.tailshard.sampling.connector.spanmetrics.SpanMetricsConfig.Dimension;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SpanMetricsAggregationTest {
  private static final String CALLS = "traces.span.metrics.calls";
  private static final String DURATION = "traces.span.metrics.duration";
  private static final long T0 = 1_700_000_000_000_000_000L;

  private final TraceRequestIndex idx = new TraceRequestIndex();

  private void feed(SpanMetricsAggregator agg, ExportTraceServiceRequest req) {
    try {
      agg.aggregate(idx.index(req.toByteArray()), T0);
    } catch (WireFormatException e) {
      throw new AssertionError(e);
    }
  }

  private static void assertMatchesTruth(ExportMetricsServiceRequest out, Map<String, GeneratedLoad.Truth> truth) {
    List<Point> calls = MetricsView.points(out, CALLS);
    List<Point> durations = MetricsView.points(out, DURATION);
    assertEquals(truth.size(), calls.size(), "one calls series per (service, name, kind, status)");
    assertEquals(truth.size(), durations.size());
    for (Point p : calls) {
      GeneratedLoad.Truth t = truth.get(MetricsView.key(p));
      assertEquals(t.calls, p.count(), MetricsView.key(p));
    }
    for (Point p : durations) {
      GeneratedLoad.Truth t = truth.get(MetricsView.key(p));
      assertEquals(t.calls, p.count(), MetricsView.key(p));
      for (int b = 0; b < t.buckets.length; b++) {
        assertEquals(t.buckets[b], (long) p.buckets().get(b), MetricsView.key(p) + " bucket " + b);
      }
      assertEquals(t.sumMs, p.sum(), 1e-6 * Math.max(1, t.sumMs), MetricsView.key(p));
    }
  }

  private static SpanMetricsConfig config() {
    return SpanMetricsConfig.defaults("node-a");
  }

  @Test
  void callsAndBucketCountsEqualTheGroundTruthCumulatively() {
    SpanMetricsAggregator agg = new SpanMetricsAggregator(config());
    GeneratedLoad load = new GeneratedLoad(42, SpanMetricsConfig.DEFAULT_BUCKETS_MS);
    for (int r = 0; r < 20; r++) {
      feed(agg, load.request(500));
    }
    assertMatchesTruth(agg.flush(T0 + 1), load.truth);
    for (int r = 0; r < 10; r++) {
      feed(agg, load.request(500));
    }
    ExportMetricsServiceRequest second = agg.flush(T0 + 2);
    assertMatchesTruth(second, load.truth); // cumulative: everything since the start
    Metric calls = second.getResourceMetrics(0).getScopeMetrics(0).getMetrics(0);
    assertEquals(AggregationTemporality.AGGREGATION_TEMPORALITY_CUMULATIVE, calls.getSum().getAggregationTemporality());
    assertTrue(calls.getSum().getIsMonotonic());
    assertEquals(SpanMetricsAggregator.SCOPE_NAME, second.getResourceMetrics(0).getScopeMetrics(0).getScope().getName());
    assertEquals("ms", second.getResourceMetrics(0).getScopeMetrics(0).getMetrics(1).getUnit());
  }

  @Test
  void deltaFlushesCountEachIntervalAlone() {
    SpanMetricsConfig c = config();
    c = new SpanMetricsConfig(c.namespace(), c.dimensions(), c.excludeDimensions(), c.histogram(), true, c.flushInterval(),
        c.expiration(), 0, List.of(), 1000, false, 5, false, List.of(), c.nodeDimension(), c.nodeId());
    SpanMetricsAggregator agg = new SpanMetricsAggregator(c);
    GeneratedLoad load = new GeneratedLoad(7, SpanMetricsConfig.DEFAULT_BUCKETS_MS);
    for (int r = 0; r < 10; r++) {
      feed(agg, load.request(400));
    }
    ExportMetricsServiceRequest first = agg.flush(T0 + 1);
    assertMatchesTruth(first, load.truth);
    assertEquals(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA,
        first.getResourceMetrics(0).getScopeMetrics(0).getMetrics(0).getSum().getAggregationTemporality());
    load.resetTruth();
    for (int r = 0; r < 5; r++) {
      feed(agg, load.request(400));
    }
    assertMatchesTruth(agg.flush(T0 + 2), load.truth);
    // An interval without spans reports nothing and keeps no series.
    assertEquals(0, agg.flush(T0 + 3).getResourceMetricsCount());
    agg.flush(T0 + 4);
    assertEquals(0, agg.seriesCount());
  }

  @Test
  void aResourceWithoutServiceNameIsSkipped() {
    SpanMetricsAggregator agg = new SpanMetricsAggregator(config());
    ExportTraceServiceRequest req = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().addScopeSpans(ScopeSpans.newBuilder()
            .addSpans(Span.newBuilder().setName("x").setStartTimeUnixNano(1).setEndTimeUnixNano(2))))
        .build();
    feed(agg, req);
    assertEquals(0, agg.flush(T0).getResourceMetricsCount());
  }

  @Test
  void theCardinalityLimitAddsOneOverflowSeriesAndMemoryStopsGrowing() {
    SpanMetricsConfig d = config();
    SpanMetricsConfig c = new SpanMetricsConfig(d.namespace(), d.dimensions(), d.excludeDimensions(), d.histogram(), false,
        d.flushInterval(), d.expiration(), 10, List.of(), 1000, false, 5, false, List.of(), d.nodeDimension(), d.nodeId());
    SpanMetricsAggregator agg = new SpanMetricsAggregator(c);
    long footprintAfterFirst = 0;
    int names = 0;
    for (int batch = 0; batch < 20; batch++) {
      ExportTraceServiceRequest.Builder req = ExportTraceServiceRequest.newBuilder();
      ScopeSpans.Builder ss = ScopeSpans.newBuilder();
      for (int i = 0; i < 1000; i++) {
        ss.addSpans(Span.newBuilder().setName("GET /user/" + names++).setKind(Span.SpanKind.SPAN_KIND_SERVER)
            .setStartTimeUnixNano(1).setEndTimeUnixNano(3_000_001));
      }
      req.addResourceSpans(ResourceSpans.newBuilder().setResource(GeneratedLoad.resource("users")).addScopeSpans(ss));
      feed(agg, req.build());
      if (batch == 1) {
        footprintAfterFirst = agg.footprintBytes();
      }
      assertEquals(11, agg.seriesCount(), "10 series and the overflow series, whatever the number of names");
    }
    assertEquals(footprintAfterFirst, agg.footprintBytes(), "memory stops growing at the limit");
    List<Point> calls = MetricsView.points(agg.flush(T0), CALLS);
    assertEquals(11, calls.size());
    Point overflow = calls.stream().filter(p -> "true".equals(p.attributes().get("otel.metric.overflow"))).findFirst().orElseThrow();
    assertEquals(20_000 - 10, overflow.count());
    assertEquals(Set.of("otel.metric.overflow", "tailshard.node"), overflow.attributes().keySet());
    assertEquals(20_000 - 10, agg.overflowedSpans());
    long total = calls.stream().mapToLong(Point::count).sum();
    assertEquals(20_000, total, "no span is lost to the limit");
  }

  @Test
  void twoNodesSeriesDoNotCollideAndTheirSumIsTheTruth() {
    SpanMetricsAggregator nodeA = new SpanMetricsAggregator(SpanMetricsConfig.defaults("sampling-0"));
    SpanMetricsAggregator nodeB = new SpanMetricsAggregator(SpanMetricsConfig.defaults("sampling-1"));
    GeneratedLoad load = new GeneratedLoad(11, SpanMetricsConfig.DEFAULT_BUCKETS_MS);
    for (int r = 0; r < 20; r++) {
      // Each node sees part of every service's spans, as the trace-id ring splits them.
      feed(r % 2 == 0 ? nodeA : nodeB, load.request(300));
    }
    List<Point> a = MetricsView.points(nodeA.flush(T0), CALLS);
    List<Point> b = MetricsView.points(nodeB.flush(T0), CALLS);
    Set<Map<String, String>> labelSets = new HashSet<>();
    Map<String, Long> sum = new HashMap<>();
    for (List<Point> node : List.of(a, b)) {
      for (Point p : node) {
        Map<String, String> identity = new HashMap<>(p.attributes());
        identity.putAll(p.resource());
        assertTrue(labelSets.add(identity), "two nodes wrote the same series: " + identity);
        sum.merge(MetricsView.key(p), p.count(), Long::sum);
      }
    }
    assertEquals("sampling-0", a.get(0).attributes().get("tailshard.node"));
    assertEquals("sampling-1", b.get(0).attributes().get("tailshard.node"));
    assertEquals(load.truth.size(), sum.size());
    load.truth.forEach((k, t) -> assertEquals(t.calls, sum.get(k), k));
  }

  @Test
  void extraDimensionsComeFromTheSpanThenTheResourceThenTheDefault() {
    SpanMetricsConfig d = config();
    SpanMetricsConfig c = new SpanMetricsConfig(d.namespace(),
        List.of(new Dimension("http.method", null), new Dimension("deployment.environment", null), new Dimension("region", "eu")),
        Set.of("status.code"), d.histogram(), false, d.flushInterval(), d.expiration(), 0, List.of(), 1000, false, 5, false,
        List.of(), d.nodeDimension(), d.nodeId());
    SpanMetricsAggregator agg = new SpanMetricsAggregator(c);
    GeneratedLoad load = new GeneratedLoad(3, SpanMetricsConfig.DEFAULT_BUCKETS_MS);
    feed(agg, load.request(200));
    List<Point> calls = MetricsView.points(agg.flush(T0), CALLS);
    for (Point p : calls) {
      assertTrue(Set.of("GET", "POST").contains(p.attributes().get("http.method")), p.toString());
      assertEquals("test", p.attributes().get("deployment.environment"));
      assertEquals("eu", p.attributes().get("region"));
      assertTrue(!p.attributes().containsKey("status.code"), "excluded");
    }
    assertEquals(200, calls.stream().mapToLong(Point::count).sum());
  }

  @Test
  void exponentialHistogramsCountEverySpan() {
    SpanMetricsConfig d = config();
    SpanMetricsConfig c = new SpanMetricsConfig(d.namespace(), d.dimensions(), d.excludeDimensions(),
        new SpanMetricsConfig.Histogram(false, SpanMetricsConfig.Unit.MS, new double[0], 160), false, d.flushInterval(),
        d.expiration(), 0, List.of(), 1000, false, 5, false, List.of(), d.nodeDimension(), d.nodeId());
    SpanMetricsAggregator agg = new SpanMetricsAggregator(c);
    GeneratedLoad load = new GeneratedLoad(5, SpanMetricsConfig.DEFAULT_BUCKETS_MS);
    for (int r = 0; r < 10; r++) {
      feed(agg, load.request(500));
    }
    ExportMetricsServiceRequest out = agg.flush(T0);
    int points = 0;
    for (var rm : out.getResourceMetricsList()) {
      Metric m = rm.getScopeMetrics(0).getMetrics(1);
      assertTrue(m.hasExponentialHistogram());
      for (ExponentialHistogramDataPoint dp : m.getExponentialHistogram().getDataPointsList()) {
        GeneratedLoad.Truth t = load.truth.get(GeneratedLoad.key(
            MetricsView.map(dp.getAttributesList()).get("service.name"), MetricsView.map(dp.getAttributesList()).get("span.name"),
            MetricsView.map(dp.getAttributesList()).get("span.kind"), MetricsView.map(dp.getAttributesList()).get("status.code")));
        long inBuckets = dp.getZeroCount() + dp.getPositive().getBucketCountsList().stream().mapToLong(Long::longValue).sum();
        assertEquals(t.calls, dp.getCount());
        assertEquals(t.calls, inBuckets);
        assertTrue(dp.getPositive().getBucketCountsCount() <= 160);
        assertEquals(t.sumMs, dp.getSum(), 1e-6 * Math.max(1, t.sumMs));
        points++;
      }
    }
    assertEquals(load.truth.size(), points);
  }

  @Test
  void exponentialBucketIndexesFollowTheOtlpDefinition() {
    // Powers of two are the inclusive upper bound of the bucket below them.
    assertEquals(-1, ExponentialBuckets.index(1.0, 0));
    assertEquals(0, ExponentialBuckets.index(1.5, 0));
    assertEquals(0, ExponentialBuckets.index(2.0, 0));
    assertEquals(1, ExponentialBuckets.index(3.0, 0));
    assertEquals(0, ExponentialBuckets.index(4.0, -1));
    assertEquals(1, ExponentialBuckets.index(5.0, -1));
    assertEquals((3 << 20) - 1, ExponentialBuckets.index(8.0, 20));
    int i = ExponentialBuckets.index(1000.0, 3);
    double base = Math.pow(2, 1.0 / 8);
    assertTrue(Math.pow(base, i) < 1000 && 1000 <= Math.pow(base, i + 1));
  }

  @Test
  void expiredSeriesLeaveTheOutput() {
    SpanMetricsConfig d = config();
    SpanMetricsConfig c = new SpanMetricsConfig(d.namespace(), d.dimensions(), d.excludeDimensions(), d.histogram(), false,
        d.flushInterval(), Duration.ofSeconds(30), 0, List.of(), 1000, false, 5, false, List.of(), d.nodeDimension(), d.nodeId());
    SpanMetricsAggregator agg = new SpanMetricsAggregator(c);
    feed(agg, new GeneratedLoad(1, SpanMetricsConfig.DEFAULT_BUCKETS_MS).request(50));
    assertNotEquals(0, agg.flush(T0 + 1).getResourceMetricsCount());
    assertEquals(0, agg.flush(T0 + Duration.ofSeconds(31).toNanos()).getResourceMetricsCount());
    assertEquals(0, agg.seriesCount());
    assertEquals(0, agg.resourceCount());
  }

  @Test
  void resourcesBeyondTheCacheSizeEvictTheLeastRecentlySeen() {
    SpanMetricsConfig d = config();
    SpanMetricsConfig c = new SpanMetricsConfig(d.namespace(), d.dimensions(), d.excludeDimensions(), d.histogram(), false,
        d.flushInterval(), d.expiration(), 0, List.of(), 2, false, 5, false, List.of(), d.nodeDimension(), d.nodeId());
    SpanMetricsAggregator agg = new SpanMetricsAggregator(c);
    for (String svc : List.of("a", "b", "c", "d")) {
      ExportTraceServiceRequest req = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
          .setResource(GeneratedLoad.resource(svc))
          .addScopeSpans(ScopeSpans.newBuilder().addSpans(Span.newBuilder().setName("op").setStartTimeUnixNano(1).setEndTimeUnixNano(2))))
          .build();
      agg.aggregate(index(req), T0 + svc.charAt(0));
    }
    assertEquals(2, agg.resourceCount());
    Set<String> services = new HashSet<>();
    MetricsView.points(agg.flush(T0 + 100), CALLS).forEach(p -> services.add(p.attributes().get("service.name")));
    assertEquals(Set.of("c", "d"), services);
  }

  private TraceRequestIndex index(ExportTraceServiceRequest req) {
    try {
      return idx.index(req.toByteArray());
    } catch (WireFormatException e) {
      throw new AssertionError(e);
    }
  }
}

package io.tailshard.sampling.connector.spanmetrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailshard.common.component.ComponentId;
import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.Host;
import io.tailshard.common.component.KeptTraces;
import io.tailshard.common.component.MetricsData;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.component.TracesConnector;
import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.telemetry.Telemetry;
import io.tailshard.common.testing.Await;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SpanMetricsConnectorTest {
  private static Vertx vertx;

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() {
    Await.result(vertx.close());
  }

  private static final class HubHost implements Host {
    final KeptTraces hub = KeptTraces.create();

    @Override
    public <T> Optional<T> extension(ComponentId id, Class<T> type) {
      return Optional.empty();
    }

    @Override
    public KeptTraces keptTraces() {
      return hub;
    }
  }

  private static SpanMetricsConfig parse(String yaml) {
    return SpanMetricsConfig.parse(new ConfigLoader(Map.<String, String>of()::get).parse("c.yaml", yaml).asMap());
  }

  private static ExportTraceServiceRequest traces(int first, int count) {
    ScopeSpans.Builder ss = ScopeSpans.newBuilder();
    for (int t = first; t < first + count; t++) {
      ss.addSpans(Span.newBuilder().setTraceId(ByteString.copyFrom(GeneratedLoad.id(16, t))).setSpanId(ByteString.copyFrom(GeneratedLoad.id(8, t)))
          .setName("GET /item").setKind(Span.SpanKind.SPAN_KIND_SERVER).setStartTimeUnixNano(1).setEndTimeUnixNano(1 + t * 1_000_000L));
    }
    return ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ResourceSpans.newBuilder().setResource(GeneratedLoad.resource("shop")).addScopeSpans(ss)).build();
  }

  @Test
  void exemplarsPointOnlyToKeptTraces() {
    HubHost host = new HubHost();
    List<MetricsData> out = new ArrayList<>();
    ComponentSettings settings = new ComponentSettings(ComponentId.of("spanmetrics"), ComponentKind.CONNECTOR, vertx,
        Telemetry.forTests("t"), host);
    TracesConnector c = new SpanMetricsConnectorFactory().createTracesToMetrics(settings,
        parse("exemplars: {enabled: true, max_per_data_point: 3}\n"), d -> {
          out.add(d);
          return Future.succeededFuture();
        });
    Await.result(c.start());
    assertTrue(host.hub.hasListeners());
    byte[] all = traces(1, 100).toByteArray();
    Await.result(c.consumeTraces(new TraceData(all, 100)));
    // The sampler keeps traces 10, 20 and 30, and publishes their spans after deciding.
    Set<ByteString> kept = new HashSet<>();
    for (int t : new int[] {10, 20, 30}) {
      ExportTraceServiceRequest k = traces(t, 1);
      kept.add(k.getResourceSpans(0).getScopeSpans(0).getSpans(0).getTraceId());
      host.hub.publish(new TraceData(k.toByteArray(), 1));
    }
    Await.result(c.shutdown());
    assertFalse(host.hub.hasListeners(), "shutdown ends the subscription");
    Metric duration = out.get(0).request().getResourceMetrics(0).getScopeMetrics(0).getMetrics(1);
    HistogramDataPoint dp = duration.getHistogram().getDataPoints(0);
    assertEquals(100, dp.getCount());
    assertEquals(3, dp.getExemplarsCount());
    for (Exemplar e : dp.getExemplarsList()) {
      assertTrue(kept.contains(e.getTraceId()), "exemplar of a dropped trace: " + e);
    }
    assertEquals(20.0, dp.getExemplars(1).getAsDouble(), 1e-9);
  }

  @Test
  void withoutASamplerExemplarsStayEmpty() {
    List<MetricsData> out = new ArrayList<>();
    ComponentSettings settings = new ComponentSettings(ComponentId.of("spanmetrics"), ComponentKind.CONNECTOR, vertx,
        Telemetry.forTests("t"), Host.empty());
    TracesConnector c = new SpanMetricsConnectorFactory().createTracesToMetrics(settings, parse("exemplars: {enabled: true}\n"), d -> {
      out.add(d);
      return Future.succeededFuture();
    });
    Await.result(c.start());
    Await.result(c.consumeTraces(new TraceData(traces(1, 10).toByteArray(), 10)));
    Await.result(c.shutdown());
    assertEquals(0, out.get(0).request().getResourceMetrics(0).getScopeMetrics(0).getMetrics(0).getSum().getDataPoints(0).getExemplarsCount());
  }

  @Test
  void shutdownWithoutStartIsSafeAndIdempotent() {
    ComponentSettings settings = new ComponentSettings(ComponentId.of("spanmetrics"), ComponentKind.CONNECTOR, vertx,
        Telemetry.forTests("t"), Host.empty());
    TracesConnector c = new SpanMetricsConnectorFactory().createTracesToMetrics(settings, parse("{}\n"), d -> Future.succeededFuture());
    Await.result(c.shutdown());
    Await.result(c.shutdown());
  }

  @Test
  void theNodeIdDefaultsToTheServiceInstanceId() {
    Telemetry telemetry = new Telemetry("tailshard-sampling-tier", "sampling-2", "test");
    ComponentSettings settings = new ComponentSettings(ComponentId.of("spanmetrics"), ComponentKind.CONNECTOR, vertx, telemetry, Host.empty());
    SpanMetricsConnector c = (SpanMetricsConnector) new SpanMetricsConnectorFactory().createTracesToMetrics(settings, parse("{}\n"),
        d -> Future.succeededFuture());
    assertEquals("sampling-2", c.config().nodeId());
    assertEquals("tailshard.node", c.config().nodeDimension());
  }

  @Test
  void configDefaultsAreTheCollectors() {
    SpanMetricsConfig c = parse("{}\n");
    assertEquals("traces.span.metrics", c.namespace());
    assertEquals(60, c.flushInterval().toSeconds());
    assertFalse(c.delta());
    assertEquals(16, c.histogram().bounds().length);
    assertEquals(0, c.cardinalityLimit());
    assertEquals(5, c.exemplarsPerDataPoint());
    SpanMetricsConfig e = parse("histogram: {exponential: {max_size: 80}, unit: s}\naggregation_temporality: AGGREGATION_TEMPORALITY_DELTA\n"
        + "dimensions: [{name: http.method, default: GET}]\nexclude_dimensions: [status.code]\naggregation_cardinality_limit: 500\n");
    assertEquals(80, e.histogram().exponentialMaxSize());
    assertTrue(e.delta());
    assertEquals("GET", e.dimensions().get(0).defaultValue());
  }

  @Test
  void configErrorsNameTheKey() {
    for (String[] bad : new String[][] {
        {"histogram: {explicit: {buckets: [1ms]}, exponential: {max_size: 10}}\n", "either `explicit` or `exponential`"},
        {"dimensions: [{name: span.name}]\n", "duplicate dimension name span.name"},
        {"exclude_dimensions: [foo]\n", "not a default dimension"},
        {"aggregation_temporality: DELTA\n", "allowed: AGGREGATION_TEMPORALITY_CUMULATIVE"},
        {"events: {enabled: true}\n", "no dimensions configured for events"},
        {"metrics_flush_interval: 0s\n", "must be positive"},
        {"histogram: {explicit: {buckets: [10ms, 5ms]}}\n", "strictly increasing"},
        {"unknown_option: 1\n", "unknown key"}}) {
      Exception ex = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class, () -> parse(bad[0]));
      assertTrue(ex.getMessage().contains(bad[1]), bad[0] + " -> " + ex.getMessage());
    }
  }
}

package io.tailshard.common.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tailshard.common.telemetry.MetricRegistry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StaticResolverTest {

  @Test
  void addsTheDefaultPortSortsAndNotifiesOnce() {
    MetricRegistry metrics = new MetricRegistry();
    List<List<String>> updates = new ArrayList<>();
    StaticResolver r = new StaticResolver(
        new StaticResolverConfig(List.of("sampling-1.sampling:4317", "sampling-0.sampling", "::1", "[fd00::2]:5317", "sampling-0.sampling:4317")),
        metrics, updates::add);
    assertEquals(List.of(), r.endpoints());
    assertTrue(r.start().succeeded());
    r.start();
    List<String> expected = List.of("[::1]:4317", "[fd00::2]:5317", "sampling-0.sampling:4317", "sampling-1.sampling:4317");
    assertEquals(List.of(expected), updates);
    assertEquals(expected, r.endpoints());
    assertEquals("static", r.type());
    assertEquals(1, metrics.sum(ResolverMetrics.NUM_RESOLUTIONS, "resolver", "static", "success", "true"));
    assertEquals(1, metrics.sum(ResolverMetrics.NUM_BACKEND_UPDATES, "resolver", "static"));
    assertTrue(metrics.scrape().contains("otelcol_loadbalancer_num_backends{resolver=\"static\"} 4\n"));
    assertTrue(r.shutdown().succeeded());
  }
}

package io.tailshard.loadtest.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PromTextTest {
  @Test
  void sumsEveryLabelSetOfTheWantedMetrics() {
    String text = String.join("\n",
        "# HELP otelcol_exporter_queue_size Current size of the retry queue (in batches)",
        "# TYPE otelcol_exporter_queue_size gauge",
        "otelcol_exporter_queue_size{exporter=\"loadbalancing\",endpoint=\"127.0.2.1:4317\"} 3",
        "otelcol_exporter_queue_size{exporter=\"loadbalancing\",endpoint=\"127.0.2.2:4317\"} 4",
        "otelcol_exporter_queue_size_other 100",
        "otelcol_receiver_accepted_spans_total{receiver=\"otlp\",odd=\"a}b c\"} 1.5e3 1700000000000",
        "tailshard_loadbalancer_parked_spans 0",
        "otelcol_receiver_refused_spans_total{x=\"y\"} NaN",
        "");
    Map<String, Double> m = PromText.sums(text, Set.of("otelcol_exporter_queue_size",
        "otelcol_receiver_accepted_spans_total", "tailshard_loadbalancer_parked_spans",
        "otelcol_receiver_refused_spans_total", "absent"));
    assertEquals(7.0, m.get("otelcol_exporter_queue_size"));
    assertEquals(1500.0, m.get("otelcol_receiver_accepted_spans_total"));
    assertEquals(0.0, m.get("tailshard_loadbalancer_parked_spans"));
    assertTrue(!m.containsKey("otelcol_receiver_refused_spans_total") && !m.containsKey("absent"), m.toString());
  }

  @Test
  void readsCpuTimeOfAProcessFromProc() {
    // Field 2 may hold spaces and parentheses; utime 1234 and stime 66 ticks.
    String stat = "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 66 0 0 20 0 30 0 1 2 3";
    assertEquals(13.0, ProcCpu.parse(stat), 1e-9);
    assertEquals(-1, ProcCpu.parse("garbage"));
    double self = ProcCpu.seconds(ProcessHandle.current().pid());
    assertTrue(self > 0, "this JVM has used some CPU: " + self);
    assertEquals(-1, ProcCpu.seconds(Long.MAX_VALUE / 2));
  }
}

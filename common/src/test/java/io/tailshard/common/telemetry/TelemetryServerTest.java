package io.tailshard.common.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tailshard.common.config.HostPort;
import io.tailshard.common.testing.Await;
import io.tailshard.common.testing.Http;
import io.vertx.core.Vertx;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TelemetryServerTest {
  private final Vertx vertx = Vertx.vertx();

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  @Test
  void servesProcessMetricsAsPrometheusTextOverARealSocket() {
    Telemetry telemetry = Telemetry.forTests("metrics-test");
    ProcessMetrics.register(telemetry.metrics());
    telemetry.metrics().counter("otelcol_receiver_accepted_spans", "Spans taken.", "receiver", "otlp").add(7);
    TelemetryServer server = Await.result(TelemetryServer.start(vertx, telemetry.metrics(), new HostPort("127.0.0.1", 0)));
    assertNotEquals(0, server.address().port(), "the real port is reported");

    HttpResponse<String> r = Http.get("http://127.0.0.1:" + server.address().port() + "/metrics");
    assertEquals(200, r.statusCode());
    assertEquals("text/plain; version=0.0.4; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
    String body = r.body();
    assertTrue(body.contains("# TYPE otelcol_process_uptime_total counter"), body);
    assertTrue(body.lines().anyMatch(l -> l.startsWith("otelcol_process_uptime_total{") && l.contains("service_name=\"metrics-test\"")), body);
    assertTrue(body.contains("otelcol_process_cpu_seconds_total{"), body);
    assertTrue(body.contains("otelcol_process_runtime_heap_alloc_bytes{"), body);
    assertTrue(body.contains("otelcol_process_runtime_total_sys_memory_bytes{"), body);
    assertTrue(body.lines().anyMatch(l -> l.startsWith("otelcol_receiver_accepted_spans_total{receiver=\"otlp\"") && l.endsWith(" 7")), body);
    if (ProcessMetrics.readRssBytes() >= 0) {
      assertTrue(body.contains("otelcol_process_memory_rss{"), body);
    }

    assertEquals(404, Http.get("http://127.0.0.1:" + server.address().port() + "/").statusCode());
    Await.result(server.close());
    Await.result(server.close());
  }

  @Test
  void rssIsReadFromProcStatusInBytes() {
    assertEquals(12_345L * 1024, ProcessMetrics.parseKiloBytes("   12345 kB"));
    if (java.nio.file.Files.isReadable(java.nio.file.Path.of("/proc/self/status"))) {
      assertTrue(ProcessMetrics.readRssBytes() > 1 << 20, "a JVM holds more than 1 MiB resident");
    }
  }

  @Test
  void aTakenPortIsAClearStartFailure() {
    Telemetry telemetry = Telemetry.forTests("metrics-test");
    TelemetryServer first = Await.result(TelemetryServer.start(vertx, telemetry.metrics(), new HostPort("127.0.0.1", 0)));
    Throwable t = Await.failure(TelemetryServer.start(vertx, telemetry.metrics(), first.address()));
    assertTrue(t.getMessage().startsWith("cannot serve self-metrics on " + first.address()), t.getMessage());
  }
}

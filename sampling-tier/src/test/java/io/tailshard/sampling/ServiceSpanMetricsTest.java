package io.tailshard.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.service.Service;
import io.tailshard.common.service.ServiceConfig;
import io.tailshard.common.telemetry.Telemetry;
import io.tailshard.common.testing.Await;
import io.tailshard.common.testing.Http;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The graph the sampling tier runs for span metrics, built from YAML as an operator writes it:
 * {@code traces: otlp -> spanmetrics} and {@code metrics: spanmetrics -> prometheus}, with spans
 * sent over OTLP/HTTP and the metrics scraped from {@code /metrics}, both over real sockets.
 */
class ServiceSpanMetricsTest {
  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void tracesFlowThroughSpanmetricsToThePrometheusEndpoint() throws Exception {
    int otlpPort = freePort();
    int promPort = freePort();
    String yaml = "receivers:\n  otlp:\n    protocols:\n      http:\n        endpoint: 127.0.0.1:" + otlpPort + "\n"
        + "connectors:\n  spanmetrics:\n    metrics_flush_interval: 200ms\n    node_id: sampling-7\n"
        + "exporters:\n  prometheus:\n    endpoint: 127.0.0.1:" + promPort + "\n"
        + "service:\n  pipelines:\n"
        + "    traces/spanmetrics:\n      receivers: [otlp]\n      exporters: [spanmetrics]\n"
        + "    metrics/spanmetrics:\n      receivers: [spanmetrics]\n      exporters: [prometheus]\n";
    ServiceConfig config = ServiceConfig.parse(
        new ConfigLoader(Map.<String, String>of()::get).parse("svc.yaml", yaml), SamplingTierMain.tier().components());
    Vertx vertx = Vertx.vertx();
    Service service = Service.create(config, vertx, Telemetry.forTests("sampling-tier"));
    try {
      Await.result(service.start());
      assertTrue(service.endpoints().contains("exporter prometheus=http=127.0.0.1:" + promPort + "/metrics"), service.endpoints().toString());
      ScopeSpans.Builder ss = ScopeSpans.newBuilder();
      for (int i = 0; i < 40; i++) {
        ss.addSpans(Span.newBuilder().setTraceId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, (byte) i}))
            .setSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, (byte) i})).setName("GET /home")
            .setKind(Span.SpanKind.SPAN_KIND_SERVER).setStartTimeUnixNano(1_000).setEndTimeUnixNano(1_000 + 3_000_000));
      }
      byte[] body = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
          .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
              .setValue(AnyValue.newBuilder().setStringValue("web"))))
          .addScopeSpans(ss)).build().toByteArray();
      HttpResponse<String> sent = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + otlpPort + "/v1/traces"))
              .header("Content-Type", "application/x-protobuf").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, sent.statusCode(), sent.body());
      String expected = "traces_span_metrics_calls_total{job=\"web\",service_name=\"web\",span_kind=\"SPAN_KIND_SERVER\","
          + "span_name=\"GET /home\",status_code=\"STATUS_CODE_UNSET\",tailshard_node=\"sampling-7\"} 40";
      String text = "";
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (System.nanoTime() < deadline && !text.contains(expected)) {
        Thread.sleep(100);
        text = Http.get("http://127.0.0.1:" + promPort + "/metrics").body();
      }
      assertTrue(text.contains(expected), text);
      assertTrue(text.contains("traces_span_metrics_duration_milliseconds_bucket{job=\"web\",service_name=\"web\",span_kind=\"SPAN_KIND_SERVER\","
          + "span_name=\"GET /home\",status_code=\"STATUS_CODE_UNSET\",tailshard_node=\"sampling-7\",le=\"4\"} 40"), text);
      assertEquals(404, Http.get("http://127.0.0.1:" + promPort + "/other").statusCode());
    } finally {
      Await.result(service.shutdown());
      Await.result(vertx.close());
    }
  }
}

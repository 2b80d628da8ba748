package io.tailshard.sampling.exporter.prometheus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.metrics.v1.AggregationTemporality;
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
import io.tailshard.common.component.ComponentId;
import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.Host;
import io.tailshard.common.component.MetricsData;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.component.TracesConnector;
import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.config.HostPort;
import io.tailshard.common.telemetry.Telemetry;
import io.tailshard.common.testing.Await;
import io.tailshard.sampling.connector.spanmetrics.SpanMetricsConnectorFactory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class PrometheusExporterTest {
  private static Vertx vertx;
  private final Telemetry telemetry = Telemetry.forTests("prometheus-test");

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void closeVertx() {
    Await.result(vertx.close());
  }

  private ComponentSettings settings(ComponentKind kind, String id) {
    return new ComponentSettings(ComponentId.parse(id), kind, vertx, telemetry, Host.empty());
  }

  /** Spans of two services through a real spanmetrics connector, flushed by its shutdown. */
  private MetricsData spanMetrics(String connectorYaml) {
    SpanMetricsConnectorFactory f = new SpanMetricsConnectorFactory();
    var config = f.parseConfig(new ConfigLoader(Map.<String, String>of()::get).parse("c.yaml", connectorYaml).asMap());
    List<MetricsData> out = new ArrayList<>();
    TracesConnector c = f.createTracesToMetrics(settings(ComponentKind.CONNECTOR, "spanmetrics"), config, d -> {
      out.add(d);
      return Future.succeededFuture();
    });
    Await.result(c.start());
    ExportTraceServiceRequest.Builder req = ExportTraceServiceRequest.newBuilder();
    for (String svc : List.of("checkout", "cart")) {
      ScopeSpans.Builder ss = ScopeSpans.newBuilder();
      for (int i = 0; i < 30; i++) {
        ss.addSpans(Span.newBuilder().setName(i % 2 == 0 ? "GET /cart" : "POST \"quoted\"\\name")
            .setKind(Span.SpanKind.SPAN_KIND_SERVER)
            .setStatus(Status.newBuilder().setCode(i % 3 == 0 ? Status.StatusCode.STATUS_CODE_ERROR : Status.StatusCode.STATUS_CODE_UNSET))
            .setStartTimeUnixNano(1_000_000_000L).setEndTimeUnixNano(1_000_000_000L + i * 1_000_000L));
      }
      req.addResourceSpans(ResourceSpans.newBuilder()
          .setResource(Resource.newBuilder().addAttributes(str("service.name", svc)).addAttributes(str("service.instance.id", svc + "-1"))
              .addAttributes(str("k8s.pod.name", svc + "-pod")))
          .addScopeSpans(ss));
    }
    byte[] bytes = req.build().toByteArray();
    Await.result(c.consumeTraces(new TraceData(bytes, 60)));
    Await.result(c.shutdown());
    assertEquals(1, out.size());
    return out.get(0);
  }

  private static KeyValue str(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  private PrometheusExporter exporter(String yaml) {
    PrometheusExporterConfig config =
        PrometheusExporterConfig.parse(new ConfigLoader(Map.<String, String>of()::get).parse("p.yaml", yaml).asMap());
    return new PrometheusExporter(settings(ComponentKind.EXPORTER, "prometheus"), config, System::nanoTime);
  }

  @Test
  void namesAndLabelsAreTheCollectorExportersOnes() {
    PrometheusExporter e = exporter("endpoint: 127.0.0.1:0\n");
    Await.result(e.consumeMetrics(spanMetrics("node_id: sampling-0\n")));
    String text = e.scrape(false);
    assertTrue(text.contains("# TYPE traces_span_metrics_calls_total counter\n"), text);
    assertTrue(text.contains("# TYPE traces_span_metrics_duration_milliseconds histogram\n"), text);
    assertTrue(text.contains("traces_span_metrics_calls_total{instance=\"checkout-1\",job=\"checkout\",service_name=\"checkout\","
        + "span_kind=\"SPAN_KIND_SERVER\",span_name=\"GET /cart\",status_code=\"STATUS_CODE_ERROR\",tailshard_node=\"sampling-0\"} 5\n"), text);
    assertTrue(text.contains("traces_span_metrics_duration_milliseconds_bucket{instance=\"cart-1\",job=\"cart\",service_name=\"cart\","
        + "span_kind=\"SPAN_KIND_SERVER\",span_name=\"GET /cart\",status_code=\"STATUS_CODE_UNSET\",tailshard_node=\"sampling-0\",le=\"2\"} 1\n"), text);
    assertTrue(text.contains("span_name=\"POST \\\"quoted\\\"\\\\name\""), "label values are escaped: " + text);
    assertTrue(text.contains("traces_span_metrics_duration_milliseconds_count{"), text);
    assertTrue(text.contains("traces_span_metrics_duration_milliseconds_sum{"), text);
    assertTrue(text.contains("target_info{instance=\"checkout-1\",job=\"checkout\",k8s_pod_name=\"checkout-pod\"} 1\n"), text);
  }

  @Test
  void promtoolChecksTheExposition() throws Exception {
    File promtool = promtool();
    Assumptions.assumeTrue(promtool != null,
        "SKIPPED: promtool is not installed (Debian package 'prometheus'; .ci/run installs it)");
    PrometheusExporter ms = exporter("endpoint: 127.0.0.1:0\nconst_labels: {cluster: test}\n");
    Await.result(ms.consumeMetrics(spanMetrics("node_id: sampling-0\n")));
    Result r = run(promtool, ms.scrape(false));
    // The Collector's name ends in _milliseconds; promtool's linter prefers base units and says so
    // (exit 3). That one finding is the price of Collector-compatible names; anything else fails.
    if (r.code == 3) {
      for (String line : r.output.split("\n")) {
        assertTrue(line.isBlank() || line.contains("use base unit \"seconds\" instead of \"milliseconds\""), r.output);
      }
    } else {
      assertEquals(0, r.code, r.output);
    }
    PrometheusExporter seconds = exporter("endpoint: 127.0.0.1:0\n");
    Await.result(seconds.consumeMetrics(spanMetrics("histogram: {unit: s}\n")));
    String text = seconds.scrape(false);
    assertTrue(text.contains("traces_span_metrics_duration_seconds_bucket{"), text);
    Result clean = run(promtool, text);
    assertEquals(0, clean.code, "promtool findings: " + clean.output);
  }

  private record Result(int code, String output) {}

  private static File promtool() {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
      File f = new File(dir, "promtool");
      if (f.canExecute()) {
        return f;
      }
    }
    return null;
  }

  private static Result run(File promtool, String exposition) throws IOException, InterruptedException {
    Path in = Files.createTempFile("exposition", ".prom");
    try {
      Files.writeString(in, exposition);
      Process p = new ProcessBuilder(promtool.getPath(), "check", "metrics").redirectInput(in.toFile()).redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "promtool did not finish");
      return new Result(p.exitValue(), output);
    } finally {
      Files.deleteIfExists(in);
    }
  }

  @Test
  void deltaSumsAreServedCumulatively() {
    PrometheusExporter e = exporter("endpoint: 127.0.0.1:0\nnamespace: app\n");
    for (int i = 0; i < 3; i++) {
      Await.result(e.consumeMetrics(new MetricsData(deltaCalls(5))));
    }
    String text = e.scrape(false);
    assertTrue(text.contains("app_calls_total{job=\"svc\",op=\"x\"} 15\n"), text);
  }

  private static ExportMetricsServiceRequest deltaCalls(long v) {
    return ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(str("service.name", "svc")))
        .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName("calls").setSum(Sum.newBuilder()
            .setIsMonotonic(true).setAggregationTemporality(AggregationTemporality.AGGREGATION_TEMPORALITY_DELTA)
            .addDataPoints(NumberDataPoint.newBuilder().setAsInt(v).addAttributes(str("op", "x")))))))
        .build();
  }

  @Test
  void seriesNotUpdatedForTheExpirationLeave() {
    long[] now = {0};
    PrometheusExporterConfig config = PrometheusExporterConfig.parse(
        new ConfigLoader(Map.<String, String>of()::get).parse("p.yaml", "metric_expiration: 1m\n").asMap());
    PrometheusExporter e = new PrometheusExporter(settings(ComponentKind.EXPORTER, "prometheus/exp"), config, () -> now[0]);
    Await.result(e.consumeMetrics(new MetricsData(deltaCalls(1))));
    assertTrue(e.scrape(false).contains("calls_total"));
    now[0] = Duration.ofMinutes(2).toNanos();
    assertEquals("", e.scrape(false));
  }

  @Test
  void defaultsAreTheCollectorsWithOurEndpoint() {
    PrometheusExporterConfig c =
        PrometheusExporterConfig.parse(new ConfigLoader(Map.<String, String>of()::get).parse("p.yaml", "{}\n").asMap());
    assertEquals(new HostPort("0.0.0.0", 8889), c.endpoint());
    assertEquals(Duration.ofMinutes(5), c.metricExpiration());
    assertTrue(c.addMetricSuffixes());
    assertTrue(!c.openMetrics() && !c.resourceToTelemetry() && !c.sendTimestamps());
  }

  @Test
  void namingFollowsTheTranslator() {
    assertEquals("traces_span_metrics_calls_total",
        PrometheusNaming.metricName("traces.span.metrics.calls", "", PrometheusNaming.Kind.COUNTER, "", true));
    assertEquals("ns_http_server_duration_seconds",
        PrometheusNaming.metricName("http.server.duration", "s", PrometheusNaming.Kind.HISTOGRAM, "ns", true));
    assertEquals("requests_total", PrometheusNaming.metricName("requests", "{request}", PrometheusNaming.Kind.COUNTER, "", true));
    assertEquals("cpu_utilization_ratio", PrometheusNaming.metricName("cpu.utilization", "1", PrometheusNaming.Kind.GAUGE, "", true));
    assertEquals("traces_span_metrics_calls", PrometheusNaming.metricName("traces.span.metrics.calls", "", PrometheusNaming.Kind.COUNTER, "", false));
    assertEquals("service_name", PrometheusNaming.labelName("service.name"));
    assertEquals("key_0abc", PrometheusNaming.labelName("0abc"));
    assertEquals("key_x", PrometheusNaming.labelName("_x"));
  }
}

package io.tailshard.common.exporter.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.opentelemetry.proto.metrics.v1.Metric;
import io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import io.opentelemetry.proto.metrics.v1.Sum;
import io.tailshard.common.component.ComponentId;
import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.Host;
import io.tailshard.common.component.MetricsData;
import io.tailshard.common.component.MetricsExporter;
import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.telemetry.Telemetry;
import io.tailshard.common.testing.Await;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

class OtlpMetricsExporterTest {
  private static final ServiceMethod<Buffer, Buffer> METRICS_EXPORT = ServiceMethod.server(
      ServiceName.create("opentelemetry.proto.collector.metrics.v1.MetricsService"), "Export",
      GrpcMessageEncoder.IDENTITY, GrpcMessageDecoder.IDENTITY);

  @Test
  void theOtlpExporterSendsMetricsToMetricsServiceExport() throws Exception {
    Vertx vertx = Vertx.vertx();
    List<ExportMetricsServiceRequest> received = new CopyOnWriteArrayList<>();
    GrpcServer grpc = GrpcServer.server(vertx);
    grpc.callHandler(METRICS_EXPORT, req -> req.handler(body -> {
      try {
        received.add(ExportMetricsServiceRequest.parseFrom(body.getBytes()));
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      req.response().end(Buffer.buffer());
    }));
    HttpServer server = Await.result(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(grpc).listen());
    try {
      OtlpExporterFactory f = new OtlpExporterFactory();
      OtlpExporterConfig config = f.parseConfig(new ConfigLoader(Map.<String, String>of()::get)
          .parse("e.yaml", "endpoint: 127.0.0.1:" + server.actualPort() + "\ntls: {insecure: true}\ncompression: none\n").asMap());
      Telemetry telemetry = Telemetry.forTests("otlp-metrics");
      MetricsExporter e = f.createMetricsExporter(
          new ComponentSettings(ComponentId.of("otlp"), ComponentKind.EXPORTER, vertx, telemetry, Host.empty()), config);
      Await.result(e.start());
      ExportMetricsServiceRequest req = ExportMetricsServiceRequest.newBuilder().addResourceMetrics(ResourceMetrics.newBuilder()
          .addScopeMetrics(ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName("calls").setSum(Sum.newBuilder()
              .addDataPoints(NumberDataPoint.newBuilder().setAsInt(3))
              .addDataPoints(NumberDataPoint.newBuilder().setAsInt(4))))))
          .build();
      Await.result(e.consumeMetrics(new MetricsData(req)));
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (received.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(List.of(req), received);
      while (telemetry.metrics().sum("otelcol_exporter_sent_metric_points") < 2 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertEquals(2.0, telemetry.metrics().sum("otelcol_exporter_sent_metric_points"));
      Await.result(e.shutdown());
    } finally {
      Await.result(server.close());
      Await.result(vertx.close());
    }
  }
}

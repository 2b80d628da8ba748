package io.tailshard.common.extension.healthcheck;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.service.Service;
import io.tailshard.common.service.ServiceConfig;
import io.tailshard.common.telemetry.Telemetry;
import io.tailshard.common.testing.Await;
import io.tailshard.common.testing.Http;
import io.tailshard.common.testing.TestComponents;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HealthCheckExtensionTest {
  private final Vertx vertx = Vertx.vertx();
  private final TestComponents test = new TestComponents();

  @AfterEach
  void close() {
    Await.result(vertx.close());
  }

  @Test
  void answers503WhileStarting200WhenStartedAnd503WhileShuttingDown() throws InterruptedException {
    String yaml =
        "receivers: {test_receiver: {hold_shutdown: true}}\n"
            + "exporters: {test_exporter: {hold_start: true}}\n"
            + "extensions: {health_check: {endpoint: '127.0.0.1:0', path: /health/status}}\n"
            + "service:\n"
            + "  extensions: [health_check]\n"
            + "  pipelines:\n"
            + "    traces: {receivers: [test_receiver], exporters: [test_exporter]}\n";
    ServiceConfig config = ServiceConfig.parse(new ConfigLoader(Map.<String, String>of()::get).parse("h.yaml", yaml), test.components());
    Telemetry telemetry = Telemetry.forTests("health-test");
    Service service = Service.create(config, vertx, telemetry);

    Future<Void> start = service.start(); // the exporter holds its start: the service is starting
    String url = "http://" + waitForEndpoint(service) + "/health/status";

    HttpResponse<String> starting = Http.get(url);
    assertEquals(503, starting.statusCode());
    JsonObject body = new JsonObject(starting.body());
    assertEquals("Server not available", body.getString("status"));
    assertEquals("starting", body.getJsonObject("reasons").getString(Service.HEALTH_REPORTER));

    test.release("exporter test_exporter");
    Await.result(start);
    HttpResponse<String> ready = Http.get(url);
    assertEquals(200, ready.statusCode());
    assertEquals("application/json", ready.headers().firstValue("Content-Type").orElse(""));
    assertEquals("Server available", new JsonObject(ready.body()).getString("status"));

    Future<Void> stop = service.shutdown(); // the receiver holds its shutdown: the service is stopping
    HttpResponse<String> stopping = Http.get(url);
    assertEquals(503, stopping.statusCode());
    assertEquals("shutting down", new JsonObject(stopping.body()).getJsonObject("reasons").getString(Service.HEALTH_REPORTER));

    assertEquals(404, Http.get("http://" + waitForEndpoint(service) + "/").statusCode());
    test.release("receiver test_receiver");
    Await.result(stop);
  }

  @Test
  void aComponentsOwnReasonIsShown() {
    Telemetry telemetry = Telemetry.forTests("health-test");
    HealthCheckExtensionFactory factory = new HealthCheckExtensionFactory();
    HealthCheckExtension ext =
        (HealthCheckExtension)
            factory.createExtension(
                new io.tailshard.common.component.ComponentSettings(
                    io.tailshard.common.component.ComponentId.of("health_check"),
                    io.tailshard.common.component.ComponentKind.EXTENSION, vertx, telemetry,
                    io.tailshard.common.component.Host.empty()),
                new HealthCheckConfig(new io.tailshard.common.config.HostPort("127.0.0.1", 0), "/"));
    Await.result(ext.start());
    String url = "http://" + ext.endpoints().get(0) + "/";
    assertEquals(200, Http.get(url).statusCode());
    telemetry.health().notReady("exporter loadbalancing", "no backends in the ring");
    HttpResponse<String> r = Http.get(url);
    assertEquals(503, r.statusCode());
    assertEquals("no backends in the ring", new JsonObject(r.body()).getJsonObject("reasons").getString("exporter loadbalancing"));
    Await.result(ext.shutdown());
    Await.result(ext.shutdown());
  }

  @Test
  void shutdownWithoutStartIsSafe() {
    HealthCheckExtensionFactory factory = new HealthCheckExtensionFactory();
    io.tailshard.common.component.Component ext =
        factory.createExtension(
            new io.tailshard.common.component.ComponentSettings(
                io.tailshard.common.component.ComponentId.of("health_check"),
                io.tailshard.common.component.ComponentKind.EXTENSION, vertx, Telemetry.forTests("t"),
                io.tailshard.common.component.Host.empty()),
            HealthCheckConfig.defaults());
    Await.result(ext.shutdown());
    assertEquals(List.of(), ext.endpoints());
  }

  private static String waitForEndpoint(Service service) {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      for (String e : service.endpoints()) {
        if (e.startsWith("extension health_check=")) {
          return e.substring("extension health_check=".length());
        }
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw new AssertionError(ie);
      }
    }
    throw new AssertionError("health_check did not start listening");
  }
}

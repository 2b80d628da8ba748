package io.tailshard.common.extension.healthcheck;

import io.tailshard.common.component.Component;
import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.config.HostPort;
import io.tailshard.common.logging.Logging;
import io.tailshard.common.telemetry.Health;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.logging.Logger;

/** The running health endpoint; answers from the event loop ({@link Health} reads are lock-free). */
final class HealthCheckExtension implements Component {
  private final Vertx vertx;
  private final Health health;
  private final HealthCheckConfig config;
  private final Logger log;
  private HttpServer server;
  private HostPort bound;
  private Instant upSince;
  private Future<Void> stopped;

  HealthCheckExtension(ComponentSettings settings, HealthCheckConfig config) {
    this.vertx = settings.vertx();
    this.health = settings.telemetry().health();
    this.config = config;
    this.log = settings.logger();
  }

  @Override
  public synchronized Future<Void> start() {
    if (server != null || stopped != null) {
      return Future.failedFuture(new IllegalStateException("health_check already started or shut down"));
    }
    upSince = Instant.now();
    HostPort at = config.endpoint();
    server = vertx.createHttpServer(new HttpServerOptions().setHost(at.host()).setPort(at.port()));
    server.requestHandler(this::handle);
    return server
        .listen()
        .map(
            s -> {
              synchronized (this) {
                bound = at.withPort(s.actualPort());
              }
              log.info(Logging.kv("listening", "endpoint", bound, "path", config.path()));
              return (Void) null;
            })
        .recover(e -> Future.failedFuture(new IllegalStateException("cannot listen on " + at + ": " + e.getMessage(), e)));
  }

  private void handle(HttpServerRequest req) {
    if (!config.path().equals(req.path())) {
      req.response().setStatusCode(404).putHeader("Content-Type", "text/plain; charset=utf-8").end("not found; health is at " + config.path() + "\n");
      return;
    }
    JsonObject body = new JsonObject();
    int status;
    if (health.isReady()) {
      status = 200;
      body.put("status", "Server available")
          .put("upSince", upSince.toString())
          .put("uptime", Duration.between(upSince, Instant.now()).toMillis() / 1000.0 + "s");
    } else {
      status = 503;
      JsonObject reasons = new JsonObject();
      health.reasons().forEach(reasons::put);
      body.put("status", "Server not available").put("upSince", upSince.toString()).put("reasons", reasons);
    }
    req.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  @Override
  public synchronized List<String> endpoints() {
    return bound == null ? List.of() : List.of(bound.toString());
  }

  @Override
  public synchronized Future<Void> shutdown() {
    if (stopped == null) {
      stopped = server == null ? Future.succeededFuture() : server.close();
    }
    return stopped;
  }
}

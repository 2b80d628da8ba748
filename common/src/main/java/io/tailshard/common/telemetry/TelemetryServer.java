package io.tailshard.common.telemetry;

import io.tailshard.common.config.HostPort;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;

/**
 * Serves the node's self-metrics as Prometheus text at {@code GET /metrics} on the address of
 * {@code service.telemetry} (default {@code 0.0.0.0:8888}), as the Collector does. Answers from the
 * event loop: {@link MetricRegistry#scrape()} only reads adders and cheap suppliers. Any other path
 * is 404, any other method 405.
 *
 * <p>Thread-safe; {@link #close()} is idempotent.
 */
public final class TelemetryServer {
  /** The Prometheus text exposition format this server writes. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  private final HttpServer server;
  private final HostPort bound;
  private Future<Void> closed;

  private TelemetryServer(HttpServer server, HostPort bound) {
    this.server = server;
    this.bound = bound;
  }

  /** Binds {@code at} (port 0 picks a free port) and serves {@code metrics}. */
  public static Future<TelemetryServer> start(Vertx vertx, MetricRegistry metrics, HostPort at) {
    HttpServer server =
        vertx.createHttpServer(new HttpServerOptions().setHost(at.host()).setPort(at.port()).setCompressionSupported(true));
    server.requestHandler(req -> handle(req, metrics));
    return server
        .listen()
        .map(s -> new TelemetryServer(s, at.withPort(s.actualPort())))
        .recover(e -> Future.failedFuture(new IllegalStateException("cannot serve self-metrics on " + at + ": " + e.getMessage(), e)));
  }

  private static void handle(HttpServerRequest req, MetricRegistry metrics) {
    if (!"/metrics".equals(req.path())) {
      req.response().setStatusCode(404).putHeader("Content-Type", "text/plain; charset=utf-8").end("not found; self-metrics are at /metrics\n");
      return;
    }
    if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
      req.response().setStatusCode(405).putHeader("Allow", "GET, HEAD").end();
      return;
    }
    req.response().putHeader("Content-Type", CONTENT_TYPE).end(metrics.scrape());
  }

  /** The address actually bound (the real port when port 0 was asked). */
  public HostPort address() {
    return bound;
  }

  public synchronized Future<Void> close() {
    if (closed == null) {
      closed = server.close();
    }
    return closed;
  }
}

package io.tailshard.sampling.exporter.prometheus;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.MetricsData;
import io.tailshard.common.component.MetricsExporter;
import io.tailshard.common.config.HostPort;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The {@code prometheus} exporter: holds the latest metrics it is given (see {@link MetricStore})
 * and serves them at {@code GET /metrics} on its endpoint, in Prometheus text format, or in
 * OpenMetrics when {@code enable_open_metrics} is set and the scraper asks for it.
 *
 * <p>Rendering runs on a worker thread, not the event loop, since a large exposition takes a few
 * milliseconds. Thread-safe; shutdown is idempotent and safe without start.
 */
final class PrometheusExporter implements MetricsExporter {
  private final ComponentSettings settings;
  private final PrometheusExporterConfig config;
  private final MetricStore store;
  private final LongSupplier nanoTime;
  private HttpServer server;
  private volatile HostPort bound;
  private Future<Void> closed;

  PrometheusExporter(ComponentSettings settings, PrometheusExporterConfig config, LongSupplier nanoTime) {
    this.settings = settings;
    this.config = config;
    this.store = new MetricStore(config);
    this.nanoTime = nanoTime;
    settings.telemetry().metrics().counterFn(
        "tailshard_prometheus_exporter_skipped_points",
        "Data points the prometheus exporter cannot render in text format (exponential histograms, summaries).",
        store::skippedPoints, "exporter", settings.id().toString());
  }

  @Override
  public synchronized Future<Void> start() {
    if (server != null || closed != null) {
      return Future.succeededFuture();
    }
    HostPort at = config.endpoint();
    server = settings.vertx().createHttpServer(new HttpServerOptions().setHost(at.host()).setPort(at.port()).setCompressionSupported(true));
    server.requestHandler(this::handle);
    return server.listen()
        .<Void>map(s -> {
          bound = at.withPort(s.actualPort());
          return null;
        })
        .recover(e -> Future.failedFuture(new IllegalStateException(
            "cannot serve span metrics on " + at + ": " + e.getMessage(), e)));
  }

  @Override
  public List<String> endpoints() {
    HostPort b = bound;
    return b == null ? List.of() : List.of("http=" + b + "/metrics");
  }

  /** The address bound, once started (the real port when port 0 was asked). */
  HostPort address() {
    return bound;
  }

  @Override
  public Future<Void> consumeMetrics(MetricsData data) {
    store.accept(data, nanoTime.getAsLong());
    return Future.succeededFuture();
  }

  private void handle(HttpServerRequest req) {
    if (!"/metrics".equals(req.path())) {
      req.response().setStatusCode(404).putHeader("Content-Type", "text/plain; charset=utf-8")
          .end("not found; span metrics are at /metrics\n");
      return;
    }
    if (req.method() != HttpMethod.GET && req.method() != HttpMethod.HEAD) {
      req.response().setStatusCode(405).putHeader("Allow", "GET, HEAD").end();
      return;
    }
    String accept = req.getHeader("Accept");
    boolean openMetrics = config.openMetrics() && accept != null && accept.contains("application/openmetrics-text");
    settings.vertx()
        .executeBlocking(() -> store.render(openMetrics, nanoTime.getAsLong()), false)
        .onComplete(ar -> {
          if (ar.failed()) {
            req.response().setStatusCode(500).end("cannot render metrics: " + ar.cause().getMessage() + "\n");
            return;
          }
          req.response()
              .putHeader("Content-Type", openMetrics ? PrometheusText.OPENMETRICS_CONTENT_TYPE : PrometheusText.TEXT_CONTENT_TYPE)
              .end(ar.result());
        });
  }

  /** The exposition as a scrape would get it now (for tests and the debug path). */
  String scrape(boolean openMetrics) {
    return store.render(openMetrics, nanoTime.getAsLong());
  }

  @Override
  public synchronized Future<Void> shutdown() {
    if (closed == null) {
      closed = server == null ? Future.succeededFuture() : server.close();
    }
    return closed;
  }
}

package io.tailshard.common.service;

import io.tailshard.common.config.HostPort;
import io.tailshard.common.logging.Logging;
import io.tailshard.common.telemetry.ProcessMetrics;
import io.tailshard.common.telemetry.Telemetry;
import io.tailshard.common.telemetry.TelemetryServer;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One node of a tier running in this process: its own Vert.x, its telemetry, the self-metrics
 * server and the {@link Service}. {@link TierMain} runs one; tests and the local-cluster launcher
 * may run several side by side (each bound to its own addresses).
 *
 * <p>Thread-safe; {@link #stop} is idempotent.
 */
public final class RunningTier {
  private static final Logger LOG = Logger.getLogger("tailshard.service");

  private final Tier tier;
  private final Vertx vertx;
  private final Telemetry telemetry;
  private final Service service;
  private final TelemetryServer metricsServer;
  private Future<Void> stopped;

  private RunningTier(Tier tier, Vertx vertx, Telemetry telemetry, Service service, TelemetryServer metricsServer) {
    this.tier = tier;
    this.vertx = vertx;
    this.telemetry = telemetry;
    this.service = service;
    this.metricsServer = metricsServer;
  }

  /**
   * Starts a node: self-metrics first (so a slow start can be watched), then the service. On
   * failure everything started is stopped again, Vert.x is closed, and the future fails.
   */
  public static Future<RunningTier> start(Tier tier, ServiceConfig config) {
    Vertx vertx = Vertx.vertx();
    Telemetry telemetry = telemetryFor(tier, config.telemetry());
    // Completed off the event loops (see close): the caller may be waiting on it from anywhere.
    Promise<RunningTier> result = Promise.promise();
    Service service;
    try {
      service = Service.create(config, vertx, telemetry);
    } catch (RuntimeException e) {
      close(vertx).onComplete(x -> result.fail(e));
      return result.future();
    }
    Future<TelemetryServer> metrics;
    if (config.telemetry().metricsEnabled()) {
      ProcessMetrics.register(telemetry.metrics());
      metrics = TelemetryServer.start(vertx, telemetry.metrics(), config.telemetry().metricsEndpoint());
    } else {
      metrics = Future.succeededFuture(null);
    }
    metrics
        .transform(
            ar -> {
              if (ar.failed()) {
                return service.shutdown().transform(x -> Future.<RunningTier>failedFuture(ar.cause()));
              }
              TelemetryServer server = ar.result();
              return service
                  .start()
                  .map(v -> new RunningTier(tier, vertx, telemetry, service, server))
                  .recover(
                      e -> (server == null ? Future.<Void>succeededFuture() : server.close())
                          .transform(x -> Future.<RunningTier>failedFuture(e)));
            })
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                result.complete(ar.result());
              } else {
                close(vertx).onComplete(x -> result.fail(ar.cause()));
              }
            });
    return result.future();
  }

  /**
   * Closes Vert.x from a thread of its own. Called on one of its event loops (where the stop and
   * failure paths run), the future {@code vertx.close()} returns would report to that very event
   * loop after it has terminated, and so never complete. The returned future has no context: its
   * callbacks run on the closing thread.
   */
  private static Future<Void> close(Vertx vertx) {
    Promise<Void> closed = Promise.promise();
    Thread t = new Thread(() -> vertx.close().onComplete(closed), "tailshard-service-close");
    t.setDaemon(true);
    t.start();
    return closed.future();
  }

  /**
   * Telemetry whose labels are the resource attributes: {@code service.name} (default
   * {@code tailshard-<tier>}), {@code service.instance.id} (default a random UUID),
   * {@code service.version}, then any from {@code service.telemetry.resource}; a null value there
   * leaves the attribute out, as in the Collector.
   */
  static Telemetry telemetryFor(Tier tier, TelemetryConfig config) {
    Map<String, String> resource = new LinkedHashMap<>();
    resource.put("service.name", "tailshard-" + tier.name());
    resource.put("service.instance.id", UUID.randomUUID().toString());
    resource.put("service.version", Version.current());
    resource.putAll(config.resource());
    Map<String, String> labels = new LinkedHashMap<>();
    resource.forEach(
        (k, v) -> {
          if (v != null) {
            labels.put(labelName(k), v);
          }
        });
    String name = resource.get("service.name") != null ? resource.get("service.name") : "tailshard-" + tier.name();
    String instance = resource.get("service.instance.id") != null ? resource.get("service.instance.id") : "";
    return new Telemetry(name, instance, labels);
  }

  /** A resource attribute name as a Prometheus label name: {@code service.name} becomes {@code service_name}. */
  static String labelName(String attribute) {
    StringBuilder sb = new StringBuilder(attribute.length() + 1);
    if (attribute.isEmpty() || (attribute.charAt(0) >= '0' && attribute.charAt(0) <= '9')) {
      sb.append('_'); // a label name may not start with a digit
    }
    for (int i = 0; i < attribute.length(); i++) {
      char c = attribute.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
      sb.append(ok ? c : '_');
    }
    return sb.toString();
  }

  public Tier tier() {
    return tier;
  }

  public Telemetry telemetry() {
    return telemetry;
  }

  public Service service() {
    return service;
  }

  /** Where self-metrics are served (the real port), or empty when {@code metrics.level} is {@code none}. */
  public Optional<HostPort> metricsAddress() {
    return Optional.ofNullable(metricsServer).map(TelemetryServer::address);
  }

  /** Every bound endpoint: the self-metrics server's and those the components report. */
  public List<String> endpoints() {
    List<String> out = new ArrayList<>();
    metricsAddress().ifPresent(a -> out.add("metrics=" + a));
    out.addAll(service.endpoints());
    return out;
  }

  /**
   * Marks the node not ready, shuts the service down (producers first) within {@code grace}, then
   * closes the self-metrics server and Vert.x whatever happened. Fails if the service's shutdown
   * failed or did not finish in time. Idempotent.
   */
  public synchronized Future<Void> stop(Duration grace) {
    if (stopped != null) {
      return stopped;
    }
    Promise<Void> withinGrace = Promise.promise();
    long timer =
        vertx.setTimer(
            Math.max(1, grace.toMillis()),
            id -> withinGrace.tryFail(new TimeoutException("shutdown did not finish within " + grace.toMillis() + " ms")));
    service
        .shutdown()
        .onComplete(
            ar -> {
              vertx.cancelTimer(timer);
              if (ar.succeeded()) {
                withinGrace.tryComplete();
              } else {
                withinGrace.tryFail(ar.cause());
              }
            });
    Promise<Void> result = Promise.promise();
    withinGrace
        .future()
        .onComplete(
            ar -> {
              if (ar.failed()) {
                LOG.log(Level.WARNING, Logging.kv("shutdown incomplete", "cause", ar.cause().getMessage()));
              }
              Future<Void> closeMetrics = metricsServer == null ? Future.succeededFuture() : metricsServer.close();
              closeMetrics.onComplete(
                  x -> close(vertx)
                      .onComplete(
                          y -> {
                            if (ar.succeeded()) {
                              result.complete();
                            } else {
                              result.fail(ar.cause());
                            }
                          }));
            });
    stopped = result.future();
    return stopped;
  }
}

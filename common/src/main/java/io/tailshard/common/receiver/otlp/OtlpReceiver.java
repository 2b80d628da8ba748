package io.tailshard.common.receiver.otlp;

import io.tailshard.common.component.Component;
import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.TracesConsumer;
import io.vertx.core.Deployable;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * The {@code otlp} receiver: serves OTLP/gRPC and OTLP/HTTP trace exports on the configured
 * endpoints and hands each request's spans to the next consumer as one {@code TraceData}.
 *
 * <p>Behaviour, as the Collector's receiver and the OTLP specification have it:
 * <ul>
 *   <li>a success answer is sent only after the next consumer's future succeeded; nothing taken is
 *       dropped silently;
 *   <li>spans whose trace id is not 16 bytes or is all zeros are rejected through
 *       {@code partial_success} ({@code rejected_spans}, {@code error_message}) and the rest of the
 *       request is passed on;
 *   <li>a retryable refusal downstream, or this receiver's own in-flight limits, answer gRPC
 *       {@code UNAVAILABLE} with a {@code RetryInfo} detail, HTTP 503 with {@code Retry-After}.
 *       503 rather than 429: the specification allows both for overload, 429 speaks of a client
 *       over its quota, which this is not (the node as a whole is full), and the Collector answers
 *       503 for the same situation, so senders and alerts see what they already know;
 *   <li>permanent refusals and undecodable bodies: {@code INVALID_ARGUMENT} / 400; bodies over the
 *       size limit, before or after decompression: {@code RESOURCE_EXHAUSTED} / 413.
 * </ul>
 * The full table is in {@code docs/receiver.md}.
 *
 * <p>Each enabled protocol runs one server per available processor on the same port (Vert.x
 * shares it), each on its own event loop; with port 0 (tests) one server, as an ephemeral port is
 * not shared. {@link #start()} completes when every server listens
 * and fails, with nothing left listening, when one cannot bind. {@link #shutdown()} stops
 * accepting, gives running requests up to 5 seconds, and is idempotent and safe without start.
 * Thread-safe.
 */
public final class OtlpReceiver implements Component {
  /** The delay asked of senders refused by this receiver's own in-flight limits. */
  static final Duration OVERLOAD_RETRY_AFTER = Duration.ofSeconds(1);

  private final ComponentSettings settings;
  private final OtlpReceiverConfig config;
  private final ExportPipeline pipeline;
  private final InFlightLimiter limiter;
  private final ReceiverMetrics grpcMetrics;
  private final ReceiverMetrics httpMetrics;
  private final int serversPerProtocol;

  private final List<String> deployments = new ArrayList<>();
  private Future<Void> started;
  private Future<Void> stopped;
  private volatile int grpcPort = -1;
  private volatile int httpPort = -1;

  OtlpReceiver(ComponentSettings settings, OtlpReceiverConfig config, TracesConsumer next) {
    this.settings = settings;
    this.config = config;
    this.pipeline = new ExportPipeline(next, OVERLOAD_RETRY_AFTER, settings.logger());
    this.limiter = new InFlightLimiter(config.maxInFlightRequests(), config.maxInFlightBytes());
    String id = settings.id().toString();
    // Series only for the enabled protocols, so a dashboard does not show a transport that is off.
    this.grpcMetrics = config.grpc() == null ? null : new ReceiverMetrics(settings.telemetry().metrics(), id, "grpc");
    this.httpMetrics = config.http() == null ? null : new ReceiverMetrics(settings.telemetry().metrics(), id, "http");
    this.serversPerProtocol = Math.max(1, Runtime.getRuntime().availableProcessors());
  }

  @Override
  public synchronized Future<Void> start() {
    if (started != null) {
      return started;
    }
    if (stopped != null) {
      return started = Future.failedFuture(new IllegalStateException("receiver " + settings.id() + " was shut down"));
    }
    List<Future<Integer>> binds = new ArrayList<>();
    if (config.grpc() != null) {
      OtlpReceiverConfig.Grpc g = config.grpc();
      binds.add(deploy("grpc", g.endpoint(),
          port -> new GrpcIngestVerticle(g, port, pipeline, limiter, grpcMetrics),
          v -> ((GrpcIngestVerticle) v).actualPort())
          .onSuccess(p -> grpcPort = p));
    }
    if (config.http() != null) {
      OtlpReceiverConfig.Http h = config.http();
      binds.add(deploy("http", h.endpoint(),
          port -> new HttpIngestVerticle(h, port, pipeline, limiter, httpMetrics),
          v -> ((HttpIngestVerticle) v).actualPort())
          .onSuccess(p -> httpPort = p));
    }
    started = Future.join(binds).transform(ar -> {
      if (ar.succeeded()) {
        settings.logger().info(() -> "otlp receiver " + settings.id() + " listening: grpc "
            + (grpcPort < 0 ? "off" : config.grpc().endpoint().host() + ":" + grpcPort) + ", http "
            + (httpPort < 0 ? "off" : config.http().endpoint().host() + ":" + httpPort));
        return Future.<Void>succeededFuture();
      }
      // Roll back: whatever did bind is closed before the failure is reported.
      return undeployAll().transform(ignored -> Future.<Void>failedFuture(ar.cause()));
    });
    return started;
  }

  @Override
  public synchronized Future<Void> shutdown() {
    if (stopped != null) {
      return stopped;
    }
    Future<Void> afterStart = started == null ? Future.succeededFuture() : started.transform(ar -> Future.<Void>succeededFuture());
    stopped = afterStart.compose(v -> undeployAll());
    return stopped;
  }

  /** The bound gRPC port (useful with port 0), or -1 when gRPC is off or not started. */
  public int grpcPort() {
    return grpcPort;
  }

  /** The bound HTTP port (useful with port 0), or -1 when HTTP is off or not started. */
  public int httpPort() {
    return httpPort;
  }

  /**
   * Deploys the servers of one protocol and yields the port they listen on. Vert.x shares a port
   * among servers that listen on the same host and port; an ephemeral port (0) is not shared (each
   * server would get its own), so with port 0, as in tests, one server is deployed.
   */
  private Future<Integer> deploy(String protocol, OtlpReceiverConfig.Endpoint endpoint,
      IntFunction<Deployable> make, ToIntFunction<Deployable> actualPort) {
    int instances = endpoint.port() == 0 ? 1 : serversPerProtocol;
    List<Deployable> made = new CopyOnWriteArrayList<>();
    Supplier<Deployable> supplier = () -> {
      Deployable d = make.apply(endpoint.port());
      made.add(d);
      return d;
    };
    return settings.vertx().deployVerticle(supplier, new DeploymentOptions().setInstances(instances))
        .recover(e -> Future.failedFuture(new IllegalStateException(
            "otlp receiver " + settings.id() + ": cannot listen on the " + protocol + " endpoint " + endpoint + ": " + e.getMessage(), e)))
        .map(id -> {
          track(id);
          return actualPort.applyAsInt(made.get(0));
        });
  }

  private synchronized void track(String deploymentId) {
    deployments.add(deploymentId);
  }

  private Future<Void> undeployAll() {
    List<String> ids;
    synchronized (this) {
      ids = new ArrayList<>(deployments);
      deployments.clear();
    }
    List<Future<Void>> undeployed = new ArrayList<>();
    for (String id : ids) {
      undeployed.add(settings.vertx().undeploy(id));
    }
    grpcPort = -1;
    httpPort = -1;
    return Future.join(undeployed).mapEmpty();
  }
}

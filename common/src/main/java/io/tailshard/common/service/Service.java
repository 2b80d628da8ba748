package io.tailshard.common.service;

import io.tailshard.common.component.Component;
import io.tailshard.common.component.ComponentId;
import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.ConnectorFactory;
import io.tailshard.common.component.ExporterFactory;
import io.tailshard.common.component.ExtensionFactory;
import io.tailshard.common.component.Host;
import io.tailshard.common.component.KeptTraces;
import io.tailshard.common.component.MetricsConsumer;
import io.tailshard.common.component.MetricsExporter;
import io.tailshard.common.component.MetricsExporterFactory;
import io.tailshard.common.component.ProcessorFactory;
import io.tailshard.common.component.ReceiverFactory;
import io.tailshard.common.component.TracesConnector;
import io.tailshard.common.component.TracesConsumer;
import io.tailshard.common.component.TracesExporter;
import io.tailshard.common.component.TracesProcessor;
import io.tailshard.common.config.ConfigException;
import io.tailshard.common.logging.Logging;
import io.tailshard.common.telemetry.Telemetry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The running graph of one {@link ServiceConfig}: the extensions listed in
 * {@code service.extensions}, and for each pipeline its exporters, its processors chained in the
 * order given, and its receivers. Traces and metrics pipelines are built; a connector (such as
 * {@code spanmetrics}) is the exporter of traces pipelines and the receiver of metrics pipelines,
 * as in the Collector. A receiver or connector named in several pipelines is one instance feeding
 * all of them through a fan-out; an exporter named in several pipelines of one signal is one
 * instance; a processor is one instance per pipeline.
 *
 * <p>Lifecycle: {@link #start()} starts consumers first (extensions, exporters, then pipeline by
 * pipeline with the pipelines a connector feeds before the connector and the connector before the
 * processors that feed it, each pipeline's processors from last to first, receivers last), one at
 * a time, so no component hands data to one that is not running. If one fails to start, those attempted so far are shut down again, newest
 * first, and the start fails with the cause named after the component. {@link #shutdown()} stops
 * producers first (the reverse order), goes on past failures, and is idempotent; it is safe
 * before, during and after {@code start()}.
 *
 * <p>Health: the service reports itself not ready (reporter {@value #HEALTH_REPORTER}) from
 * creation until start completes, and again from the moment shutdown begins.
 *
 * <p>Thread-safe: start and shutdown may be called from any thread; components are started and
 * stopped from the threads their futures complete on.
 */
public final class Service implements Host {
  /** The name under which the service reports its own readiness in {@link io.tailshard.common.telemetry.Health}. */
  public static final String HEALTH_REPORTER = "service";

  private static final Logger LOG = Logger.getLogger("tailshard.service");

  private enum State {
    NEW,
    STARTING,
    STARTED,
    FAILED,
    STOPPED
  }

  /** One component with the name it has in messages, e.g. {@code processor batch (pipeline traces)}. */
  private record Node(String label, Component component) {}

  private final ServiceConfig config;
  private final Vertx vertx;
  private final Telemetry telemetry;
  private final Map<ComponentId, Component> extensions = new LinkedHashMap<>();
  private final KeptTraces keptTraces = KeptTraces.create();
  private final List<Node> startOrder = new ArrayList<>();
  /** Every component made so far, in creation order; used only when creation fails half-way. */
  private final List<Component> created = new ArrayList<>();
  /** Components whose start was called, in order; what a rollback or shutdown must stop. */
  private final List<Node> attempted = new ArrayList<>();

  private State state = State.NEW;
  private boolean stopRequested;
  private Future<Void> startFuture;
  private Future<Void> shutdownFuture;

  private Service(ServiceConfig config, Vertx vertx, Telemetry telemetry) {
    this.config = config;
    this.vertx = vertx;
    this.telemetry = telemetry;
  }

  /**
   * Creates every component of the graph without starting any. A factory that throws makes this
   * throw too, after the components created so far have been shut down.
   */
  public static Service create(ServiceConfig config, Vertx vertx, Telemetry telemetry) {
    Service s = new Service(config, vertx, telemetry);
    telemetry.health().notReady(HEALTH_REPORTER, "starting");
    try {
      s.build();
    } catch (RuntimeException e) {
      // Shutdown is safe without start and releases whatever creation took; nothing to wait for.
      for (int i = s.created.size() - 1; i >= 0; i--) {
        try {
          s.created.get(i).shutdown();
        } catch (RuntimeException ignored) {
          // The creation failure is the error to report.
        }
      }
      throw e;
    }
    return s;
  }

  public ServiceConfig config() {
    return config;
  }

  @Override
  public <T> Optional<T> extension(ComponentId id, Class<T> type) {
    Component c = extensions.get(id);
    return type.isInstance(c) ? Optional.of(type.cast(c)) : Optional.empty();
  }

  @Override
  public <T> List<T> extensions(Class<T> type) {
    List<T> out = new ArrayList<>();
    for (Component c : extensions.values()) {
      if (type.isInstance(c)) {
        out.add(type.cast(c));
      }
    }
    return out;
  }

  @Override
  public KeptTraces keptTraces() {
    return keptTraces;
  }

  /** What the components listen on, e.g. {@code extension health_check=0.0.0.0:13133}; meaningful once started. */
  public List<String> endpoints() {
    List<String> out = new ArrayList<>();
    for (Node n : startOrder) {
      for (String e : n.component().endpoints()) {
        out.add(n.label() + "=" + e);
      }
    }
    return out;
  }

  /** Starts the graph, consumers first; completes when every component has started. Call once. */
  public Future<Void> start() {
    Promise<Void> done = Promise.promise();
    synchronized (this) {
      if (state != State.NEW || stopRequested) {
        return Future.failedFuture(new IllegalStateException("the service can be started once, before shutdown"));
      }
      state = State.STARTING;
      startFuture = done.future();
    }
    Future<Void> chain = Future.succeededFuture();
    for (Node n : startOrder) {
      chain = chain.compose(v -> startOne(n));
    }
    chain.onComplete(
        ar -> {
          if (ar.succeeded()) {
            synchronized (this) {
              state = State.STARTED;
              if (!stopRequested) {
                telemetry.health().ready(HEALTH_REPORTER);
              }
            }
            done.complete();
            return;
          }
          boolean cutShort;
          synchronized (this) {
            cutShort = stopRequested;
          }
          LOG.log(
              cutShort ? Level.INFO : Level.SEVERE,
              Logging.kv(
                  cutShort ? "start cut short by shutdown, stopping what was started" : "start failed, stopping what was started",
                  "cause", ar.cause().getMessage()));
          stopAll(attemptedNewestFirst())
              .onComplete(
                  x -> {
                    synchronized (this) {
                      state = State.FAILED;
                      if (!stopRequested) {
                        telemetry.health().notReady(HEALTH_REPORTER, "start failed: " + ar.cause().getMessage());
                      }
                    }
                    done.fail(ar.cause());
                  });
        });
    return done.future();
  }

  /**
   * Stops the graph, producers first. Idempotent: later calls return the first call's future. If
   * a start is under way, it is cut short and what it started is stopped. Completes when every
   * component has been asked to stop; fails with the first failure after trying them all.
   */
  public Future<Void> shutdown() {
    synchronized (this) {
      if (shutdownFuture != null) {
        return shutdownFuture;
      }
      stopRequested = true;
      telemetry.health().notReady(HEALTH_REPORTER, "shutting down");
      switch (state) {
        case NEW:
          // Never started: shutdown is safe without start, and releases what creation took.
          List<Node> all = new ArrayList<>(startOrder);
          Collections.reverse(all);
          shutdownFuture = stopAll(all);
          break;
        case STARTING:
          // The start chain sees stopRequested and stops at the next component; wait for it.
          shutdownFuture =
              startFuture.transform(ar -> ar.succeeded() ? stopAll(attemptedNewestFirst()) : Future.succeededFuture());
          break;
        case STARTED:
          shutdownFuture = stopAll(attemptedNewestFirst());
          break;
        default:
          // A failed start has already stopped what it started.
          shutdownFuture = Future.succeededFuture();
      }
      shutdownFuture = shutdownFuture.andThen(ar -> markStopped());
      return shutdownFuture;
    }
  }

  private synchronized void markStopped() {
    state = State.STOPPED;
  }

  private synchronized List<Node> attemptedNewestFirst() {
    List<Node> out = new ArrayList<>(attempted);
    Collections.reverse(out);
    return out;
  }

  private Future<Void> startOne(Node n) {
    synchronized (this) {
      if (stopRequested) {
        return Future.failedFuture(new IllegalStateException("shutdown was requested before " + n.label() + " started"));
      }
      // Recorded before the call: a component whose start fails half-way is shut down on rollback
      // too (shutdown is safe after any start), so a port it did bind is released.
      attempted.add(n);
    }
    LOG.fine(() -> Logging.kv("starting", "component", n.label()));
    return call(n.component()::start)
        .recover(cause -> Future.failedFuture(new IllegalStateException(n.label() + " failed to start: " + cause.getMessage(), cause)));
  }

  /** Shuts the nodes down one after another; every node is tried, the first failure is reported. */
  private Future<Void> stopAll(List<Node> nodes) {
    List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
    Future<Void> chain = Future.succeededFuture();
    for (Node n : nodes) {
      chain =
          chain.compose(
              v -> call(n.component()::shutdown)
                  .recover(
                      cause -> {
                        LOG.log(Level.WARNING, Logging.kv("shutdown failed", "component", n.label()), cause);
                        failures.add(new IllegalStateException(n.label() + " failed to shut down: " + cause.getMessage(), cause));
                        return Future.succeededFuture();
                      }));
    }
    return chain.compose(v -> failures.isEmpty() ? Future.succeededFuture() : Future.failedFuture(failures.get(0)));
  }

  /** Calls a lifecycle method; a throw or a null future becomes a failed future. */
  private static Future<Void> call(Supplier<Future<Void>> lifecycle) {
    try {
      Future<Void> f = lifecycle.get();
      return f != null ? f : Future.failedFuture(new IllegalStateException("a lifecycle method returned null"));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  // ---- building the graph ----

  private void build() {
    for (ComponentId id : config.extensions()) {
      ComponentConfig c = config.component(ComponentKind.EXTENSION, id).orElseThrow();
      Component ext = create(c, () -> createExtension(c));
      extensions.put(id, ext);
      startOrder.add(new Node("extension " + id, ext));
    }

    // Exporters first (one instance per id and signal), in config order: every pipeline ends in them.
    Map<ComponentId, TracesExporter> tracesExporters = new LinkedHashMap<>();
    Map<ComponentId, MetricsExporter> metricsExporters = new LinkedHashMap<>();
    for (PipelineConfig p : config.pipelines().values()) {
      for (ComponentId id : p.exporters()) {
        ComponentConfig c = config.resolve(SignalSupport.Role.EXPORTER, id);
        if (c.kind() == ComponentKind.CONNECTOR) {
          continue;
        }
        if (p.id().signal() == Signal.TRACES && !tracesExporters.containsKey(id)) {
          TracesExporter e = create(c, () -> createExporter(c));
          tracesExporters.put(id, e);
          startOrder.add(new Node("exporter " + id, e));
        } else if (p.id().signal() == Signal.METRICS && !metricsExporters.containsKey(id)) {
          MetricsExporter e = create(c, () -> createMetricsExporter(c));
          metricsExporters.put(id, e);
          startOrder.add(new Node("exporter " + id, e));
        }
      }
    }

    // Then pipelines, each after the pipelines its connectors feed, so that a connector is created
    // (and started) after everything downstream of it and before the processors upstream of it.
    Map<PipelineId, MetricsConsumer> metricsHeads = new LinkedHashMap<>();
    Map<ComponentId, TracesConnector> connectors = new LinkedHashMap<>();
    Map<ComponentId, List<TracesConsumer>> receiverHeads = new LinkedHashMap<>();
    for (PipelineConfig p : downstreamFirst()) {
      if (p.id().signal() == Signal.METRICS) {
        // SignalSupport lets only connectors be receivers of a metrics pipeline, and no processor.
        List<MetricsConsumer> ends = new ArrayList<>();
        p.exporters().forEach(id -> ends.add(metricsExporters.get(id)));
        metricsHeads.put(p.id(), MetricsFanOut.of(ends));
        continue;
      }
      if (p.id().signal() != Signal.TRACES) {
        throw new IllegalStateException("pipeline " + p.id() + " got through the checks but its signal is not built");
      }
      List<TracesConsumer> ends = new ArrayList<>();
      for (ComponentId id : p.exporters()) {
        ComponentConfig c = config.resolve(SignalSupport.Role.EXPORTER, id);
        if (c.kind() != ComponentKind.CONNECTOR) {
          ends.add(tracesExporters.get(id));
          continue;
        }
        TracesConnector conn = connectors.get(id);
        if (conn == null) {
          MetricsConsumer next = MetricsFanOut.of(fedBy(id, metricsHeads));
          conn = create(c, () -> createConnector(c, next));
          connectors.put(id, conn);
          startOrder.add(new Node("connector " + id, conn));
        }
        ends.add(conn);
      }
      // Processors are made from the last to the first, each with the consumer after it; that is
      // also the order they start in.
      TracesConsumer next = FanOutConsumer.of(ends);
      for (int i = p.processors().size() - 1; i >= 0; i--) {
        ComponentConfig c = config.resolve(SignalSupport.Role.PROCESSOR, p.processors().get(i));
        TracesConsumer downstream = next;
        TracesProcessor proc = create(c, () -> createProcessor(c, downstream));
        startOrder.add(new Node("processor " + c.id() + " (pipeline " + p.id() + ")", proc));
        next = proc;
      }
      for (ComponentId id : p.receivers()) {
        receiverHeads.computeIfAbsent(id, k -> new ArrayList<>()).add(next);
      }
    }
    // Receivers last: they are the producers of every pipeline.
    for (Map.Entry<ComponentId, List<TracesConsumer>> e : receiverHeads.entrySet()) {
      ComponentConfig c = config.resolve(SignalSupport.Role.RECEIVER, e.getKey());
      TracesConsumer next = FanOutConsumer.of(e.getValue());
      Component r = create(c, () -> createReceiver(c, next));
      startOrder.add(new Node("receiver " + e.getKey(), r));
    }
  }

  /** The heads of the metrics pipelines that receive from connector {@code id}, built already. */
  private List<MetricsConsumer> fedBy(ComponentId id, Map<PipelineId, MetricsConsumer> metricsHeads) {
    List<MetricsConsumer> out = new ArrayList<>();
    for (PipelineConfig q : config.pipelines().values()) {
      if (q.receivers().contains(id) && q.id().signal() == Signal.METRICS) {
        out.add(metricsHeads.get(q.id()));
      }
    }
    return out;
  }

  /**
   * The pipelines ordered so that every pipeline comes after the pipelines its connectors feed;
   * otherwise in config order (so a config without connectors builds exactly as written). The
   * parser makes sure every connector is used on both sides.
   */
  private List<PipelineConfig> downstreamFirst() {
    List<PipelineConfig> out = new ArrayList<>();
    Map<PipelineId, Boolean> state = new LinkedHashMap<>(); // false: on the current path, true: placed
    for (PipelineConfig p : config.pipelines().values()) {
      place(p, state, out);
    }
    return out;
  }

  private void place(PipelineConfig p, Map<PipelineId, Boolean> state, List<PipelineConfig> out) {
    Boolean s = state.get(p.id());
    if (Boolean.TRUE.equals(s)) {
      return;
    }
    if (Boolean.FALSE.equals(s)) {
      throw ConfigException.at(p.node(), "pipeline '" + p.id() + "' feeds itself through connectors; connectors must not form a cycle");
    }
    state.put(p.id(), false);
    for (ComponentId id : p.exporters()) {
      if (config.component(ComponentKind.CONNECTOR, id).isEmpty()) {
        continue;
      }
      for (PipelineConfig q : config.pipelines().values()) {
        if (q.receivers().contains(id)) {
          place(q, state, out);
        }
      }
    }
    state.put(p.id(), true);
    out.add(p);
  }

  private <T extends Component> T create(ComponentConfig c, Supplier<T> make) {
    T made;
    try {
      made = make.get();
    } catch (ConfigException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot create " + c.kind().word() + " " + c.id() + ": " + e.getMessage(), e);
    }
    if (made == null) {
      throw new IllegalStateException("the factory of " + c.kind().word() + " " + c.id() + " returned null");
    }
    created.add(made);
    return made;
  }

  private ComponentSettings settings(ComponentConfig c) {
    return new ComponentSettings(c.id(), c.kind(), vertx, telemetry, this);
  }

  // The factory's config type C was produced by that same factory's parseConfig, so the casts hold.
  @SuppressWarnings("unchecked")
  private Component createExtension(ComponentConfig c) {
    return ((ExtensionFactory<Object>) c.factory()).createExtension(settings(c), c.config());
  }

  @SuppressWarnings("unchecked")
  private TracesExporter createExporter(ComponentConfig c) {
    return ((ExporterFactory<Object>) c.factory()).createTracesExporter(settings(c), c.config());
  }

  @SuppressWarnings("unchecked")
  private MetricsExporter createMetricsExporter(ComponentConfig c) {
    return ((MetricsExporterFactory<Object>) c.factory()).createMetricsExporter(settings(c), c.config());
  }

  @SuppressWarnings("unchecked")
  private TracesConnector createConnector(ComponentConfig c, MetricsConsumer next) {
    return ((ConnectorFactory<Object>) c.factory()).createTracesToMetrics(settings(c), c.config(), next);
  }

  @SuppressWarnings("unchecked")
  private TracesProcessor createProcessor(ComponentConfig c, TracesConsumer next) {
    return ((ProcessorFactory<Object>) c.factory()).createTracesProcessor(settings(c), c.config(), next);
  }

  @SuppressWarnings("unchecked")
  private Component createReceiver(ComponentConfig c, TracesConsumer next) {
    return ((ReceiverFactory<Object>) c.factory()).createTracesReceiver(settings(c), c.config(), next);
  }
}

package io.tailshard.common.service;

import io.tailshard.common.component.Component;
import io.tailshard.common.component.ComponentId;
import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.ExporterFactory;
import io.tailshard.common.component.ExtensionFactory;
import io.tailshard.common.component.Host;
import io.tailshard.common.component.ProcessorFactory;
import io.tailshard.common.component.ReceiverFactory;
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
 * {@code service.extensions}, and for each traces pipeline its exporters, its processors chained in
 * the order given, and its receivers. A receiver named in several pipelines is one instance feeding
 * all of them through a {@link FanOutConsumer}; an exporter named in several pipelines is one
 * instance; a processor is one instance per pipeline, as in the Collector.
 *
 * <p>Lifecycle: {@link #start()} starts consumers first (extensions, exporters, processors from the
 * last in each pipeline to the first, receivers), one at a time, so no component hands data to one
 * that is not running. If one fails to start, those attempted so far are shut down again, newest
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

    Map<ComponentId, TracesExporter> exporters = new LinkedHashMap<>();
    List<Node> processors = new ArrayList<>();
    Map<ComponentId, List<TracesConsumer>> receiverHeads = new LinkedHashMap<>();
    for (PipelineConfig p : config.pipelines().values()) {
      if (p.id().signal() != Signal.TRACES) {
        // SignalSupport refuses such pipelines while no component carries other signals.
        throw new IllegalStateException("only traces pipelines are built; pipeline " + p.id() + " got through the checks");
      }
      List<TracesConsumer> pipelineExporters = new ArrayList<>();
      for (ComponentId id : p.exporters()) {
        TracesExporter e = exporters.get(id);
        if (e == null) {
          ComponentConfig c = config.resolve(SignalSupport.Role.EXPORTER, id);
          e = create(c, () -> createExporter(c));
          exporters.put(id, e);
          startOrder.add(new Node("exporter " + id, e));
        }
        pipelineExporters.add(e);
      }
      // Processors are made from the last to the first, each with the consumer after it; that is
      // also the order they start in.
      TracesConsumer next = FanOutConsumer.of(pipelineExporters);
      for (int i = p.processors().size() - 1; i >= 0; i--) {
        ComponentConfig c = config.resolve(SignalSupport.Role.PROCESSOR, p.processors().get(i));
        TracesConsumer downstream = next;
        TracesProcessor proc = create(c, () -> createProcessor(c, downstream));
        processors.add(new Node("processor " + c.id() + " (pipeline " + p.id() + ")", proc));
        next = proc;
      }
      for (ComponentId id : p.receivers()) {
        receiverHeads.computeIfAbsent(id, k -> new ArrayList<>()).add(next);
      }
    }
    // Until now startOrder held extensions and exporters; processors come next, receivers last.
    startOrder.addAll(processors);
    for (Map.Entry<ComponentId, List<TracesConsumer>> e : receiverHeads.entrySet()) {
      ComponentConfig c = config.resolve(SignalSupport.Role.RECEIVER, e.getKey());
      TracesConsumer next = FanOutConsumer.of(e.getValue());
      Component r = create(c, () -> createReceiver(c, next));
      startOrder.add(new Node("receiver " + e.getKey(), r));
    }
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
  private TracesProcessor createProcessor(ComponentConfig c, TracesConsumer next) {
    return ((ProcessorFactory<Object>) c.factory()).createTracesProcessor(settings(c), c.config(), next);
  }

  @SuppressWarnings("unchecked")
  private Component createReceiver(ComponentConfig c, TracesConsumer next) {
    return ((ReceiverFactory<Object>) c.factory()).createTracesReceiver(settings(c), c.config(), next);
  }
}

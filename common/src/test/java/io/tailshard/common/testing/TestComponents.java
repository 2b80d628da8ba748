package io.tailshard.common.testing;

import io.tailshard.common.component.Component;
import io.tailshard.common.component.ComponentFactory;
import io.tailshard.common.component.ComponentId;
import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.Components;
import io.tailshard.common.component.ExporterFactory;
import io.tailshard.common.component.ExtensionFactory;
import io.tailshard.common.component.ProcessorFactory;
import io.tailshard.common.component.ReceiverFactory;
import io.tailshard.common.component.RefusedException;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.component.TracesConsumer;
import io.tailshard.common.component.TracesExporter;
import io.tailshard.common.component.TracesProcessor;
import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.extension.healthcheck.HealthCheckExtensionFactory;
import io.tailshard.common.service.PlannedTypes;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Small real components for tests of the service graph: a receiver the test pushes data into, a
 * processor and an exporter that record what passes, an extension, and a connector type that no
 * pipeline can use yet. Every lifecycle call and every data hop is written to one shared
 * {@link #events()} log, e.g. {@code start exporter out}, {@code export out 3}.
 *
 * <p>Behaviour is set in YAML: {@code fail_create: true} makes a receiver or processor factory
 * throw, {@code fail_start: true} makes start fail, {@code hold_start: true}
 * / {@code hold_shutdown: true} make start or shutdown wait until the test {@link #release}s them,
 * an exporter's {@code refuse: retryable|permanent} refuses all data.
 */
public final class TestComponents {
  public static final String RECEIVER = "test_receiver";
  public static final String PROCESSOR = "test_processor";
  public static final String EXPORTER = "test_exporter";
  public static final String EXTENSION = "test_extension";
  public static final String CONNECTOR = "test_connector";

  private final List<String> events = new CopyOnWriteArrayList<>();
  private final Map<String, Promise<Void>> holds = new ConcurrentHashMap<>();
  private final Map<ComponentId, List<TestReceiver>> receivers = new ConcurrentHashMap<>();
  private final Map<ComponentId, List<TestExporter>> exporters = new ConcurrentHashMap<>();

  /** Lifecycle behaviour common to all test components. */
  public record Behaviour(boolean failCreate, boolean failStart, boolean holdStart, boolean holdShutdown) {
    static Behaviour read(ConfigMap block) {
      return new Behaviour(
          block.bool("fail_create", false), block.bool("fail_start", false), block.bool("hold_start", false),
          block.bool("hold_shutdown", false));
    }
  }

  /** The exporter's config: behaviour plus options of each value type, for config-error tests. */
  public record ExporterConfig(Behaviour behaviour, String refuse, Duration timeout, long maxSize) {}

  /** Everything that happened, in order. */
  public List<String> events() {
    return Collections.unmodifiableList(new ArrayList<>(events));
  }

  /** Lets a held start or shutdown of {@code kind id} (e.g. {@code "exporter out"}) complete. */
  public void release(String kindAndId) {
    hold(kindAndId).tryComplete();
  }

  /** The receivers created for {@code id} (one, when the graph is right). */
  public List<TestReceiver> receivers(String id) {
    return receivers.getOrDefault(ComponentId.parse(id), List.of());
  }

  public List<TestExporter> exporters(String id) {
    return exporters.getOrDefault(ComponentId.parse(id), List.of());
  }

  /** A registry with the test types, health_check, and the planned Collector types. */
  public Components components() {
    return components(List.of());
  }

  /** The same registry plus {@code extra} factories (real components under test). */
  public Components components(List<? extends ComponentFactory<?>> extra) {
    Components.Builder b = PlannedTypes.register(Components.builder())
        .add(new ReceiverF())
        .add(new ProcessorF())
        .add(new ExporterF())
        .add(new ExtensionF())
        .add(new ConnectorF())
        .add(new HealthCheckExtensionFactory());
    extra.forEach(b::add);
    return b.build();
  }

  private static void failIfAsked(Behaviour b) {
    if (b.failCreate()) {
      throw new IllegalArgumentException("configured to fail at creation");
    }
  }

  private Promise<Void> hold(String key) {
    return holds.computeIfAbsent(key, k -> Promise.promise());
  }

  /** The lifecycle all test components share. */
  private abstract class Base implements Component {
    final String name;
    final Behaviour behaviour;

    Base(String kind, ComponentId id, Behaviour behaviour) {
      this.name = kind + " " + id;
      this.behaviour = behaviour;
    }

    @Override
    public Future<Void> start() {
      events.add("start " + name);
      if (behaviour.failStart()) {
        return Future.failedFuture(new IllegalStateException("configured to fail"));
      }
      return behaviour.holdStart() ? hold(name).future() : Future.succeededFuture();
    }

    @Override
    public Future<Void> shutdown() {
      events.add("shutdown " + name);
      return behaviour.holdShutdown() ? hold(name).future() : Future.succeededFuture();
    }
  }

  /** A receiver whose data comes from the test through {@link #push}. */
  public final class TestReceiver extends Base {
    private final TracesConsumer next;

    TestReceiver(ComponentId id, Behaviour b, TracesConsumer next) {
      super("receiver", id, b);
      this.next = next;
    }

    public Future<Void> push(TraceData data) {
      return next.consumeTraces(data);
    }
  }

  /** An exporter that keeps what it gets, or refuses it. */
  public final class TestExporter extends Base implements TracesExporter {
    private final ComponentId id;
    private final ExporterConfig config;
    private final List<TraceData> received = new CopyOnWriteArrayList<>();

    TestExporter(ComponentId id, ExporterConfig config) {
      super("exporter", id, config.behaviour());
      this.id = id;
      this.config = config;
    }

    @Override
    public Future<Void> consumeTraces(TraceData data) {
      events.add("export " + id + " " + data.spanCount());
      switch (config.refuse()) {
        case "retryable":
          return Future.failedFuture(RefusedException.retryable(id + " is full"));
        case "permanent":
          return Future.failedFuture(RefusedException.permanent(id + " cannot take this"));
        default:
          received.add(data);
          return Future.succeededFuture();
      }
    }

    public List<TraceData> received() {
      return List.copyOf(received);
    }
  }

  private final class TestProcessor extends Base implements TracesProcessor {
    private final ComponentId id;
    private final TracesConsumer next;

    TestProcessor(ComponentId id, Behaviour b, TracesConsumer next) {
      super("processor", id, b);
      this.id = id;
      this.next = next;
    }

    @Override
    public Future<Void> consumeTraces(TraceData data) {
      events.add("process " + id + " " + data.spanCount());
      return next.consumeTraces(data);
    }
  }

  private final class ReceiverF implements ReceiverFactory<Behaviour> {
    @Override
    public String type() {
      return RECEIVER;
    }

    @Override
    public Behaviour parseConfig(ConfigMap block) {
      Behaviour b = Behaviour.read(block);
      block.done();
      return b;
    }

    @Override
    public Component createTracesReceiver(ComponentSettings s, Behaviour config, TracesConsumer next) {
      failIfAsked(config);
      TestReceiver r = new TestReceiver(s.id(), config, next);
      receivers.computeIfAbsent(s.id(), k -> new CopyOnWriteArrayList<>()).add(r);
      return r;
    }
  }

  private final class ProcessorF implements ProcessorFactory<Behaviour> {
    @Override
    public String type() {
      return PROCESSOR;
    }

    @Override
    public Behaviour parseConfig(ConfigMap block) {
      Behaviour b = Behaviour.read(block);
      block.done();
      return b;
    }

    @Override
    public TracesProcessor createTracesProcessor(ComponentSettings s, Behaviour config, TracesConsumer next) {
      failIfAsked(config);
      return new TestProcessor(s.id(), config, next);
    }
  }

  private final class ExporterF implements ExporterFactory<ExporterConfig> {
    @Override
    public String type() {
      return EXPORTER;
    }

    @Override
    public ExporterConfig parseConfig(ConfigMap block) {
      ExporterConfig c =
          new ExporterConfig(
              Behaviour.read(block),
              block.oneOf("refuse", "none", "none", "retryable", "permanent"),
              block.duration("timeout", Duration.ofSeconds(5)),
              block.bytes("max_size", 1 << 20));
      block.done();
      return c;
    }

    @Override
    public TracesExporter createTracesExporter(ComponentSettings s, ExporterConfig config) {
      TestExporter e = new TestExporter(s.id(), config);
      exporters.computeIfAbsent(s.id(), k -> new CopyOnWriteArrayList<>()).add(e);
      return e;
    }
  }

  private final class ExtensionF implements ExtensionFactory<Behaviour> {
    @Override
    public String type() {
      return EXTENSION;
    }

    @Override
    public Behaviour parseConfig(ConfigMap block) {
      Behaviour b = Behaviour.read(block);
      block.done();
      return b;
    }

    @Override
    public Component createExtension(ComponentSettings s, Behaviour config) {
      return new Base("extension", s.id(), config) {};
    }
  }

  /** A connector type: parses, but carries no signal, like every connector until one is built. */
  private static final class ConnectorF implements ComponentFactory<Object> {
    @Override
    public String type() {
      return CONNECTOR;
    }

    @Override
    public ComponentKind kind() {
      return ComponentKind.CONNECTOR;
    }

    @Override
    public Object parseConfig(ConfigMap block) {
      block.done();
      return new Object();
    }
  }
}

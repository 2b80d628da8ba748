package io.tailshard.common.service;

import io.tailshard.common.component.ComponentFactory;
import io.tailshard.common.component.ComponentId;
import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.Components;
import io.tailshard.common.config.ConfigException;
import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.config.ConfigNode;
import io.tailshard.common.config.HostPort;
import io.tailshard.common.logging.LogLevel;
import io.tailshard.common.service.SignalSupport.Role;
import io.tailshard.common.service.TelemetryConfig.MetricsLevel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A whole Collector-style configuration, parsed and checked: the components of each section (each
 * block read by its factory into a config record), the pipelines, the enabled extensions and the
 * self-telemetry settings. Everything is strict: an unknown section, component type, key or value
 * is a {@link ConfigException} naming file, line, key path and what is allowed.
 *
 * <p>Building a {@code ServiceConfig} binds nothing and starts nothing, so {@code --validate} is
 * exactly {@link #parse}. Immutable once parsed.
 */
public final class ServiceConfig {
  /** The top-level sections, in the order they are read. */
  public static final List<String> SECTIONS =
      List.of("receivers", "processors", "exporters", "connectors", "extensions", "service");

  private final String source;
  private final Map<ComponentKind, Map<ComponentId, ComponentConfig>> components;
  private final Map<PipelineId, PipelineConfig> pipelines;
  private final List<ComponentId> extensions;
  private final TelemetryConfig telemetry;

  private ServiceConfig(
      String source,
      Map<ComponentKind, Map<ComponentId, ComponentConfig>> components,
      Map<PipelineId, PipelineConfig> pipelines,
      List<ComponentId> extensions,
      TelemetryConfig telemetry) {
    this.source = source;
    this.components = components;
    this.pipelines = pipelines;
    this.extensions = extensions;
    this.telemetry = telemetry;
  }

  /**
   * Parses a tree from {@link io.tailshard.common.config.ConfigLoader} against the component types
   * of {@code registry}. Throws {@link ConfigException} on the first problem found.
   */
  public static ServiceConfig parse(ConfigNode root, Components registry) {
    ConfigMap top = root.asMap();
    for (String section : SECTIONS) {
      top.has(section);
    }
    top.done(); // an unknown section is reported before anything inside the known ones

    Map<ComponentKind, Map<ComponentId, ComponentConfig>> components = new EnumMap<>(ComponentKind.class);
    for (ComponentKind kind : ComponentKind.values()) {
      components.put(kind, Collections.unmodifiableMap(parseSection(top.map(kind.section()), kind, registry)));
    }
    checkNoAmbiguousConnectors(components);

    ConfigMap service = top.required("service").asMap();
    List<ComponentId> extensions = parseServiceExtensions(service, components.get(ComponentKind.EXTENSION));
    Map<PipelineId, PipelineConfig> pipelines = parsePipelines(service.required("pipelines"), components);
    TelemetryConfig telemetry = parseTelemetry(service.map("telemetry"));
    service.done();

    ServiceConfig config =
        new ServiceConfig(root.file(), components, Collections.unmodifiableMap(pipelines), extensions, telemetry);
    checkConnectorsUsedOnBothSides(config);
    for (PipelineConfig p : pipelines.values()) {
      SignalSupport.check(p, config);
    }
    return config;
  }

  /** Where the config came from (a file path or {@code classpath:...}), for messages. */
  public String source() {
    return source;
  }

  /** The components configured in a section, in config order; unused ones included. */
  public Map<ComponentId, ComponentConfig> components(ComponentKind kind) {
    return components.get(kind);
  }

  public Optional<ComponentConfig> component(ComponentKind kind, ComponentId id) {
    return Optional.ofNullable(components.get(kind).get(id));
  }

  /** The pipelines in config order. */
  public Map<PipelineId, PipelineConfig> pipelines() {
    return pipelines;
  }

  /** The ids listed in {@code service.extensions}, in order: the extensions that run. */
  public List<ComponentId> extensions() {
    return extensions;
  }

  public TelemetryConfig telemetry() {
    return telemetry;
  }

  /** One line per pipeline, e.g. {@code traces: [otlp] -> [memory_limiter] -> [loadbalancing]}. */
  public String describePipelines() {
    return pipelines.values().stream()
        .map(p -> p.id() + ": " + p.receivers() + " -> " + p.processors() + " -> " + p.exporters())
        .collect(Collectors.joining("; "));
  }

  /** The component an id in a pipeline list stands for: the section of its role, or a connector. */
  ComponentConfig resolve(Role role, ComponentId id) {
    ComponentConfig c = components.get(role.kind).get(id);
    if (c == null && role != Role.PROCESSOR) {
      c = components.get(ComponentKind.CONNECTOR).get(id);
    }
    if (c == null) {
      throw new IllegalStateException(role.word + " " + id + " was not resolved at parse time");
    }
    return c;
  }

  private static Map<ComponentId, ComponentConfig> parseSection(
      ConfigMap section, ComponentKind kind, Components registry) {
    Map<ComponentId, ComponentConfig> out = new LinkedHashMap<>();
    for (String key : new ArrayList<>(section.keys())) {
      ConfigNode block = section.get(key).orElseThrow();
      ComponentId id;
      try {
        id = ComponentId.parse(key);
      } catch (IllegalArgumentException e) {
        throw ConfigException.at(block, "invalid " + kind.word() + " id: " + e.getMessage());
      }
      ComponentFactory<?> factory = registry.factory(kind, id.type()).orElse(null);
      if (factory == null) {
        Optional<String> why = registry.whyNotBuilt(kind, id.type());
        if (why.isPresent()) {
          throw ConfigException.at(
              block, kind.word() + " type '" + id.type() + "' is not built in this tier yet: " + why.get());
        }
        throw ConfigException.at(
            block, "unknown " + kind.word() + " type '" + id.type() + "'; allowed: " + registry.allowedTypes(kind));
      }
      if (out.containsKey(id)) {
        // "otlp" and "otlp " are different YAML keys but the same id once trimmed.
        throw ConfigException.at(block, kind.word() + " '" + id + "' is configured twice");
      }
      Object config;
      try {
        config = factory.parseConfig(block.asMap());
      } catch (ConfigException e) {
        throw e;
      } catch (IllegalArgumentException e) {
        // A config record refused a value in its constructor: report it at the component's block.
        throw ConfigException.at(block, e.getMessage());
      }
      out.put(id, new ComponentConfig(kind, id, factory, config, block));
    }
    return out;
  }

  private static void checkNoAmbiguousConnectors(Map<ComponentKind, Map<ComponentId, ComponentConfig>> components) {
    for (ComponentConfig c : components.get(ComponentKind.CONNECTOR).values()) {
      for (ComponentKind other : List.of(ComponentKind.RECEIVER, ComponentKind.EXPORTER)) {
        if (components.get(other).containsKey(c.id())) {
          throw ConfigException.at(
              c.node(),
              "ambiguous id '" + c.id() + "': it names both a connector and " + other.word()
                  + "; rename one of them (e.g. " + c.id().type() + "/other)");
        }
      }
    }
  }

  private static List<ComponentId> parseServiceExtensions(
      ConfigMap service, Map<ComponentId, ComponentConfig> configured) {
    Optional<ConfigNode> list = service.get("extensions");
    if (list.isEmpty()) {
      return List.of();
    }
    List<ComponentId> out = new ArrayList<>();
    for (ConfigNode item : list.get().items()) {
      ComponentId id = parseReference(item);
      if (!configured.containsKey(id)) {
        throw ConfigException.at(
            item, "extension '" + id + "' is not configured in the extensions section; configured: " + names(configured.keySet()));
      }
      if (out.contains(id)) {
        throw ConfigException.at(item, "extension '" + id + "' is listed twice");
      }
      out.add(id);
    }
    return List.copyOf(out);
  }

  private static Map<PipelineId, PipelineConfig> parsePipelines(
      ConfigNode node, Map<ComponentKind, Map<ComponentId, ComponentConfig>> components) {
    Map<PipelineId, PipelineConfig> out = new LinkedHashMap<>();
    for (Map.Entry<String, ConfigNode> e : node.entries().entrySet()) {
      PipelineId id = parsePipelineId(e.getKey(), e.getValue());
      ConfigMap p = e.getValue().asMap();
      List<ComponentId> receivers = parseRefs(p, Role.RECEIVER, true, components);
      List<ComponentId> processors = parseRefs(p, Role.PROCESSOR, false, components);
      List<ComponentId> exporters = parseRefs(p, Role.EXPORTER, true, components);
      p.done();
      if (out.containsKey(id)) {
        throw ConfigException.at(e.getValue(), "pipeline '" + id + "' is configured twice");
      }
      // Later checks find list items by position: give absent processors an empty list node.
      ConfigNode withLists = e.getValue();
      if (!withLists.entries().containsKey(Role.PROCESSOR.list) || withLists.entries().get(Role.PROCESSOR.list).isNull()) {
        Map<String, ConfigNode> entries = new LinkedHashMap<>(withLists.entries());
        entries.put(
            Role.PROCESSOR.list,
            ConfigNode.ofList(withLists.file(), withLists.line(), withLists.path() + "." + Role.PROCESSOR.list, List.of()));
        withLists = ConfigNode.ofMap(withLists.file(), withLists.line(), withLists.path(), entries);
      }
      out.put(id, new PipelineConfig(id, receivers, processors, exporters, withLists));
    }
    if (out.isEmpty()) {
      throw ConfigException.at(node, "at least one pipeline is required, e.g. traces: {receivers: [otlp], exporters: [...]}");
    }
    return out;
  }

  private static PipelineId parsePipelineId(String key, ConfigNode node) {
    int slash = key.indexOf('/');
    String signalWord = slash < 0 ? key : key.substring(0, slash);
    Signal signal =
        Signal.parse(signalWord)
            .orElseThrow(
                () -> ConfigException.at(
                    node,
                    "unknown pipeline signal '" + signalWord + "'; allowed: traces, metrics, logs (optionally followed by /name)"));
    try {
      return new PipelineId(signal, slash < 0 ? null : key.substring(slash + 1));
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(node, "invalid pipeline id: " + e.getMessage());
    }
  }

  private static List<ComponentId> parseRefs(
      ConfigMap pipeline, Role role, boolean required,
      Map<ComponentKind, Map<ComponentId, ComponentConfig>> components) {
    List<ConfigNode> items;
    if (required) {
      items = pipeline.required(role.list).items();
      if (items.isEmpty()) {
        throw pipeline.error(role.list, "a pipeline needs at least one " + role.word);
      }
    } else {
      items = pipeline.get(role.list).map(ConfigNode::items).orElse(List.of());
    }
    ComponentKind own = role.kind;
    Map<ComponentId, ComponentConfig> ownSection = components.get(own);
    Map<ComponentId, ComponentConfig> connectors = role == Role.PROCESSOR ? Map.of() : components.get(ComponentKind.CONNECTOR);
    List<ComponentId> out = new ArrayList<>();
    for (ConfigNode item : items) {
      ComponentId id = parseReference(item);
      if (!ownSection.containsKey(id) && !connectors.containsKey(id)) {
        Set<ComponentId> known = new HashSet<>(ownSection.keySet());
        known.addAll(connectors.keySet());
        throw ConfigException.at(
            item,
            role.word + " '" + id + "' is not configured in the " + own.section()
                + (role == Role.PROCESSOR ? "" : " or connectors") + " section; configured: " + names(known));
      }
      if (out.contains(id)) {
        throw ConfigException.at(item, role.word + " '" + id + "' is listed twice in this pipeline");
      }
      out.add(id);
    }
    return List.copyOf(out);
  }

  private static ComponentId parseReference(ConfigNode item) {
    try {
      return ComponentId.parse(item.text());
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(item, "invalid component id: " + e.getMessage());
    }
  }

  private static void checkConnectorsUsedOnBothSides(ServiceConfig config) {
    Map<ComponentId, ComponentConfig> connectors = config.components(ComponentKind.CONNECTOR);
    if (connectors.isEmpty()) {
      return;
    }
    Set<ComponentId> asReceiver = new HashSet<>();
    Set<ComponentId> asExporter = new HashSet<>();
    for (PipelineConfig p : config.pipelines().values()) {
      asReceiver.addAll(p.receivers());
      asExporter.addAll(p.exporters());
    }
    for (ComponentConfig c : connectors.values()) {
      boolean in = asReceiver.contains(c.id());
      boolean out = asExporter.contains(c.id());
      if (in != out) {
        throw ConfigException.at(
            c.node(),
            "connector '" + c.id() + "' is used as " + (out ? "an exporter" : "a receiver")
                + " but not as " + (out ? "a receiver" : "an exporter")
                + " in any pipeline; a connector joins the end of one pipeline to the start of another");
      }
    }
  }

  private static TelemetryConfig parseTelemetry(ConfigMap t) {
    ConfigMap logs = t.map("logs");
    LogLevel logLevel = TelemetryConfig.DEFAULT_LOG_LEVEL;
    Optional<ConfigNode> levelNode = nonNull(logs, "level");
    if (levelNode.isPresent()) {
      String text = levelNode.get().text();
      logLevel =
          LogLevel.parse(text)
              .orElseThrow(() -> ConfigException.at(levelNode.get(), "'" + text + "' is not allowed; allowed: debug, info, warn, error"));
    }
    logs.done();

    ConfigMap metrics = t.map("metrics");
    MetricsLevel metricsLevel = TelemetryConfig.DEFAULT_METRICS_LEVEL;
    Optional<ConfigNode> mLevelNode = nonNull(metrics, "level");
    if (mLevelNode.isPresent()) {
      String text = mLevelNode.get().text();
      metricsLevel =
          MetricsLevel.parse(text)
              .orElseThrow(
                  () -> ConfigException.at(mLevelNode.get(), "'" + text + "' is not allowed; allowed: none, basic, normal, detailed"));
    }
    Optional<ConfigNode> address = nonNull(metrics, "address");
    List<ConfigMap> readers = metrics.mapList("readers");
    metrics.done();

    HostPort endpoint = TelemetryConfig.DEFAULT_METRICS_ENDPOINT;
    if (address.isPresent() && !readers.isEmpty()) {
      throw metrics.error(
          "address", "give either address (the older form) or readers, not both; readers is the Collector's current form");
    }
    if (address.isPresent()) {
      endpoint = HostPort.parse(address.get());
    }
    if (readers.size() > 1) {
      throw ConfigException.at(
          readers.get(1).node(), "only one reader is supported: a pull reader with a prometheus exporter");
    }
    if (readers.size() == 1) {
      endpoint = parsePrometheusReader(readers.get(0));
    }

    Map<String, String> resource = new LinkedHashMap<>();
    Optional<ConfigNode> resourceNode = t.get("resource");
    if (resourceNode.isPresent()) {
      for (Map.Entry<String, ConfigNode> e : resourceNode.get().entries().entrySet()) {
        ConfigNode v = e.getValue();
        if (!v.isNull() && !v.isScalar()) {
          throw ConfigException.at(v, "a resource attribute is a single value (or null to leave it out), found " + v.describe());
        }
        resource.put(e.getKey(), v.isNull() ? null : v.text());
      }
    }
    t.done();
    return new TelemetryConfig(logLevel, metricsLevel, endpoint, resource);
  }

  private static HostPort parsePrometheusReader(ConfigMap reader) {
    if (reader.has("periodic")) {
      throw reader.error(
          "periodic", "push (periodic) readers are not supported; use readers: [{pull: {exporter: {prometheus: {host, port}}}}]");
    }
    ConfigMap pull = reader.required("pull").asMap();
    reader.done();
    ConfigMap exporter = pull.required("exporter").asMap();
    pull.done();
    if (!exporter.has("prometheus")) {
      throw exporter.error("only a prometheus exporter is supported in a pull reader; write exporter: {prometheus: {host, port}}");
    }
    ConfigMap prometheus = exporter.map("prometheus");
    exporter.done();
    String host = prometheus.string("host", TelemetryConfig.DEFAULT_METRICS_ENDPOINT.host());
    int port = prometheus.integer("port", TelemetryConfig.DEFAULT_METRICS_ENDPOINT.port(), 0, 65535);
    prometheus.done();
    if (host.isBlank()) {
      throw prometheus.error("host", "must not be empty; use 0.0.0.0 for every interface");
    }
    return new HostPort(host, port);
  }

  private static Optional<ConfigNode> nonNull(ConfigMap map, String key) {
    return map.get(key).filter(n -> !n.isNull());
  }

  private static String names(Set<ComponentId> ids) {
    if (ids.isEmpty()) {
      return "(none)";
    }
    return ids.stream().map(ComponentId::toString).collect(Collectors.toCollection(TreeSet::new)).toString();
  }
}

package io.tailshard.sampling.connector.spanmetrics;

import io.tailshard.common.config.ConfigException;
import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.config.ConfigNode;
import io.tailshard.common.config.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The {@code spanmetrics} connector's config, with the Collector's keys and defaults:
 * <ul>
 *   <li>{@code namespace} ({@code traces.span.metrics}): prefix of the metric names;
 *   <li>{@code dimensions} ({@code name}, optional {@code default}): extra dimensions, looked up in
 *       the span's attributes, then the resource's; without a default an absent one is left out;
 *   <li>{@code exclude_dimensions}: default dimensions to leave out, among {@code service.name},
 *       {@code span.name}, {@code span.kind}, {@code status.code};
 *   <li>{@code histogram}: {@code disable} (false), {@code unit} ({@code ms} or {@code s}),
 *       {@code explicit.buckets} (durations; default 2ms .. 15s as in the Collector) or
 *       {@code exponential.max_size} (160), not both;
 *   <li>{@code aggregation_temporality} ({@code AGGREGATION_TEMPORALITY_CUMULATIVE} or
 *       {@code AGGREGATION_TEMPORALITY_DELTA});
 *   <li>{@code metrics_flush_interval} (60s), {@code metrics_expiration} (0: never);
 *   <li>{@code aggregation_cardinality_limit} (0: none): series per resource, beyond which spans
 *       count in one series marked {@code otel.metric.overflow=true};
 *   <li>{@code resource_metrics_key_attributes}: the resource attributes that tell resources apart
 *       (default all); {@code resource_metrics_cache_size} (1000): resources kept at once;
 *   <li>{@code exemplars} ({@code enabled} false, {@code max_per_data_point} 5);
 *   <li>{@code events} ({@code enabled} false, {@code dimensions} required when enabled).
 * </ul>
 * tailshard adds {@code node_dimension} ({@code tailshard.node}; empty to leave it out) and
 * {@code node_id} (default the node's {@code service.instance.id}): a data point attribute that
 * tells the sampling nodes apart, so that the series of two nodes never collide.
 *
 * <p>Validated once here; immutable.
 */
public record SpanMetricsConfig(
    String namespace,
    List<Dimension> dimensions,
    Set<String> excludeDimensions,
    Histogram histogram,
    boolean delta,
    Duration flushInterval,
    Duration expiration,
    int cardinalityLimit,
    List<String> resourceKeyAttributes,
    int resourceCacheSize,
    boolean exemplarsEnabled,
    int exemplarsPerDataPoint,
    boolean eventsEnabled,
    List<Dimension> eventDimensions,
    String nodeDimension,
    String nodeId) {

  public static final String DEFAULT_NAMESPACE = "traces.span.metrics";
  public static final String CUMULATIVE = "AGGREGATION_TEMPORALITY_CUMULATIVE";
  public static final String DELTA = "AGGREGATION_TEMPORALITY_DELTA";
  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(60);
  public static final int DEFAULT_RESOURCE_CACHE_SIZE = 1000;
  public static final int DEFAULT_EXEMPLARS_PER_DATA_POINT = 5;
  public static final int DEFAULT_EXPONENTIAL_MAX_SIZE = 160;
  public static final String DEFAULT_NODE_DIMENSION = "tailshard.node";
  /** The Collector's default explicit buckets, in milliseconds. */
  static final double[] DEFAULT_BUCKETS_MS = {2, 4, 6, 8, 10, 50, 100, 200, 400, 800, 1000, 1400, 2000, 5000, 10_000, 15_000};

  /** The default dimensions, in the order their attributes are written. */
  public static final List<String> DEFAULT_DIMENSIONS = List.of("service.name", "span.name", "span.kind", "status.code");

  /** An extra dimension: the attribute {@code name}, or {@code defaultValue} (may be null) when absent. */
  public record Dimension(String name, String defaultValue) {
    public Dimension {
      if (name == null || name.isEmpty()) {
        throw new IllegalArgumentException("a dimension needs a non-empty name");
      }
    }
  }

  /** Duration unit of the histogram. */
  public enum Unit {
    MS("ms", 1e6),
    S("s", 1e9);

    final String word;
    final double nanosPerUnit;

    Unit(String word, double nanosPerUnit) {
      this.word = word;
      this.nanosPerUnit = nanosPerUnit;
    }

    public String word() {
      return word;
    }
  }

  /**
   * @param bounds explicit bucket bounds in {@code unit}, ascending (empty when exponential)
   * @param exponentialMaxSize buckets of an exponential histogram, or 0 for explicit buckets
   */
  public record Histogram(boolean disable, Unit unit, double[] bounds, int exponentialMaxSize) {
    public Histogram {
      bounds = bounds.clone();
      for (int i = 1; i < bounds.length; i++) {
        if (!(bounds[i] > bounds[i - 1])) {
          throw new IllegalArgumentException("histogram.explicit.buckets must be strictly increasing");
        }
      }
    }

    @Override
    public double[] bounds() {
      return bounds.clone();
    }

    boolean exponential() {
      return exponentialMaxSize > 0;
    }
  }

  public SpanMetricsConfig {
    dimensions = List.copyOf(dimensions);
    excludeDimensions = Set.copyOf(excludeDimensions);
    resourceKeyAttributes = List.copyOf(resourceKeyAttributes);
    eventDimensions = List.copyOf(eventDimensions);
    if (flushInterval.isNegative() || flushInterval.isZero()) {
      throw new IllegalArgumentException("metrics_flush_interval must be positive");
    }
    if (expiration.isNegative()) {
      throw new IllegalArgumentException("metrics_expiration must not be negative");
    }
    if (cardinalityLimit < 0) {
      throw new IllegalArgumentException("aggregation_cardinality_limit must not be negative");
    }
    if (resourceCacheSize <= 0) {
      throw new IllegalArgumentException("resource_metrics_cache_size must be positive");
    }
    if (exemplarsPerDataPoint <= 0) {
      throw new IllegalArgumentException("exemplars.max_per_data_point must be positive");
    }
    if (eventsEnabled && eventDimensions.isEmpty()) {
      throw new IllegalArgumentException("events.dimensions: no dimensions configured for events");
    }
    checkNoDuplicates("dimensions", dimensions, Set.of());
    Set<String> taken = new HashSet<>(DEFAULT_DIMENSIONS);
    dimensions.forEach(d -> taken.add(d.name()));
    checkNoDuplicates("events.dimensions", eventDimensions, taken);
    if (nodeDimension == null || nodeId == null) {
      throw new IllegalArgumentException("node_dimension and node_id must not be null");
    }
    if (!nodeDimension.isEmpty() && taken.contains(nodeDimension)) {
      throw new IllegalArgumentException("node_dimension '" + nodeDimension + "' is already a dimension");
    }
  }

  private static void checkNoDuplicates(String key, List<Dimension> dims, Set<String> reserved) {
    Set<String> seen = new HashSet<>(DEFAULT_DIMENSIONS);
    seen.addAll(reserved);
    for (Dimension d : dims) {
      if (!seen.add(d.name())) {
        throw new IllegalArgumentException(key + ": duplicate dimension name " + d.name());
      }
    }
  }

  /** The defaults, with {@code nodeId} as the node's identity. */
  public static SpanMetricsConfig defaults(String nodeId) {
    return new SpanMetricsConfig(
        DEFAULT_NAMESPACE, List.of(), Set.of(), new Histogram(false, Unit.MS, DEFAULT_BUCKETS_MS, 0), false,
        DEFAULT_FLUSH_INTERVAL, Duration.ZERO, 0, List.of(), DEFAULT_RESOURCE_CACHE_SIZE, false,
        DEFAULT_EXEMPLARS_PER_DATA_POINT, false, List.of(), DEFAULT_NODE_DIMENSION, nodeId);
  }

  /** This config with another node identity (the factory fills in the node's id when none is configured). */
  public SpanMetricsConfig withNodeId(String id) {
    return new SpanMetricsConfig(
        namespace, dimensions, excludeDimensions, histogram, delta, flushInterval, expiration, cardinalityLimit,
        resourceKeyAttributes, resourceCacheSize, exemplarsEnabled, exemplarsPerDataPoint, eventsEnabled,
        eventDimensions, nodeDimension, id);
  }

  /** The metric name {@code namespace.name}, or {@code name} when the namespace is empty. */
  String metricName(String name) {
    return namespace.isEmpty() ? name : namespace + "." + name;
  }

  /** Reads the connector's block strictly. {@code nodeId} stays null unless configured. */
  static SpanMetricsConfig parse(ConfigMap m) {
    String namespace = m.string("namespace", DEFAULT_NAMESPACE);
    List<Dimension> dimensions = dimensions(m, "dimensions");
    List<String> exclude = m.stringList("exclude_dimensions", List.of());
    for (int i = 0; i < exclude.size(); i++) {
      if (!DEFAULT_DIMENSIONS.contains(exclude.get(i))) {
        throw m.error("exclude_dimensions", "'" + exclude.get(i) + "' is not a default dimension; allowed: "
            + String.join(", ", DEFAULT_DIMENSIONS));
      }
    }
    Histogram histogram = histogram(m.map("histogram"));
    String temporality = m.oneOf("aggregation_temporality", CUMULATIVE, CUMULATIVE, DELTA);
    Duration flush = m.duration("metrics_flush_interval", DEFAULT_FLUSH_INTERVAL);
    if (flush.isZero() || flush.isNegative()) {
      throw m.error("metrics_flush_interval", "must be positive, found " + Durations.format(flush));
    }
    Duration expiration = m.duration("metrics_expiration", Duration.ZERO);
    int limit = m.integer("aggregation_cardinality_limit", 0, 0, Integer.MAX_VALUE);
    List<String> keyAttributes = m.stringList("resource_metrics_key_attributes", List.of());
    int resourceCache = m.integer("resource_metrics_cache_size", DEFAULT_RESOURCE_CACHE_SIZE, 1, Integer.MAX_VALUE);
    // Accepted because Collector configs carry them: the dimensions cache is superseded by
    // aggregation_cardinality_limit there too, and delta start times here need no cache.
    m.integer("dimensions_cache_size", 1000, 1, Integer.MAX_VALUE);
    m.integer("metric_timestamp_cache_size", 1000, 1, Integer.MAX_VALUE);
    ConfigMap deltaBlock = m.map("delta_temporality");
    deltaBlock.integer("metric_timestamp_cache_size", 1000, 1, Integer.MAX_VALUE);
    deltaBlock.done();
    for (String unsupported : List.of("calls_dimensions", "include_instrumentation_scope", "add_resource_attributes")) {
      if (m.has(unsupported)) {
        throw m.error(unsupported, "not supported by tailshard's spanmetrics yet; see docs/spanmetrics.md");
      }
    }
    ConfigMap ex = m.map("exemplars");
    boolean exemplars = ex.bool("enabled", false);
    int perPoint = ex.integer("max_per_data_point", DEFAULT_EXEMPLARS_PER_DATA_POINT, 1, 1000);
    ex.done();
    ConfigMap ev = m.map("events");
    boolean events = ev.bool("enabled", false);
    List<Dimension> eventDims = dimensions(ev, "dimensions");
    if (events && eventDims.isEmpty()) {
      throw ev.error("dimensions", "no dimensions configured for events; list the event attributes to count by");
    }
    ev.done();
    String nodeDimension = m.string("node_dimension", DEFAULT_NODE_DIMENSION);
    String nodeId = m.string("node_id", null);
    m.done();
    try {
      return new SpanMetricsConfig(
          namespace, dimensions, new HashSet<>(exclude), histogram, temporality.equals(DELTA), flush, expiration, limit,
          keyAttributes, resourceCache, exemplars, perPoint, events, eventDims, nodeDimension, nodeId == null ? "" : nodeId);
    } catch (IllegalArgumentException e) {
      throw m.error(e.getMessage());
    }
  }

  private static List<Dimension> dimensions(ConfigMap m, String key) {
    List<Dimension> out = new ArrayList<>();
    for (ConfigMap d : m.mapList(key)) {
      String name = d.requiredString("name");
      String def = d.string("default", null);
      d.done();
      if (name.isEmpty()) {
        throw d.error("name", "must not be empty");
      }
      out.add(new Dimension(name, def));
    }
    return out;
  }

  private static Histogram histogram(ConfigMap h) {
    boolean disable = h.bool("disable", false);
    String unitWord = h.oneOf("unit", "ms", "ms", "s");
    Unit unit = unitWord.equals("s") ? Unit.S : Unit.MS;
    if (h.has("dimensions")) {
      throw h.error("dimensions", "histogram-only dimensions are not supported by tailshard's spanmetrics yet");
    }
    boolean hasExplicit = h.has("explicit") && !h.node().entries().get("explicit").isNull();
    boolean hasExponential = h.has("exponential") && !h.node().entries().get("exponential").isNull();
    if (hasExplicit && hasExponential) {
      throw h.error("use either `explicit` or `exponential` buckets histogram, not both");
    }
    ConfigMap explicit = h.map("explicit");
    double[] bounds = defaultBounds(unit);
    if (explicit.has("buckets")) {
      List<ConfigNode> items = explicit.required("buckets").items();
      bounds = new double[items.size()];
      for (int i = 0; i < items.size(); i++) {
        Duration d = Durations.parse(items.get(i));
        bounds[i] = d.toNanos() / unit.nanosPerUnit;
        if (i > 0 && !(bounds[i] > bounds[i - 1])) {
          throw ConfigException.at(items.get(i), "buckets must be strictly increasing");
        }
      }
    }
    explicit.done();
    ConfigMap exponential = h.map("exponential");
    int maxSize = exponential.integer("max_size", DEFAULT_EXPONENTIAL_MAX_SIZE, 2, 16_384);
    exponential.done();
    h.done();
    return new Histogram(disable, unit, hasExponential ? new double[0] : bounds, hasExponential ? maxSize : 0);
  }

  private static double[] defaultBounds(Unit unit) {
    double[] b = DEFAULT_BUCKETS_MS.clone();
    if (unit == Unit.S) {
      for (int i = 0; i < b.length; i++) {
        b[i] = b[i] / 1000;
      }
    }
    return b;
  }
}

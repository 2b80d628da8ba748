package io.tailshard.common.service;

import io.tailshard.common.config.HostPort;
import io.tailshard.common.logging.LogLevel;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code service.telemetry}: how the node reports on itself.
 *
 * <p>Defaults: logs at {@code info}, metrics level {@code normal}, self-metrics served as
 * Prometheus text on {@code 0.0.0.0:8888}, no extra resource attributes. Metrics level
 * {@code none} turns the self-metrics endpoint off.
 *
 * @param resource resource attributes from {@code service.telemetry.resource}; a null value means
 *     "leave this attribute out", as in the Collector (e.g. {@code service.instance.id: null})
 */
public record TelemetryConfig(
    LogLevel logLevel, MetricsLevel metricsLevel, HostPort metricsEndpoint, Map<String, String> resource) {
  public static final LogLevel DEFAULT_LOG_LEVEL = LogLevel.INFO;
  public static final MetricsLevel DEFAULT_METRICS_LEVEL = MetricsLevel.NORMAL;
  public static final HostPort DEFAULT_METRICS_ENDPOINT = new HostPort("0.0.0.0", 8888);

  /** The Collector's self-metrics detail levels. */
  public enum MetricsLevel {
    NONE,
    BASIC,
    NORMAL,
    DETAILED;

    public String word() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** Case-insensitive, as the Collector reads it. */
    public static Optional<MetricsLevel> parse(String text) {
      for (MetricsLevel l : values()) {
        if (l.word().equalsIgnoreCase(text.trim())) {
          return Optional.of(l);
        }
      }
      return Optional.empty();
    }
  }

  public TelemetryConfig {
    Objects.requireNonNull(logLevel, "logLevel");
    Objects.requireNonNull(metricsLevel, "metricsLevel");
    Objects.requireNonNull(metricsEndpoint, "metricsEndpoint");
    // Map.copyOf refuses null values, which mean something here.
    resource = Collections.unmodifiableMap(new LinkedHashMap<>(resource));
  }

  public static TelemetryConfig defaults() {
    return new TelemetryConfig(DEFAULT_LOG_LEVEL, DEFAULT_METRICS_LEVEL, DEFAULT_METRICS_ENDPOINT, Map.of());
  }

  /** False when {@code metrics.level} is {@code none}: no self-metrics endpoint is served. */
  public boolean metricsEnabled() {
    return metricsLevel != MetricsLevel.NONE;
  }
}

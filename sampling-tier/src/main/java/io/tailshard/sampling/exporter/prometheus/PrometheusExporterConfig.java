package io.tailshard.sampling.exporter.prometheus;

import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.config.HostPort;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code prometheus} exporter's config, with the Collector's keys: {@code endpoint} (here with
 * a default, {@code 0.0.0.0:8889}), {@code namespace}, {@code const_labels},
 * {@code send_timestamps} (false), {@code metric_expiration} (5m),
 * {@code resource_to_telemetry_conversion.enabled} (false), {@code enable_open_metrics} (false),
 * {@code add_metric_suffixes} (true). Immutable.
 */
public record PrometheusExporterConfig(
    HostPort endpoint,
    String namespace,
    Map<String, String> constLabels,
    boolean sendTimestamps,
    Duration metricExpiration,
    boolean resourceToTelemetry,
    boolean openMetrics,
    boolean addMetricSuffixes) {

  public static final HostPort DEFAULT_ENDPOINT = new HostPort("0.0.0.0", 8889);
  public static final Duration DEFAULT_METRIC_EXPIRATION = Duration.ofMinutes(5);

  public PrometheusExporterConfig {
    constLabels = Map.copyOf(constLabels);
    if (metricExpiration.isNegative() || metricExpiration.isZero()) {
      throw new IllegalArgumentException("metric_expiration must be positive");
    }
  }

  static PrometheusExporterConfig parse(ConfigMap m) {
    HostPort endpoint = m.get("endpoint").filter(n -> !n.isNull()).map(HostPort::parse).orElse(DEFAULT_ENDPOINT);
    String namespace = m.string("namespace", "");
    Map<String, String> constLabels = new LinkedHashMap<>();
    ConfigMap labels = m.map("const_labels");
    for (String k : labels.keys()) {
      constLabels.put(k, labels.string(k, ""));
    }
    labels.done();
    boolean timestamps = m.bool("send_timestamps", false);
    Duration expiration = m.duration("metric_expiration", DEFAULT_METRIC_EXPIRATION);
    ConfigMap r2t = m.map("resource_to_telemetry_conversion");
    boolean resourceToTelemetry = r2t.bool("enabled", false);
    r2t.done();
    boolean openMetrics = m.bool("enable_open_metrics", false);
    boolean suffixes = m.bool("add_metric_suffixes", true);
    if (m.has("tls")) {
      throw m.error("tls", "TLS on the prometheus endpoint is not built yet; scrape over plain HTTP inside the cluster");
    }
    m.done();
    try {
      return new PrometheusExporterConfig(
          endpoint, namespace, constLabels, timestamps, expiration, resourceToTelemetry, openMetrics, suffixes);
    } catch (IllegalArgumentException e) {
      throw m.error(e.getMessage());
    }
  }
}

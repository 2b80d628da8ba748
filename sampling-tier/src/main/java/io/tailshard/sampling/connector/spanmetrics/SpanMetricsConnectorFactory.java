package io.tailshard.sampling.connector.spanmetrics;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.ConnectorFactory;
import io.tailshard.common.component.MetricsConsumer;
import io.tailshard.common.component.TracesConnector;
import io.tailshard.common.config.ConfigMap;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.UUID;

/**
 * The {@code spanmetrics} connector type: traces in (every span, before sampling), metrics out.
 * Defaults are the Collector's (see {@link SpanMetricsConfig}); the node identity defaults to the
 * service's {@code service.instance.id}, else the host name.
 */
public final class SpanMetricsConnectorFactory implements ConnectorFactory<SpanMetricsConfig> {
  public static final String TYPE = "spanmetrics";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public SpanMetricsConfig parseConfig(ConfigMap block) {
    return SpanMetricsConfig.parse(block);
  }

  @Override
  public TracesConnector createTracesToMetrics(ComponentSettings settings, SpanMetricsConfig config, MetricsConsumer next) {
    SpanMetricsConfig c = config.nodeId().isEmpty() ? config.withNodeId(nodeId(settings)) : config;
    return new SpanMetricsConnector(settings, c, next, SpanMetricsConnectorFactory::unixNanos);
  }

  static long unixNanos() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  private static String nodeId(ComponentSettings settings) {
    String id = settings.telemetry().instanceId();
    if (id != null && !id.isEmpty()) {
      return id;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return UUID.randomUUID().toString();
    }
  }
}

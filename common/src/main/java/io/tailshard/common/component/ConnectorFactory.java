package io.tailshard.common.component;

/**
 * Makes connectors: components that are the exporter of one pipeline and the receiver of others,
 * as the Collector wires them. The only pair built today is traces to metrics (the
 * {@code spanmetrics} connector): the connector takes every span of the traces pipelines that
 * export to it and hands metrics to the metrics pipelines that receive from it.
 */
public interface ConnectorFactory<C> extends ComponentFactory<C> {
  @Override
  default ComponentKind kind() {
    return ComponentKind.CONNECTOR;
  }

  /**
   * A connector that consumes traces and gives metrics to {@code next} (a fan-out when several
   * metrics pipelines receive from it). The service starts {@code next} before the connector and
   * stops it after, so the connector may flush to it during its own shutdown.
   */
  TracesConnector createTracesToMetrics(ComponentSettings settings, C config, MetricsConsumer next);
}

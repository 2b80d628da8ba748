package io.tailshard.common.component;

/**
 * A connector as the end of a traces pipeline: it consumes traces there and produces data of
 * another signal at the start of the pipelines it feeds (see {@link ConnectorFactory}).
 */
public interface TracesConnector extends Component, TracesConsumer {}

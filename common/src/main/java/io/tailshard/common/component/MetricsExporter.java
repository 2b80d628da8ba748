package io.tailshard.common.component;

/** The end of a metrics pipeline. */
public interface MetricsExporter extends Component, MetricsConsumer {}

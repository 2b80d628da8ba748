package io.tailshard.common.component;

/** The end of a traces pipeline. */
public interface TracesExporter extends Component, TracesConsumer {}

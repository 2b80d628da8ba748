package io.tailshard.common.component;

/** A processor in a traces pipeline: consumes, then hands on to the next consumer it was created with. */
public interface TracesProcessor extends Component, TracesConsumer {}

package io.tailshard.common.component;

/** Makes processors: components that take data, change, hold or drop it, and pass it on. */
public interface ProcessorFactory<C> extends ComponentFactory<C> {
  @Override
  default ComponentKind kind() {
    return ComponentKind.PROCESSOR;
  }

  TracesProcessor createTracesProcessor(ComponentSettings settings, C config, TracesConsumer next);
}

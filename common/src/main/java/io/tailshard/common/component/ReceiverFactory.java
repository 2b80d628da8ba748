package io.tailshard.common.component;

/** Makes receivers: components that take data from outside and push it to the pipeline. */
public interface ReceiverFactory<C> extends ComponentFactory<C> {
  @Override
  default ComponentKind kind() {
    return ComponentKind.RECEIVER;
  }

  Component createTracesReceiver(ComponentSettings settings, C config, TracesConsumer next);
}

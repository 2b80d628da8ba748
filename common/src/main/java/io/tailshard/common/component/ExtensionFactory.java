package io.tailshard.common.component;

/** Makes extensions: components outside the pipelines (health check, storage). */
public interface ExtensionFactory<C> extends ComponentFactory<C> {
  @Override
  default ComponentKind kind() {
    return ComponentKind.EXTENSION;
  }

  Component createExtension(ComponentSettings settings, C config);
}

package io.tailshard.common.component;

import java.util.Optional;

/** What the running service offers its components: the extensions configured in it, and the kept-traces hub. */
@FunctionalInterface
public interface Host {
  /** The started extension with this id, if it is configured and of this type. */
  <T> Optional<T> extension(ComponentId id, Class<T> type);

  /** Every configured extension of this type, in {@code service.extensions} order. */
  default <T> java.util.List<T> extensions(Class<T> type) {
    return java.util.List.of();
  }

  /**
   * Where samplers publish the traces they keep and other components (span metrics exemplars)
   * subscribe. A host outside a service has {@link KeptTraces#none()}, which links nothing.
   */
  default KeptTraces keptTraces() {
    return KeptTraces.none();
  }

  /** A host without extensions, for components created alone (tests, tools). */
  static Host empty() {
    return new Host() {
      @Override
      public <T> Optional<T> extension(ComponentId id, Class<T> type) {
        return Optional.empty();
      }
    };
  }
}

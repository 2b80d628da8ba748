package io.tailshard.common.component;

import io.tailshard.common.config.ConfigMap;

/**
 * Makes one type of component, as the Collector's factories do: it names the type, reads and
 * validates the component's YAML block into a config record (defaults live here, in one place),
 * and creates instances. The kind-specific sub-interfaces add the create method.
 *
 * @param <C> the config record
 */
public interface ComponentFactory<C> {
  /** The type name used in config, e.g. {@code otlp}, {@code tail_sampling}. */
  String type();

  ComponentKind kind();

  /**
   * Reads the component's block strictly: every known option through the map's getters, then
   * {@link ConfigMap#done()}. An absent or null block is an empty map and yields the defaults.
   * Throws {@link io.tailshard.common.config.ConfigException} naming the key path on bad input.
   */
  C parseConfig(ConfigMap block);
}

package io.tailshard.common.processor.resource;

import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.processor.internal.AttributeActions;

/**
 * The {@code resource} processor's config: {@code attributes} (required, at least one action),
 * the same actions as the {@code attributes} processor's (see {@link AttributeActions}), applied
 * to resource attributes. There is no include/exclude: every resource is processed.
 */
public record ResourceConfig(AttributeActions attributes) {
  static ResourceConfig parse(ConfigMap m) {
    ResourceConfig c = new ResourceConfig(AttributeActions.parse(m, "attributes"));
    m.done();
    return c;
  }
}

package io.tailshard.common.service;

import io.tailshard.common.component.ComponentFactory;
import io.tailshard.common.component.ComponentId;
import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.config.ConfigNode;

/**
 * One configured component: its id, the factory of its type, and the config record that factory
 * parsed from the component's block.
 *
 * @param config the factory's config record (the {@code C} of {@code ComponentFactory<C>})
 * @param node the component's YAML block, for errors found after parsing
 */
public record ComponentConfig(
    ComponentKind kind, ComponentId id, ComponentFactory<?> factory, Object config, ConfigNode node) {}

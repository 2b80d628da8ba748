package io.tailshard.common.service;

import io.tailshard.common.component.Components;
import java.util.Objects;

/**
 * What makes a tier: its name (in logs, {@code --help} and the default {@code service.name}), a
 * one-line description, the component types it offers, and the classpath resource of the config it
 * runs with when no {@code --config} is given.
 */
public record Tier(String name, String description, Components components, String defaultConfigResource) {
  public Tier {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(components, "components");
    Objects.requireNonNull(defaultConfigResource, "defaultConfigResource");
  }
}

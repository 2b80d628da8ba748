package io.tailshard.common.component;

import java.util.regex.Pattern;

/**
 * A component id as the Collector writes it: {@code type} or {@code type/name}, e.g. {@code otlp},
 * {@code attributes/sidekiq}. The type selects the factory; the name tells instances apart.
 */
public record ComponentId(String type, String name) {
  private static final Pattern WORD = Pattern.compile("[A-Za-z0-9_.\\-]+");

  public ComponentId {
    if (type == null || !WORD.matcher(type).matches()) {
      throw new IllegalArgumentException("a component type is letters, digits, '_', '-' or '.': '" + type + "'");
    }
    if (name != null && (name.isEmpty() || name.contains("/"))) {
      throw new IllegalArgumentException("a component name after '/' must be non-empty and contain no '/': '" + name + "'");
    }
  }

  /** Parses {@code type} or {@code type/name}; throws {@link IllegalArgumentException} on bad text. */
  public static ComponentId parse(String text) {
    int slash = text.indexOf('/');
    if (slash < 0) {
      return new ComponentId(text.trim(), null);
    }
    return new ComponentId(text.substring(0, slash).trim(), text.substring(slash + 1).trim());
  }

  public static ComponentId of(String type) {
    return new ComponentId(type, null);
  }

  @Override
  public String toString() {
    return name == null ? type : type + "/" + name;
  }
}

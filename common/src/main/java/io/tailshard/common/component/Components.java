package io.tailshard.common.component;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The factories a tier offers, by kind and type name, plus the Collector types it knows of but does
 * not build (yet, or ever), so that such a type fails with a message that says so instead of
 * "unknown type". Immutable once built.
 */
public final class Components {
  private final Map<ComponentKind, Map<String, ComponentFactory<?>>> factories;
  private final Map<ComponentKind, Map<String, String>> notBuilt;

  private Components(
      Map<ComponentKind, Map<String, ComponentFactory<?>>> factories,
      Map<ComponentKind, Map<String, String>> notBuilt) {
    this.factories = factories;
    this.notBuilt = notBuilt;
  }

  public static Builder builder() {
    return new Builder();
  }

  public Optional<ComponentFactory<?>> factory(ComponentKind kind, String type) {
    return Optional.ofNullable(factories.get(kind).get(type));
  }

  /** Why a known Collector type is not available here, if it is one of those. */
  public Optional<String> whyNotBuilt(ComponentKind kind, String type) {
    return Optional.ofNullable(notBuilt.get(kind).get(type));
  }

  /** The Collector types of a kind this tier recognizes but does not build, with why, sorted by type. */
  public Map<String, String> notBuiltTypes(ComponentKind kind) {
    return Collections.unmodifiableMap(new TreeMap<>(notBuilt.get(kind)));
  }

  /** The type names available for a kind, sorted, for "allowed:" lists in errors. */
  public String allowedTypes(ComponentKind kind) {
    TreeSet<String> names = new TreeSet<>(factories.get(kind).keySet());
    return names.isEmpty() ? "(none in this tier)" : String.join(", ", names);
  }

  /** Collects factories; a type registered twice for one kind is a programming error. */
  public static final class Builder {
    private final Map<ComponentKind, Map<String, ComponentFactory<?>>> factories = new EnumMap<>(ComponentKind.class);
    private final Map<ComponentKind, Map<String, String>> notBuilt = new EnumMap<>(ComponentKind.class);

    private Builder() {
      for (ComponentKind k : ComponentKind.values()) {
        factories.put(k, new LinkedHashMap<>());
        notBuilt.put(k, new LinkedHashMap<>());
      }
    }

    public Builder add(ComponentFactory<?> factory) {
      return add(factory.type(), factory);
    }

    /** Registers a factory under another name too (the Collector accepts {@code load_balancing}). */
    public Builder add(String type, ComponentFactory<?> factory) {
      if (factories.get(factory.kind()).putIfAbsent(type, factory) != null) {
        throw new IllegalStateException(factory.kind().word() + " type registered twice: " + type);
      }
      return this;
    }

    /** A Collector type this tier recognizes but does not build, with the reason shown to the operator. */
    public Builder notBuilt(ComponentKind kind, String type, String why) {
      notBuilt.get(kind).put(type, why);
      return this;
    }

    public Components build() {
      Map<ComponentKind, Map<String, ComponentFactory<?>>> f = new EnumMap<>(ComponentKind.class);
      Map<ComponentKind, Map<String, String>> n = new EnumMap<>(ComponentKind.class);
      factories.forEach((k, v) -> f.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
      notBuilt.forEach(
          (k, v) -> {
            // A type that has a factory now is built: drop its "not built" entry, so the list of
            // planned types can stay as it is while the factories arrive one by one.
            Map<String, String> left = new LinkedHashMap<>(v);
            left.keySet().removeAll(factories.get(k).keySet());
            n.put(k, Collections.unmodifiableMap(left));
          });
      return new Components(f, n);
    }
  }
}

package io.tailshard.common.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * A strict reader over one map node of the configuration. Every getter records the key it was
 * asked for; {@link #done()} then fails on any key in the YAML that no getter asked for, listing
 * the keys that are allowed. A component's config parser therefore reads every option it knows and
 * calls {@code done()}: nothing unknown is ever silently ignored.
 *
 * <p>Type errors name the key path and what was expected. Not thread-safe; used once at start-up.
 */
public final class ConfigMap {
  private final ConfigNode node;
  private final Map<String, ConfigNode> entries;
  private final Set<String> asked = new LinkedHashSet<>();

  ConfigMap(ConfigNode node) {
    this.node = node;
    this.entries = node.entries();
  }

  /** The node this map reads. */
  public ConfigNode node() {
    return node;
  }

  /** Dotted path of this map. */
  public String path() {
    return node.path();
  }

  /** True when the YAML has this key (even with a null value). Counts as asking for it. */
  public boolean has(String key) {
    asked.add(key);
    return entries.containsKey(key);
  }

  /** Keys present in the YAML, in order. Does not mark them asked. */
  public Set<String> keys() {
    return entries.keySet();
  }

  /** The raw child node, if present. Marks the key asked. */
  public Optional<ConfigNode> get(String key) {
    asked.add(key);
    return Optional.ofNullable(entries.get(key));
  }

  /** The raw child node, or a missing-key error. */
  public ConfigNode required(String key) {
    asked.add(key);
    ConfigNode child = entries.get(key);
    if (child == null || child.isNull()) {
      throw new ConfigException(node.file(), node.line(), child(key), "required key is missing");
    }
    return child;
  }

  public String string(String key, String defaultValue) {
    return scalar(key).map(ConfigNode::text).orElse(defaultValue);
  }

  public String requiredString(String key) {
    ConfigNode n = required(key);
    return n.text();
  }

  public boolean bool(String key, boolean defaultValue) {
    return scalar(key).map(n -> parseBool(n)).orElse(defaultValue);
  }

  public int integer(String key, int defaultValue) {
    return scalar(key).map(n -> (int) parseLong(n, Integer.MIN_VALUE, Integer.MAX_VALUE)).orElse(defaultValue);
  }

  /** An integer that must lie in [min, max]. */
  public int integer(String key, int defaultValue, int min, int max) {
    return scalar(key).map(n -> (int) parseLong(n, min, max)).orElse(defaultValue);
  }

  public long longValue(String key, long defaultValue, long min, long max) {
    return scalar(key).map(n -> parseLong(n, min, max)).orElse(defaultValue);
  }

  public double decimal(String key, double defaultValue, double min, double max) {
    return scalar(key)
        .map(
            n -> {
              double v;
              try {
                v = Double.parseDouble(n.text().trim());
              } catch (NumberFormatException e) {
                throw ConfigException.at(n, "expected a number, found " + n.describe());
              }
              if (Double.isNaN(v) || v < min || v > max) {
                throw ConfigException.at(n, "must be between " + plain(min) + " and " + plain(max) + ", found " + n.text());
              }
              return v;
            })
        .orElse(defaultValue);
  }

  /** A duration such as {@code 500ms}, {@code 30s}, {@code 1m}, {@code 1h30m}; see {@link Durations}. */
  public Duration duration(String key, Duration defaultValue) {
    return scalar(key).map(n -> Durations.parse(n)).orElse(defaultValue);
  }

  /** A size in bytes such as {@code 512MiB}, {@code 4MB}, {@code 1024}; see {@link ByteSizes}. */
  public long bytes(String key, long defaultValue) {
    return scalar(key).map(n -> ByteSizes.parse(n)).orElse(defaultValue);
  }

  /** One of a fixed set of words (case-sensitive, as the Collector is). */
  public String oneOf(String key, String defaultValue, Collection<String> allowed) {
    return scalar(key)
        .map(
            n -> {
              String v = n.text();
              if (!allowed.contains(v)) {
                throw ConfigException.at(n, "'" + v + "' is not allowed; allowed: " + String.join(", ", allowed));
              }
              return v;
            })
        .orElse(defaultValue);
  }

  public String oneOf(String key, String defaultValue, String... allowed) {
    return oneOf(key, defaultValue, Arrays.asList(allowed));
  }

  /** A list of strings; a single scalar is not accepted in its place. Absent or null gives the default. */
  public List<String> stringList(String key, List<String> defaultValue) {
    Optional<ConfigNode> n = present(key);
    if (n.isEmpty()) {
      return defaultValue;
    }
    List<String> out = new ArrayList<>();
    for (ConfigNode item : n.get().items()) {
      out.add(item.text());
    }
    return List.copyOf(out);
  }

  /** A child map; absent or null gives an empty map, so its getters fall back to defaults. */
  public ConfigMap map(String key) {
    asked.add(key);
    ConfigNode child = entries.get(key);
    if (child == null) {
      return ConfigNode.emptyMap(node.file(), node.line(), child(key)).asMap();
    }
    return child.asMap();
  }

  /** A list of maps, each read strictly. */
  public List<ConfigMap> mapList(String key) {
    Optional<ConfigNode> n = present(key);
    if (n.isEmpty()) {
      return List.of();
    }
    List<ConfigMap> out = new ArrayList<>();
    for (ConfigNode item : n.get().items()) {
      out.add(item.asMap());
    }
    return out;
  }

  /** Reads each list item with {@code reader}. */
  public <T> List<T> list(String key, Function<ConfigNode, T> reader) {
    Optional<ConfigNode> n = present(key);
    if (n.isEmpty()) {
      return List.of();
    }
    List<T> out = new ArrayList<>();
    for (ConfigNode item : n.get().items()) {
      out.add(reader.apply(item));
    }
    return List.copyOf(out);
  }

  /**
   * Fails on the first key present in the YAML that no getter asked for. The message lists the
   * allowed keys (those asked for), so a typo is easy to spot.
   */
  public void done() {
    for (Map.Entry<String, ConfigNode> e : entries.entrySet()) {
      if (!asked.contains(e.getKey())) {
        ConfigNode bad = e.getValue();
        String allowed = asked.isEmpty() ? "(no keys)" : String.join(", ", asked);
        throw new ConfigException(bad.file(), bad.line(), child(e.getKey()), "unknown key; allowed: " + allowed);
      }
    }
  }

  /** A failure about a key of this map. */
  public ConfigException error(String key, String problem) {
    ConfigNode child = entries.get(key);
    if (child != null) {
      return ConfigException.at(child, problem);
    }
    return new ConfigException(node.file(), node.line(), child(key), problem);
  }

  /** A failure about this map as a whole. */
  public ConfigException error(String problem) {
    return ConfigException.at(node, problem);
  }

  private String child(String key) {
    return node.path().isEmpty() ? key : node.path() + "." + key;
  }

  private Optional<ConfigNode> present(String key) {
    asked.add(key);
    ConfigNode n = entries.get(key);
    return n == null || n.isNull() ? Optional.empty() : Optional.of(n);
  }

  private Optional<ConfigNode> scalar(String key) {
    Optional<ConfigNode> n = present(key);
    n.ifPresent(
        c -> {
          if (!c.isScalar()) {
            throw ConfigException.at(c, "expected a single value, found " + c.describe());
          }
        });
    return n;
  }

  private static boolean parseBool(ConfigNode n) {
    switch (n.text().trim().toLowerCase(Locale.ROOT)) {
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw ConfigException.at(n, "expected true or false, found " + n.describe());
    }
  }

  private static long parseLong(ConfigNode n, long min, long max) {
    long v;
    try {
      v = Long.parseLong(n.text().trim().replace("_", ""));
    } catch (NumberFormatException e) {
      throw ConfigException.at(n, "expected a whole number, found " + n.describe());
    }
    if (v < min || v > max) {
      throw ConfigException.at(n, "must be between " + min + " and " + max + ", found " + v);
    }
    return v;
  }

  private static String plain(double d) {
    return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
  }
}

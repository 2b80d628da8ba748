package io.tailshard.common.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One node of a loaded configuration tree: a map, a list, a scalar, or null, together with where
 * it came from (file, line, key path). Immutable. Scalars keep the text the YAML had (after
 * {@code ${env:...}} substitution) and are converted on request by {@link ConfigMap}'s getters, so
 * a wrong type is reported with the key path instead of failing inside the YAML library.
 */
public final class ConfigNode {
  /** The kinds of node. */
  public enum Kind {
    MAP,
    LIST,
    SCALAR,
    NULL
  }

  private final Kind kind;
  private final String file;
  private final int line;
  private final String path;
  private final String scalar;
  private final boolean quoted;
  private final Map<String, ConfigNode> map;
  private final List<ConfigNode> list;

  private ConfigNode(
      Kind kind,
      String file,
      int line,
      String path,
      String scalar,
      boolean quoted,
      Map<String, ConfigNode> map,
      List<ConfigNode> list) {
    this.kind = kind;
    this.file = file;
    this.line = line;
    this.path = path;
    this.scalar = scalar;
    this.quoted = quoted;
    this.map = map;
    this.list = list;
  }

  public static ConfigNode ofScalar(String file, int line, String path, String text, boolean quoted) {
    return new ConfigNode(Kind.SCALAR, file, line, path, Objects.requireNonNull(text), quoted, null, null);
  }

  public static ConfigNode ofNull(String file, int line, String path) {
    return new ConfigNode(Kind.NULL, file, line, path, null, false, null, null);
  }

  public static ConfigNode ofMap(String file, int line, String path, Map<String, ConfigNode> entries) {
    return new ConfigNode(
        Kind.MAP, file, line, path, null, false,
        Collections.unmodifiableMap(new LinkedHashMap<>(entries)), null);
  }

  public static ConfigNode ofList(String file, int line, String path, List<ConfigNode> items) {
    return new ConfigNode(
        Kind.LIST, file, line, path, null, false, null, Collections.unmodifiableList(new ArrayList<>(items)));
  }

  /** An empty map standing for an absent block, so that defaults apply (e.g. {@code grpc:} with no value). */
  public static ConfigNode emptyMap(String file, int line, String path) {
    return ofMap(file, line, path, Map.of());
  }

  /** The same node reported at another line (the line of the key that holds it). */
  ConfigNode atLine(int newLine) {
    return newLine == line ? this : new ConfigNode(kind, file, newLine, path, scalar, quoted, map, list);
  }

  public Kind kind() {
    return kind;
  }

  public String file() {
    return file;
  }

  public int line() {
    return line;
  }

  /** Dotted key path from the root, with list indexes in brackets: {@code service.pipelines.traces.receivers[0]}. */
  public String path() {
    return path;
  }

  public boolean isNull() {
    return kind == Kind.NULL;
  }

  public boolean isMap() {
    return kind == Kind.MAP;
  }

  public boolean isList() {
    return kind == Kind.LIST;
  }

  public boolean isScalar() {
    return kind == Kind.SCALAR;
  }

  /** True when the scalar was written in quotes, so {@code "true"} stays a string. */
  public boolean quoted() {
    return quoted;
  }

  /** The scalar's text; fails with the path when this is not a scalar. */
  public String text() {
    if (kind != Kind.SCALAR) {
      throw ConfigException.at(this, "expected a single value, found " + describe());
    }
    return scalar;
  }

  /** The entries of a map node (insertion order). Null counts as an empty map: {@code grpc:} means defaults. */
  public Map<String, ConfigNode> entries() {
    if (kind == Kind.NULL) {
      return Map.of();
    }
    if (kind != Kind.MAP) {
      throw ConfigException.at(this, "expected a map of keys, found " + describe());
    }
    return map;
  }

  /** The items of a list node. Null counts as an empty list. */
  public List<ConfigNode> items() {
    if (kind == Kind.NULL) {
      return List.of();
    }
    if (kind != Kind.LIST) {
      throw ConfigException.at(this, "expected a list, found " + describe());
    }
    return list;
  }

  /** This node read as a strict map: see {@link ConfigMap}. */
  public ConfigMap asMap() {
    return new ConfigMap(this);
  }

  /** A short human description of what this node holds, for error messages. */
  public String describe() {
    switch (kind) {
      case MAP:
        return "a map";
      case LIST:
        return "a list";
      case NULL:
        return "nothing (null)";
      default:
        return "'" + scalar + "'";
    }
  }

  /** The tree as plain Java values (maps, lists, strings, nulls), for printing and tests. */
  public Object toPlain() {
    switch (kind) {
      case MAP: {
        Map<String, Object> out = new LinkedHashMap<>();
        map.forEach((k, v) -> out.put(k, v.toPlain()));
        return out;
      }
      case LIST: {
        List<Object> out = new ArrayList<>();
        list.forEach(v -> out.add(v.toPlain()));
        return out;
      }
      case NULL:
        return null;
      default:
        return scalar;
    }
  }

  @Override
  public String toString() {
    return path + "=" + toPlain();
  }
}

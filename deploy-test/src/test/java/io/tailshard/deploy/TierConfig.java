package io.tailshard.deploy;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * A tier config (Collector-style YAML) as the deploy tests read it: key paths, and
 * {@code ${env:NAME}} / {@code ${NAME}} / {@code ${env:NAME:-default}} substituted from the
 * container's environment the way the tiers' config loader does.
 */
final class TierConfig {
  /** The config loader's reference syntax (common's ConfigLoader). */
  static final Pattern ENV_REF = Pattern.compile("\\$\\$|\\$\\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\\}");

  final String source;
  final Map<String, Object> root;

  @SuppressWarnings("unchecked")
  TierConfig(String source, String yaml) {
    this.source = source;
    Object doc = new Load(LoadSettings.builder().setAllowDuplicateKeys(false).build()).loadFromString(yaml);
    if (!(doc instanceof Map)) {
      throw new AssertionError(source + ": not a YAML mapping");
    }
    this.root = (Map<String, Object>) doc;
  }

  /** The value at a dotted path ({@code exporters.loadbalancing.resolver.dns.hostname}), if there. */
  @SuppressWarnings("unchecked")
  Optional<Object> at(String path) {
    Object cur = root;
    for (String key : path.split("\\.")) {
      if (!(cur instanceof Map)) {
        return Optional.empty();
      }
      cur = ((Map<String, Object>) cur).get(key);
      if (cur == null) {
        return Optional.empty();
      }
    }
    return Optional.of(cur);
  }

  String string(String path) {
    return at(path).map(String::valueOf).orElseThrow(() -> new AssertionError(source + ": no " + path));
  }

  /** The port of a {@code host:port} endpoint at {@code path}; its host must be reachable from outside the pod. */
  int listenPort(String path) {
    String endpoint = string(path);
    int colon = endpoint.lastIndexOf(':');
    if (colon < 0) {
      throw new AssertionError(source + ": " + path + " is not host:port: " + endpoint);
    }
    String host = endpoint.substring(0, colon);
    if (!(host.isEmpty() || host.equals("0.0.0.0") || host.equals("[::]") || host.equals("::"))) {
      throw new AssertionError(source + ": " + path + " binds " + host + ", unreachable from outside the pod");
    }
    return Integer.parseInt(endpoint.substring(colon + 1));
  }

  /** The self-metrics port: the Collector's readers[].pull.exporter.prometheus, or the older address. */
  @SuppressWarnings("unchecked")
  int selfMetricsPort() {
    Optional<Object> readers = at("service.telemetry.metrics.readers");
    if (readers.isPresent()) {
      for (Object r : (List<Object>) readers.get()) {
        Object prom = dig(r, "pull", "exporter", "prometheus");
        if (prom instanceof Map) {
          Map<String, Object> m = (Map<String, Object>) prom;
          Object host = m.get("host");
          if (host != null && !host.equals("0.0.0.0") && !host.equals("::")) {
            throw new AssertionError(source + ": self-metrics bound to " + host + ", unreachable from outside the pod");
          }
          return ((Number) m.get("port")).intValue();
        }
      }
    }
    if (at("service.telemetry.metrics.address").isPresent()) {
      return listenPort("service.telemetry.metrics.address");
    }
    return 8888; // the Collector's default
  }

  @SuppressWarnings("unchecked")
  private static Object dig(Object o, String... keys) {
    for (String k : keys) {
      if (!(o instanceof Map)) {
        return null;
      }
      o = ((Map<String, Object>) o).get(k);
    }
    return o;
  }

  /**
   * Substitutes config references from {@code env}. A reference to an unset variable without a
   * default fails, as the tier would at start-up.
   */
  String substitute(String value, Map<String, String> env) {
    Matcher m = ENV_REF.matcher(value);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String rep;
      if (m.group().equals("$$")) {
        rep = "$";
      } else {
        String v = env.get(m.group(1));
        if (v == null && m.group(2) == null) {
          throw new AssertionError(source + ": ${env:" + m.group(1) + "} is not set in the container and has no default");
        }
        rep = v != null ? v : m.group(2);
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(rep));
    }
    m.appendTail(sb);
    return sb.toString();
  }

  /** Every variable a value of the config references without a default: the container must set each. */
  java.util.Set<String> requiredEnv() {
    java.util.Set<String> names = new java.util.TreeSet<>();
    collect(root, names);
    return names;
  }

  private static void collect(Object node, java.util.Set<String> names) {
    if (node instanceof Map) {
      ((Map<?, ?>) node).values().forEach(v -> collect(v, names));
    } else if (node instanceof List) {
      ((List<?>) node).forEach(v -> collect(v, names));
    } else if (node instanceof String) {
      Matcher m = ENV_REF.matcher((String) node);
      while (m.find()) {
        if (m.group(1) != null && m.group(2) == null) {
          names.add(m.group(1));
        }
      }
    }
  }
}

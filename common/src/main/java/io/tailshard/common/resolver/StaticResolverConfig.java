package io.tailshard.common.resolver;

import com.google.common.net.HostAndPort;
import io.tailshard.common.config.ConfigException;
import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.config.ConfigNode;
import io.tailshard.common.telemetry.MetricRegistry;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * {@code resolver.static}: a fixed list of backends. {@code hostnames} (required, at least one)
 * are {@code host}, {@code host:port}, {@code [v6]:port} or a bare IPv6 address; port
 * {@value #DEFAULT_PORT} is added where none is given, as the Collector does.
 *
 * @param hostnames the hostnames as written
 */
public record StaticResolverConfig(List<String> hostnames) implements ResolverConfig {
  /** The OTLP/gRPC port added to hostnames written without one. */
  public static final int DEFAULT_PORT = 4317;

  public StaticResolverConfig {
    hostnames = List.copyOf(hostnames);
    if (hostnames.isEmpty()) {
      throw new IllegalArgumentException("hostnames: at least one hostname is required");
    }
    for (String h : hostnames) {
      endpoint(h); // validates
    }
  }

  /** Reads {@code resolver.static} strictly. */
  public static StaticResolverConfig parse(ConfigMap m) {
    if (!m.has("hostnames")) {
      throw m.error("hostnames", "required key is missing");
    }
    List<String> hostnames = m.list("hostnames", StaticResolverConfig::hostname);
    if (hostnames.isEmpty()) {
      throw m.error("hostnames", "at least one hostname is required");
    }
    m.done();
    return new StaticResolverConfig(hostnames);
  }

  /** The endpoints: each hostname with its port (the default where none was written), sorted, distinct. */
  public List<String> endpoints() {
    TreeSet<String> out = new TreeSet<>();
    for (String h : hostnames) {
      out.add(endpoint(h));
    }
    return List.copyOf(out);
  }

  @Override
  public Resolver newResolver(Vertx vertx, MetricRegistry metrics, Consumer<List<String>> listener) {
    return new StaticResolver(this, metrics, listener);
  }

  private static String hostname(ConfigNode item) {
    String text = item.text().trim();
    try {
      endpoint(text);
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(item, e.getMessage());
    }
    return text;
  }

  /** {@code host:port} with the default port added; IPv6 hosts in brackets. */
  static String endpoint(String hostname) {
    String text = hostname == null ? "" : hostname.trim();
    if (text.isEmpty()) {
      throw new IllegalArgumentException("a hostname must not be empty");
    }
    HostAndPort hp;
    try {
      hp = HostAndPort.fromString(text).withDefaultPort(DEFAULT_PORT);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + text + "' is not host, host:port or [IPv6]:port");
    }
    if (hp.getHost().isEmpty() || hp.getPort() < 1) {
      throw new IllegalArgumentException("'" + text + "' needs a host and a port from 1 to 65535");
    }
    return hp.toString();
  }
}

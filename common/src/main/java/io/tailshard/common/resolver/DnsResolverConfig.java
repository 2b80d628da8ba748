package io.tailshard.common.resolver;

import com.google.common.net.HostAndPort;
import com.google.common.net.InetAddresses;
import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.config.Durations;
import io.tailshard.common.telemetry.MetricRegistry;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code resolver.dns}: the backends are the A and AAAA records of a name, typically the sampling
 * tier's Kubernetes headless Service. The Collector's options and defaults:
 *
 * <ul>
 *   <li>{@code hostname} (required): the name to resolve;
 *   <li>{@code port} (default {@value #DEFAULT_PORT}): added to every address;
 *   <li>{@code interval} (default 5s): how often to resolve;
 *   <li>{@code timeout} (default 1s): how long one resolution (all its queries) may take.
 * </ul>
 *
 * Ours, not the Collector's: {@code server} (default: the system's, see {@link DnsResolver}), the
 * DNS server to ask as {@code ip} or {@code ip:port} (port 53 when absent). It must be an IP
 * address, because the resolver cannot use DNS to find its own DNS server.
 *
 * @param hostname the name whose records are the backends
 * @param port the port of every backend
 * @param interval the time between the starts of two resolutions, positive
 * @param timeout the longest one resolution may take, positive
 * @param server the DNS server to ask, or empty for the system's
 */
public record DnsResolverConfig(String hostname, int port, Duration interval, Duration timeout, Optional<HostAndPort> server)
    implements ResolverConfig {
  public static final int DEFAULT_PORT = 4317;
  public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
  /** The DNS port, used when {@code server} has none. */
  public static final int DEFAULT_SERVER_PORT = 53;

  public DnsResolverConfig {
    Objects.requireNonNull(hostname, "hostname");
    Objects.requireNonNull(interval, "interval");
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(server, "server");
    String problem = hostnameProblem(hostname);
    if (problem != null) {
      throw new IllegalArgumentException("hostname: " + problem);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: must be between 1 and 65535, found " + port);
    }
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("interval: must be greater than 0");
    }
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout: must be greater than 0");
    }
    server.ifPresent(s -> {
      String p = serverProblem(s);
      if (p != null) {
        throw new IllegalArgumentException("server: " + p);
      }
    });
  }

  /** The defaults for {@code hostname}: port 4317, every 5s, 1s timeout, the system's DNS server. */
  public static DnsResolverConfig of(String hostname) {
    return new DnsResolverConfig(hostname, DEFAULT_PORT, DEFAULT_INTERVAL, DEFAULT_TIMEOUT, Optional.empty());
  }

  /** Reads {@code resolver.dns} strictly. {@code port} may be written as a number or, as in the Collector, a string. */
  public static DnsResolverConfig parse(ConfigMap m) {
    String hostname = m.requiredString("hostname").trim();
    String problem = hostnameProblem(hostname);
    if (problem != null) {
      throw m.error("hostname", problem);
    }
    int port = m.integer("port", DEFAULT_PORT, 1, 65535);
    Duration interval = m.duration("interval", DEFAULT_INTERVAL);
    if (interval.isZero()) {
      throw m.error("interval", "must be greater than 0");
    }
    Duration timeout = m.duration("timeout", DEFAULT_TIMEOUT);
    if (timeout.isZero()) {
      throw m.error("timeout", "must be greater than 0");
    }
    Optional<HostAndPort> server = Optional.empty();
    String serverText = m.string("server", null);
    if (serverText != null) {
      HostAndPort hp;
      try {
        hp = HostAndPort.fromString(serverText.trim()).withDefaultPort(DEFAULT_SERVER_PORT);
      } catch (IllegalArgumentException e) {
        throw m.error("server", "expected ip or ip:port, found '" + serverText + "'");
      }
      String p = serverProblem(hp);
      if (p != null) {
        throw m.error("server", p);
      }
      server = Optional.of(hp);
    }
    m.done();
    return new DnsResolverConfig(hostname, port, interval, timeout, server);
  }

  @Override
  public Resolver newResolver(Vertx vertx, MetricRegistry metrics, Consumer<List<String>> listener) {
    return new DnsResolver(vertx, this, metrics, listener);
  }

  @Override
  public String toString() {
    return "dns{hostname=" + hostname + ", port=" + port + ", interval=" + Durations.format(interval)
        + ", timeout=" + Durations.format(timeout) + server.map(s -> ", server=" + s).orElse("") + "}";
  }

  private static String hostnameProblem(String hostname) {
    if (hostname.isEmpty()) {
      return "must not be empty";
    }
    for (int i = 0; i < hostname.length(); i++) {
      char c = hostname.charAt(i);
      if (c == ':' || c == '/' || Character.isWhitespace(c)) {
        return "expected a DNS name without port or scheme, found '" + hostname + "'";
      }
    }
    return null;
  }

  private static String serverProblem(HostAndPort server) {
    if (!InetAddresses.isInetAddress(server.getHost())) {
      return "must be an IP address (the DNS server cannot itself be found through DNS), found '" + server.getHost() + "'";
    }
    if (server.getPort() < 1) {
      return "port must be between 1 and 65535";
    }
    return null;
  }
}

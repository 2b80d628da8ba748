package io.tailshard.common.config;

import java.util.Objects;

/**
 * A listen or connect address written as the Collector writes it: {@code host:port},
 * {@code [::1]:port} for IPv6, or {@code :port} for every interface. Port 0 asks the OS for a free
 * port (tests); the bound port is then reported by whoever listens. Immutable.
 */
public record HostPort(String host, int port) {
  /** The host that {@code :port} stands for: every IPv4 interface, as Go's listeners treat it. */
  public static final String ANY_HOST = "0.0.0.0";

  public HostPort {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, found " + port);
    }
  }

  /** Parses a scalar node; a bad address is a {@link ConfigException} naming the node's path. */
  public static HostPort parse(ConfigNode node) {
    try {
      return parse(node.text());
    } catch (IllegalArgumentException e) {
      throw ConfigException.at(node, e.getMessage());
    }
  }

  /** Parses {@code host:port}; throws {@link IllegalArgumentException} with a readable message. */
  public static HostPort parse(String text) {
    String s = text.trim();
    int colon = s.lastIndexOf(':');
    if (colon < 0) {
      throw new IllegalArgumentException(
          "expected host:port such as 0.0.0.0:4317, 127.0.0.1:8888 or [::1]:13133, found '" + text + "'");
    }
    String host = s.substring(0, colon);
    String portText = s.substring(colon + 1);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.indexOf(':') >= 0) {
      throw new IllegalArgumentException("write an IPv6 address in brackets, e.g. [::1]:4317, found '" + text + "'");
    }
    if (host.isEmpty()) {
      host = ANY_HOST;
    }
    int port;
    try {
      port = Integer.parseInt(portText);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("the port in '" + text + "' is not a number");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be between 0 and 65535, found " + port + " in '" + text + "'");
    }
    return new HostPort(host, port);
  }

  /** The same host with another port (the one actually bound when port 0 was asked). */
  public HostPort withPort(int newPort) {
    return new HostPort(host, newPort);
  }

  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}

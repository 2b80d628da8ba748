package io.tailshard.common.resolver;

import com.google.common.net.HostAndPort;
import com.google.common.net.InetAddresses;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The parts of the system's resolver configuration ({@code /etc/resolv.conf}, resolv.conf(5))
 * that the DNS resolver honours: the first {@code nameserver} (port 53), the {@code search} list
 * (or {@code domain}; the last such line wins, as in the C library) and {@code options ndots:n}
 * (default 1, at most 15). Everything else is ignored. Immutable.
 */
final class ResolvConf {
  static final Path SYSTEM_FILE = Path.of("/etc/resolv.conf");
  static final ResolvConf EMPTY = new ResolvConf(Optional.empty(), List.of(), 1);

  private static final int DNS_PORT = 53;
  private static final int MAX_NDOTS = 15;

  private final Optional<HostAndPort> nameserver;
  private final List<String> search;
  private final int ndots;

  ResolvConf(Optional<HostAndPort> nameserver, List<String> search, int ndots) {
    this.nameserver = nameserver;
    this.search = List.copyOf(search);
    this.ndots = ndots;
  }

  /** Reads a resolv.conf file; a missing or unreadable file gives {@link #EMPTY}. Blocking. */
  static ResolvConf read(Path file) {
    try {
      return parse(Files.readString(file, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return EMPTY;
    }
  }

  static ResolvConf parse(String text) {
    Optional<HostAndPort> nameserver = Optional.empty();
    List<String> search = List.of();
    int ndots = 1;
    for (String raw : text.split("\n")) {
      String line = raw.strip();
      if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
        continue;
      }
      String[] words = line.split("\\s+");
      switch (words[0]) {
        case "nameserver":
          if (nameserver.isEmpty() && words.length > 1) {
            // A link-local server may carry a zone (fe80::1%eth0); the zone is kept, it is part of the address.
            String host = words[1];
            String bare = host.contains("%") ? host.substring(0, host.indexOf('%')) : host;
            if (InetAddresses.isInetAddress(bare)) {
              nameserver = Optional.of(HostAndPort.fromParts(host, DNS_PORT));
            }
          }
          break;
        case "search":
        case "domain":
          List<String> domains = new ArrayList<>();
          for (int i = 1; i < words.length; i++) {
            if (words[i].startsWith("#") || words[i].startsWith(";")) {
              break;
            }
            String d = stripDot(words[i].toLowerCase(Locale.ROOT));
            if (!d.isEmpty()) {
              domains.add(d);
            }
          }
          search = domains;
          break;
        case "options":
          for (int i = 1; i < words.length; i++) {
            if (words[i].startsWith("ndots:")) {
              try {
                ndots = Math.min(MAX_NDOTS, Math.max(0, Integer.parseInt(words[i].substring(6))));
              } catch (NumberFormatException ignored) {
                // the C library ignores a malformed option too
              }
            }
          }
          break;
        default:
          break;
      }
    }
    return new ResolvConf(nameserver, search, ndots);
  }

  /** The first name server, port 53, if the file names one. */
  Optional<HostAndPort> nameserver() {
    return nameserver;
  }

  List<String> search() {
    return search;
  }

  int ndots() {
    return ndots;
  }

  /**
   * The names to query for {@code hostname}, in order, as the system resolver tries them: a name
   * ending in a dot is absolute and tried alone; a name with at least {@code ndots} dots is tried
   * as written first, then with each search domain; a shorter one with the search domains first.
   */
  List<String> candidates(String hostname) {
    if (hostname.endsWith(".")) {
      return List.of(stripDot(hostname));
    }
    LinkedHashSet<String> out = new LinkedHashSet<>();
    boolean asWrittenFirst = dots(hostname) >= ndots;
    if (asWrittenFirst) {
      out.add(hostname);
    }
    for (String domain : search) {
      out.add(hostname + "." + domain);
    }
    out.add(hostname);
    return List.copyOf(out);
  }

  private static int dots(String s) {
    int n = 0;
    for (int i = 0; i < s.length(); i++) {
      if (s.charAt(i) == '.') {
        n++;
      }
    }
    return n;
  }

  private static String stripDot(String s) {
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  @Override
  public String toString() {
    return "resolv.conf{nameserver=" + nameserver.map(HostAndPort::toString).orElse("none") + ", search=" + search
        + ", ndots=" + ndots + "}";
  }
}

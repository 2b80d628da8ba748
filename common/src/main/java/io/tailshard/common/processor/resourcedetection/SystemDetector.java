package io.tailshard.common.processor.resourcedetection;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.tailshard.common.otlp.model.Values;
import java.io.IOException;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@code system} detector: the host's name, operating system, architecture and CPU, read the
 * way the Collector reads them on Linux, from {@code /proc}, {@code /etc} and the JVM:
 *
 * <ul>
 *   <li>{@code host.name}: from the first hostname source that answers ({@code os}: the kernel's
 *       hostname; {@code dns}: the canonical name of the host's address; {@code lookup}: a reverse
 *       lookup of that address);
 *   <li>{@code os.type}: {@code linux}, {@code darwin}, {@code windows}, ... (Go's GOOS names);
 *   <li>{@code host.arch}: {@code amd64}, {@code arm64}, {@code x86}, {@code arm32}, {@code ppc64},
 *       {@code s390x} (the semantic conventions' names, from Go's GOARCH);
 *   <li>{@code os.description}: {@code PRETTY_NAME (sysname nodename release version machine)}, as
 *       OpenTelemetry Go writes it; {@code os.name} and {@code os.version} from {@code /etc/os-release};
 *   <li>{@code host.id}: {@code /etc/machine-id} (or dbus's copy);
 *   <li>{@code host.ip}, {@code host.mac}: the addresses of the interfaces that are up, loopback excluded;
 *   <li>{@code host.cpu.*}: the first processor of {@code /proc/cpuinfo}: vendor, family, model,
 *       model name, stepping (strings) and cache size (an int in KB, as the Collector reports it).
 * </ul>
 *
 * Only the enabled attributes are emitted. {@code root} is "/" except in tests.
 */
final class SystemDetector implements Detector {
  /** The semantic conventions version of the Collector's system detector. */
  static final String SCHEMA_URL = "https://opentelemetry.io/schemas/1.6.1";

  private final Path root;
  private final List<String> hostnameSources;
  private final Set<String> enabled;

  SystemDetector(Path root, List<String> hostnameSources, Set<String> enabled) {
    this.root = root;
    this.hostnameSources = hostnameSources;
    this.enabled = enabled;
  }

  @Override
  public String name() {
    return "system";
  }

  @Override
  public String schemaUrl() {
    return SCHEMA_URL;
  }

  @Override
  public LinkedHashMap<String, AnyValue> detect() throws IOException {
    LinkedHashMap<String, AnyValue> out = new LinkedHashMap<>();
    String hostname = hostname();
    put(out, "host.name", hostname);
    put(out, "os.type", osType(System.getProperty("os.name", "")));
    if (enabled.contains("host.id")) {
      put(out, "host.id", firstLine("etc/machine-id").or(() -> firstLine("var/lib/dbus/machine-id")).orElse(null));
    }
    put(out, "host.arch", hostArch(System.getProperty("os.arch", "")));
    if (enabled.contains("host.ip") || enabled.contains("host.mac")) {
      interfaces(out);
    }
    if (enabled.contains("os.description") || enabled.contains("os.name") || enabled.contains("os.version")) {
      Map<String, String> release = osRelease();
      put(out, "os.description", osDescription(release, hostname));
      put(out, "os.name", release.get("NAME"));
      put(out, "os.version", release.get("VERSION_ID"));
    }
    if (enabled.stream().anyMatch(a -> a.startsWith("host.cpu."))) {
      Map<String, String> cpu = firstProcessor();
      put(out, "host.cpu.vendor.id", cpu.get("vendor_id"));
      put(out, "host.cpu.family", cpu.get("cpu family"));
      put(out, "host.cpu.model.id", cpu.get("model"));
      put(out, "host.cpu.model.name", cpu.get("model name"));
      put(out, "host.cpu.stepping", cpu.get("stepping"));
      String cache = cpu.get("cache size");
      if (cache != null && enabled.contains("host.cpu.cache.l2.size")) {
        try {
          out.put("host.cpu.cache.l2.size", Values.integer(Long.parseLong(cache.replace("KB", "").trim())));
        } catch (NumberFormatException e) {
          // An unreadable cache size is left out, as the Collector leaves out what it cannot read.
        }
      }
    }
    return out;
  }

  private void put(Map<String, AnyValue> out, String key, String value) {
    if (value != null && enabled.contains(key)) {
      out.put(key, Values.string(value));
    }
  }

  /** The host name from the first source that answers; an error when none does, as in the Collector. */
  private String hostname() throws IOException {
    List<String> failures = new ArrayList<>();
    for (String source : hostnameSources) {
      try {
        Optional<String> name = switch (source) {
          case "os" -> osHostname();
          case "dns" -> canonicalName();
          default -> reverseLookup();
        };
        if (name.isPresent() && !name.get().isBlank()) {
          return name.get();
        }
        failures.add(source + ": no answer");
      } catch (IOException | RuntimeException e) {
        failures.add(source + ": " + e.getMessage());
      }
    }
    throw new IOException("all hostname sources failed (" + String.join("; ", failures) + ")");
  }

  private Optional<String> osHostname() throws IOException {
    Optional<String> kernel = firstLine("proc/sys/kernel/hostname");
    if (kernel.isPresent() || !root.equals(Path.of("/"))) {
      return kernel;
    }
    return Optional.of(InetAddress.getLocalHost().getHostName());
  }

  private Optional<String> canonicalName() throws IOException {
    if (!root.equals(Path.of("/"))) {
      return Optional.empty(); // tests read a fake root; DNS is the real machine's
    }
    InetAddress local = InetAddress.getLocalHost();
    String name = local.getCanonicalHostName();
    // An address back instead of a name means there is no name to be had.
    return name.equals(local.getHostAddress()) ? Optional.empty() : Optional.of(trimDot(name));
  }

  private Optional<String> reverseLookup() throws IOException {
    if (!root.equals(Path.of("/"))) {
      return Optional.empty();
    }
    InetAddress local = InetAddress.getLocalHost();
    String name = InetAddress.getByAddress(local.getAddress()).getCanonicalHostName();
    return name.equals(local.getHostAddress()) ? Optional.empty() : Optional.of(trimDot(name));
  }

  private static String trimDot(String s) {
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }

  /** Go's GOOS name of the OS the JVM reports. */
  static String osType(String osName) {
    String n = osName.toLowerCase(Locale.ROOT);
    if (n.startsWith("windows")) {
      return "windows";
    }
    if (n.startsWith("mac") || n.startsWith("darwin")) {
      return "darwin";
    }
    if (n.startsWith("sunos") || n.startsWith("solaris")) {
      return "solaris";
    }
    return n.replace(" ", "");
  }

  /** The semantic conventions' architecture name of the JVM's {@code os.arch}. */
  static String hostArch(String osArch) {
    switch (osArch) {
      case "amd64":
      case "x86_64":
        return "amd64";
      case "aarch64":
      case "arm64":
        return "arm64";
      case "x86":
      case "i386":
      case "i486":
      case "i586":
      case "i686":
        return "x86";
      case "arm":
      case "arm32":
        return "arm32";
      case "ppc64":
      case "ppc64le":
        return "ppc64";
      default:
        return osArch;
    }
  }

  /** uname's machine name for the JVM's {@code os.arch}, for os.description. */
  private static String machine(String osArch) {
    switch (osArch) {
      case "amd64":
        return "x86_64";
      case "x86":
        return "i686";
      default:
        return osArch;
    }
  }

  private String osDescription(Map<String, String> release, String hostname) {
    String sysname = System.getProperty("os.name", "");
    String osRelease = firstLine("proc/sys/kernel/osrelease").orElse(System.getProperty("os.version", ""));
    String version = firstLine("proc/sys/kernel/version").orElse("");
    String uname = String.join(" ", sysname, hostname, osRelease, version, machine(System.getProperty("os.arch", "")));
    String pretty = release.getOrDefault("PRETTY_NAME", release.get("NAME"));
    return pretty == null ? uname : pretty + " (" + uname + ")";
  }

  private Map<String, String> osRelease() {
    Map<String, String> out = new HashMap<>();
    for (String file : List.of("etc/os-release", "usr/lib/os-release")) {
      List<String> lines = lines(file);
      if (lines.isEmpty()) {
        continue;
      }
      for (String line : lines) {
        int eq = line.indexOf('=');
        if (eq > 0 && !line.startsWith("#")) {
          String v = line.substring(eq + 1).trim();
          if (v.length() >= 2 && (v.startsWith("\"") || v.startsWith("'")) && v.endsWith(v.substring(0, 1))) {
            v = v.substring(1, v.length() - 1);
          }
          out.put(line.substring(0, eq).trim(), v);
        }
      }
      break;
    }
    return out;
  }

  /** The fields of the first processor in /proc/cpuinfo. */
  private Map<String, String> firstProcessor() {
    Map<String, String> out = new HashMap<>();
    for (String line : lines("proc/cpuinfo")) {
      if (line.isBlank()) {
        if (!out.isEmpty()) {
          break;
        }
        continue;
      }
      int colon = line.indexOf(':');
      if (colon > 0) {
        out.putIfAbsent(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
      }
    }
    return out;
  }

  private void interfaces(Map<String, AnyValue> out) throws IOException {
    ArrayValue.Builder ips = ArrayValue.newBuilder();
    ArrayValue.Builder macs = ArrayValue.newBuilder();
    for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!ni.isUp() || ni.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(ni.getInetAddresses())) {
        if (!a.isLoopbackAddress()) {
          String text = a.getHostAddress();
          int zone = text.indexOf('%');
          ips.addValues(Values.string(zone < 0 ? text : text.substring(0, zone)));
        }
      }
      byte[] mac = ni.getHardwareAddress();
      if (mac != null && mac.length > 0) {
        StringBuilder sb = new StringBuilder();
        for (byte b : mac) {
          if (sb.length() > 0) {
            sb.append('-');
          }
          sb.append(String.format("%02X", b));
        }
        macs.addValues(Values.string(sb.toString()));
      }
    }
    if (enabled.contains("host.ip")) {
      out.put("host.ip", AnyValue.newBuilder().setArrayValue(ips).build());
    }
    if (enabled.contains("host.mac")) {
      out.put("host.mac", AnyValue.newBuilder().setArrayValue(macs).build());
    }
  }

  private Optional<String> firstLine(String file) {
    List<String> lines = lines(file);
    return lines.isEmpty() || lines.get(0).isBlank() ? Optional.empty() : Optional.of(lines.get(0).trim());
  }

  private List<String> lines(String file) {
    try {
      return Files.readAllLines(root.resolve(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return List.of();
    }
  }
}

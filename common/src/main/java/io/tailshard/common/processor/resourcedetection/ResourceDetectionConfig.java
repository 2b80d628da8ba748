package io.tailshard.common.processor.resourcedetection;

import io.tailshard.common.config.ConfigException;
import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.config.ConfigNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code resourcedetection} processor's config, as the Collector's, for the detectors tailshard
 * builds:
 *
 * <ul>
 *   <li>{@code detectors} ([env]): in order; where two detect the same attribute the first wins.
 *       {@code env} reads {@code OTEL_RESOURCE_ATTRIBUTES}; {@code system} reads the host. The
 *       Collector's cloud and platform detectors (ec2, gcp, azure, docker, k8snode, ...) are refused.
 *   <li>{@code override} (true): detected attributes replace a resource's own; false adds only
 *       missing ones.
 *   <li>{@code timeout} (5s): the longest detection may take at start; what is detected by then is used.
 *   <li>{@code attributes} (all): when given, only these detected attributes are applied (the
 *       Collector's deprecated filter).
 *   <li>{@code system.hostname_sources} ([dns, os]): {@code os} (the kernel's hostname), {@code dns}
 *       (the host's canonical name), {@code lookup} (reverse lookup of its address); the first that
 *       answers names the host.
 *   <li>{@code system.resource_attributes.<name>.enabled}: which attributes the system detector
 *       emits; {@code host.name} and {@code os.type} by default, the rest on request.
 * </ul>
 */
public record ResourceDetectionConfig(List<String> detectors, boolean override, Duration timeout,
    Optional<Set<String>> attributes, List<String> hostnameSources, Set<String> systemAttributes) {

  public static final List<String> DEFAULT_DETECTORS = List.of("env");
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
  public static final List<String> DEFAULT_HOSTNAME_SOURCES = List.of("dns", "os");

  /** The system detector's attributes and whether each is on by default (the Collector's defaults). */
  static final Map<String, Boolean> SYSTEM_ATTRIBUTES = Map.ofEntries(
      Map.entry("host.name", true), Map.entry("os.type", true), Map.entry("host.id", false),
      Map.entry("host.arch", false), Map.entry("host.ip", false), Map.entry("host.mac", false),
      Map.entry("host.cpu.vendor.id", false), Map.entry("host.cpu.family", false),
      Map.entry("host.cpu.model.id", false), Map.entry("host.cpu.model.name", false),
      Map.entry("host.cpu.stepping", false), Map.entry("host.cpu.cache.l2.size", false),
      Map.entry("os.description", false), Map.entry("os.name", false), Map.entry("os.version", false));

  private static final List<String> BUILT = List.of("env", "system");
  private static final List<String> NOT_BUILT = List.of("ec2", "ecs", "eks", "elasticbeanstalk", "lambda", "gcp",
      "azure", "aks", "consul", "docker", "heroku", "k8snode", "openshift", "dynatrace", "akamai", "alibaba_ecs",
      "hetzner", "kubeadm", "oraclecloud", "scaleway", "upcloud", "vultr", "digitalocean", "openstack_nova");

  static ResourceDetectionConfig parse(ConfigMap m) {
    List<String> detectors = m.stringList("detectors", DEFAULT_DETECTORS);
    List<ConfigNode> detectorNodes = m.get("detectors").filter(n -> !n.isNull()).map(ConfigNode::items).orElse(List.of());
    for (int i = 0; i < detectors.size(); i++) {
      String d = detectors.get(i);
      if (!BUILT.contains(d)) {
        String problem = NOT_BUILT.contains(d)
            ? "detector '" + d + "' is not built in tailshard; built: env, system"
            : "unknown detector '" + d + "'; built: env, system";
        throw ConfigException.at(detectorNodes.get(i), problem);
      }
    }
    boolean override = m.bool("override", true);
    Duration timeout = m.duration("timeout", DEFAULT_TIMEOUT);
    Optional<Set<String>> attributes = m.get("attributes").filter(n -> !n.isNull())
        .map(n -> Set.copyOf(m.stringList("attributes", List.of())));

    ConfigMap system = m.map("system");
    List<String> sources = system.stringList("hostname_sources", DEFAULT_HOSTNAME_SOURCES);
    for (String s : sources) {
      if (!List.of("os", "dns", "lookup").contains(s)) {
        throw system.error("hostname_sources", s.equals("cname")
            ? "hostname source 'cname' is not supported by tailshard; supported: os, dns, lookup"
            : "'" + s + "' is not a hostname source; allowed: os, dns, lookup");
      }
    }
    Set<String> enabled = new LinkedHashSet<>();
    SYSTEM_ATTRIBUTES.forEach((k, on) -> {
      if (on) {
        enabled.add(k);
      }
    });
    ConfigMap attrs = system.map("resource_attributes");
    for (String name : new ArrayList<>(attrs.keys())) {
      ConfigMap one = attrs.map(name);
      if (!SYSTEM_ATTRIBUTES.containsKey(name)) {
        throw attrs.error(name, "the system detector has no attribute '" + name + "'; it has: "
            + String.join(", ", new TreeSet<>(SYSTEM_ATTRIBUTES.keySet())));
      }
      if (one.bool("enabled", SYSTEM_ATTRIBUTES.get(name))) {
        enabled.add(name);
      } else {
        enabled.remove(name);
      }
      one.done();
    }
    attrs.done();
    system.done();
    m.map("env").done(); // the env detector takes no options
    for (String d : NOT_BUILT) {
      if (m.has(d)) {
        throw m.error(d, "detector '" + d + "' is not built in tailshard; built: env, system");
      }
    }
    m.done();
    if (timeout.isNegative() || timeout.isZero()) {
      throw m.error("timeout", "must be greater than zero");
    }
    return new ResourceDetectionConfig(List.copyOf(detectors), override, timeout, attributes, List.copyOf(sources),
        Set.copyOf(enabled));
  }
}

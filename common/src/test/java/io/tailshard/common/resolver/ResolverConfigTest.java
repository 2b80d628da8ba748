package io.tailshard.common.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.HostAndPort;
import io.tailshard.common.config.ConfigException;
import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.telemetry.MetricRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The {@code resolver} block, read as the Collector's loadbalancing exporter reads it. */
class ResolverConfigTest {

  private static ResolverConfig parse(String yaml) {
    return ResolverConfig.parse(new ConfigLoader(name -> null).parse("lb.yaml", yaml).asMap().map("resolver"));
  }

  private static ConfigException failure(String yaml) {
    return assertThrows(ConfigException.class, () -> parse(yaml));
  }

  @Test
  void dnsTakesTheCollectorsDefaults() {
    ResolverConfig c = parse("resolver:\n  dns:\n    hostname: otelcol.observability.svc.cluster.local\n");
    DnsResolverConfig dns = assertInstanceOf(DnsResolverConfig.class, c);
    assertEquals(DnsResolverConfig.of("otelcol.observability.svc.cluster.local"), dns);
    assertEquals(4317, dns.port());
    assertEquals(Duration.ofSeconds(5), dns.interval());
    assertEquals(Duration.ofSeconds(1), dns.timeout());
    assertEquals(Optional.empty(), dns.server());
  }

  @Test
  void dnsReadsEveryOptionWithThePortAsAStringAsTheCollectorWritesIt() {
    DnsResolverConfig dns = (DnsResolverConfig) parse(
        "resolver:\n  dns:\n    hostname: sampling\n    port: \"5317\"\n    interval: 500ms\n    timeout: 250ms\n"
            + "    server: 10.96.0.10\n");
    assertEquals(new DnsResolverConfig("sampling", 5317, Duration.ofMillis(500), Duration.ofMillis(250),
        Optional.of(HostAndPort.fromParts("10.96.0.10", 53))), dns);
    DnsResolverConfig v6 = (DnsResolverConfig) parse("resolver:\n  dns:\n    hostname: sampling\n    server: \"[fd00::10]:5353\"\n");
    assertEquals(HostAndPort.fromParts("fd00::10", 5353), v6.server().orElseThrow());
  }

  @Test
  void dnsRefusesBadOptionsNamingTheKey() {
    assertTrue(failure("resolver:\n  dns:\n    port: 4317\n").getMessage().contains("resolver.dns.hostname: required key is missing"));
    assertTrue(failure("resolver:\n  dns:\n    hostname: sampling:4317\n").getMessage().contains("resolver.dns.hostname"));
    assertTrue(failure("resolver:\n  dns:\n    hostname: s\n    port: 70000\n").getMessage().contains("resolver.dns.port"));
    assertTrue(failure("resolver:\n  dns:\n    hostname: s\n    interval: 0\n").getMessage().contains("resolver.dns.interval: must be greater than 0"));
    assertTrue(failure("resolver:\n  dns:\n    hostname: s\n    timeout: 5\n").getMessage().contains("resolver.dns.timeout"));
    assertTrue(failure("resolver:\n  dns:\n    hostname: s\n    server: kube-dns\n").getMessage().contains("must be an IP address"));
    ConfigException typo = failure("resolver:\n  dns:\n    hostname: s\n    intervall: 5s\n");
    assertTrue(typo.getMessage().contains("resolver.dns.intervall: unknown key; allowed: hostname, port, interval, timeout, server"),
        typo.getMessage());
  }

  @Test
  void staticAddsTheDefaultPort() {
    StaticResolverConfig c = (StaticResolverConfig) parse(
        "resolver:\n  static:\n    hostnames:\n      - sampling-0.sampling\n      - sampling-1.sampling:5317\n      - \"::1\"\n");
    assertEquals(List.of("sampling-0.sampling", "sampling-1.sampling:5317", "::1"), c.hostnames());
    assertEquals(List.of("[::1]:4317", "sampling-0.sampling:4317", "sampling-1.sampling:5317"), c.endpoints());
  }

  @Test
  void staticRefusesBadHostnamesNamingTheItem() {
    assertTrue(failure("resolver:\n  static:\n    hostnames: []\n").getMessage().contains("resolver.static.hostnames"));
    assertTrue(failure("resolver:\n  static: {}\n").getMessage().contains("resolver.static.hostnames: required key is missing"));
    ConfigException bad = failure("resolver:\n  static:\n    hostnames: [a, \"b:notaport\"]\n");
    assertTrue(bad.getMessage().contains("resolver.static.hostnames[1]"), bad.getMessage());
    assertTrue(failure("resolver:\n  static:\n    hostnames: a\n").getMessage().contains("resolver.static.hostnames"));
  }

  @Test
  void exactlyOneSupportedResolver() {
    assertTrue(failure("resolver: {}\n").getMessage().contains("one resolver is required"));
    assertTrue(failure("resolver:\n  static:\n    hostnames: [a]\n  dns:\n    hostname: b\n").getMessage().contains("only one resolver"));
    ConfigException k8s = failure("resolver:\n  k8s:\n    service: sampling.observability\n");
    assertTrue(k8s.getMessage().contains("resolver.k8s: the k8s resolver is not supported"), k8s.getMessage());
    assertTrue(failure("resolver:\n  consul: {}\n").getMessage().contains("resolver.consul: unknown key"));
  }

  @Test
  void eachConfigMakesItsResolver() {
    MetricRegistry metrics = new MetricRegistry();
    Resolver s = parse("resolver:\n  static:\n    hostnames: [a]\n").newResolver(null, metrics, eps -> {});
    assertInstanceOf(StaticResolver.class, s);
  }

  @Test
  void recordsValidateWhenBuiltInCode() {
    assertThrows(IllegalArgumentException.class, () -> DnsResolverConfig.of(""));
    assertThrows(IllegalArgumentException.class,
        () -> new DnsResolverConfig("s", 4317, Duration.ZERO, Duration.ofSeconds(1), Optional.empty()));
    assertThrows(IllegalArgumentException.class, () -> new StaticResolverConfig(List.of()));
    assertThrows(IllegalArgumentException.class, () -> new StaticResolverConfig(List.of("a:0")));
  }
}

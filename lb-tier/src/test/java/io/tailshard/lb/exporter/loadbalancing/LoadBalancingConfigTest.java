package io.tailshard.lb.exporter.loadbalancing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tailshard.common.config.ConfigException;
import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.exporter.BatchConfig;
import io.tailshard.common.resolver.DnsResolverConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoadBalancingConfigTest {
  private static LoadBalancingConfig parse(String yaml) {
    return new LoadBalancingExporterFactory().parseConfig(new ConfigLoader(n -> null).parse("lb.yaml", yaml).asMap());
  }

  @Test
  void seed004BlockLoadsAsWritten() {
    // exporters.loadbalancing of seed 004, exactly as the Collector's scaling guide writes it.
    LoadBalancingConfig c = parse("""
        protocol:
          otlp:
        resolver:
          dns:
            hostname: otelcol.observability.svc.cluster.local
        """);
    DnsResolverConfig dns = assertInstanceOf(DnsResolverConfig.class, c.resolver());
    assertEquals("otelcol.observability.svc.cluster.local", dns.hostname());
    assertEquals(4317, dns.port());
    assertEquals(Duration.ofSeconds(5), dns.interval());
    assertEquals(LoadBalancingConfig.RoutingKey.TRACE_ID, c.routingKey());
    assertTrue(c.template().tls().insecure(), "plaintext to sampling nodes when no tls key is given");
  }

  @Test
  void aBackendQueueWithStorageIsRefusedNamingTheKey() {
    ConfigException e = assertThrows(ConfigException.class, () -> parse(
        "protocol:\n  otlp:\n    sending_queue: {storage: rocksdb}\nresolver:\n  static: {hostnames: [a]}\n"));
    assertTrue(e.getMessage().contains("protocol.otlp.sending_queue"), e.getMessage());
    assertTrue(e.getMessage().contains("no storage"), e.getMessage());
  }

  @Test
  void noResolverIsAClearError() {
    ConfigException e = assertThrows(ConfigException.class, () -> parse("protocol:\n  otlp:\n"));
    assertTrue(e.getMessage().contains("resolver") && e.getMessage().contains("static") && e.getMessage().contains("dns"),
        e.getMessage());
  }

  @Test
  void twoResolversAreAClearError() {
    ConfigException e = assertThrows(ConfigException.class, () -> parse("""
        resolver:
          static:
            hostnames: [a, b]
          dns:
            hostname: x
        """));
    assertTrue(e.getMessage().contains("resolver.dns") && e.getMessage().contains("only one resolver"), e.getMessage());
  }

  @Test
  void unknownRoutingKeyNamesTheAllowedOnes() {
    ConfigException e = assertThrows(ConfigException.class, () -> parse("""
        routing_key: spanID
        resolver:
          static:
            hostnames: [a]
        """));
    assertTrue(e.getMessage().startsWith("lb.yaml:1: routing_key: 'spanID' is not allowed; allowed: traceID, service"),
        e.getMessage());
  }

  @Test
  void anEndpointInTheTemplateIsRefused() {
    ConfigException e = assertThrows(ConfigException.class, () -> parse("""
        protocol:
          otlp:
            endpoint: somewhere:4317
        resolver:
          static:
            hostnames: [a]
        """));
    assertTrue(e.getMessage().contains("protocol.otlp.endpoint"), e.getMessage());
  }

  @Test
  void failingBackendsDefaultsToRerouteAndAcceptsWait() {
    String resolver = "resolver:\n  static:\n    hostnames: [a]\n";
    assertEquals(LoadBalancingConfig.FailingBackends.REROUTE, parse(resolver).failingBackends());
    assertEquals(LoadBalancingConfig.FailingBackends.WAIT,
        parse("failing_backends: wait\n" + resolver).failingBackends());
    ConfigException e = assertThrows(ConfigException.class, () -> parse("failing_backends: hold\n" + resolver));
    assertTrue(e.getMessage().contains("failing_backends") && e.getMessage().contains("reroute, wait"), e.getMessage());
  }

  @Test
  void sendingQueueBatchTakesTheCollectorsKeysAndDefaults() {
    String resolver = "resolver:\n  static:\n    hostnames: [a]\n";
    // Absent: waiting batches are still merged when a lane frees up, but nothing waits.
    var none = parse(resolver).backendMerging();
    assertEquals(LoadBalancingConfig.MERGE_LIMIT_BYTES, none.maxBytes());
    assertEquals(null, none.batch());
    // Written empty: the Collector's defaults.
    var defaults = parse("protocol:\n  otlp:\n    sending_queue: {batch: {}}\n" + resolver).backendMerging().batch();
    assertEquals(BatchConfig.DEFAULT, defaults);
    assertEquals(Duration.ofMillis(200), defaults.flushTimeout());
    assertEquals(8192, defaults.minSize());
    var custom = parse("protocol:\n  otlp:\n    sending_queue:\n      num_consumers: 4\n"
        + "      batch: {flush_timeout: 50ms, min_size: 1000, max_size: 4000, sizer: items}\n" + resolver);
    assertEquals(new BatchConfig(Duration.ofMillis(50), 1000, 4000, BatchConfig.Sizer.ITEMS),
        custom.backendMerging().batch());
    assertEquals(4, custom.backendQueue().numConsumers(), "the queue's own keys still read");
  }

  @Test
  void aBadBatchBlockIsRefusedNamingTheKey() {
    String resolver = "resolver:\n  static:\n    hostnames: [a]\n";
    String[][] cases = {
        {"{flush_timeout: 0s}", "sending_queue.batch.flush_timeout"},
        {"{min_size: 100, max_size: 10}", "sending_queue.batch.max_size"},
        {"{sizer: requests}", "sending_queue.batch.sizer"},
        {"{linger: 5ms}", "linger"},
    };
    for (String[] c : cases) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> parse("protocol:\n  otlp:\n    sending_queue: {batch: " + c[0] + "}\n" + resolver), c[0]);
      assertTrue(e.getMessage().contains(c[1]), c[0] + ": " + e.getMessage());
    }
  }
}

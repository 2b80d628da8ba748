package io.tailshard.common.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.net.HostAndPort;
import io.tailshard.common.telemetry.MetricRegistry;
import io.tailshard.common.dns.LoopbackDnsServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The DNS resolver against a real (loopback) DNS server, resolving every 200 ms. */
class DnsResolverTest {
  private static final String NAME = "sampling.tailshard.test";
  private static final Duration INTERVAL = Duration.ofMillis(200);
  /** Generous: the first query in a cold JVM loads Netty's DNS classes. */
  private static final Duration TIMEOUT = Duration.ofMillis(500);

  private Vertx vertx;
  private LoopbackDnsServer dns;
  private MetricRegistry metrics;
  private BlockingQueue<List<String>> updates;
  /** The server's query count at the moment of each update. */
  private BlockingQueue<Integer> queriesAtUpdate;
  private DnsResolver resolver;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    dns = LoopbackDnsServer.start();
    metrics = new MetricRegistry();
    updates = new LinkedBlockingQueue<>();
    queriesAtUpdate = new LinkedBlockingQueue<>();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (resolver != null) {
      await(resolver.shutdown());
    }
    dns.close();
    await(vertx.close());
  }

  private DnsResolver start(DnsResolverConfig config) throws Exception {
    resolver = new DnsResolver(vertx, config, metrics, eps -> {
      queriesAtUpdate.add(dns.queries());
      updates.add(eps);
    }, () -> {
      throw new AssertionError("the system resolv.conf must not be read when a server is configured");
    });
    await(resolver.start());
    return resolver;
  }

  private DnsResolverConfig config() {
    return new DnsResolverConfig(NAME, 4317, INTERVAL, TIMEOUT, Optional.of(HostAndPort.fromParts(dns.host(), dns.port())));
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(10);
    }
  }

  private double resolutions(String success) {
    return metrics.sum(ResolverMetrics.NUM_RESOLUTIONS, "resolver", "dns", "success", success);
  }

  private double backendUpdates() {
    return metrics.sum(ResolverMetrics.NUM_BACKEND_UPDATES, "resolver", "dns");
  }

  /**
   * Waits until {@code n} more resolutions have been applied. Resolutions never overlap, so with
   * n >= 2 at least one of them started after anything the test changed before calling this.
   */
  private void waitForResolutions(int n) throws InterruptedException {
    double base = resolutions("true") + resolutions("false");
    waitFor(n + " more resolutions", () -> resolutions("true") + resolutions("false") >= base + n);
  }

  private static List<String> ips(String... ips) {
    return List.of(ips);
  }

  @Test
  void resolvesTheInitialSetBeforeStartCompletes() throws Exception {
    dns.setA(NAME, ips("10.0.0.3", "10.0.0.1", "10.0.0.2"));
    start(config());
    List<String> expected = List.of("10.0.0.1:4317", "10.0.0.2:4317", "10.0.0.3:4317");
    assertEquals(expected, resolver.endpoints());
    assertEquals(expected, updates.poll(5, TimeUnit.SECONDS));
    assertEquals("dns", resolver.type());
  }

  /**
   * Each change is seen by the first resolution that starts after it, so within one interval:
   * at most 4 queries reach the server between the change and the update (the 2 of a resolution
   * already under way, the 2 of the next one).
   */
  @Test
  void noticesChangesWithinOneInterval() throws Exception {
    dns.setA(NAME, ips("10.0.0.1", "10.0.0.2", "10.0.0.3"));
    start(config());
    assertEquals(3, updates.take().size());
    queriesAtUpdate.take();
    List<List<String>> steps = List.of(
        ips("10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"),
        ips("10.0.0.2", "10.0.0.4"));
    for (List<String> step : steps) {
      int queriesBefore = dns.queries();
      long t0 = System.nanoTime();
      dns.setA(NAME, step);
      List<String> got = updates.poll(5, TimeUnit.SECONDS);
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      int queriesBetween = queriesAtUpdate.take() - queriesBefore;
      System.out.printf("dns resolver: %d -> %d addresses noticed after %d ms (interval %d ms), %d queries in between%n",
          step.size() == 4 ? 3 : 4, step.size(), ms, INTERVAL.toMillis(), queriesBetween);
      assertEquals(step.stream().map(ip -> ip + ":4317").sorted().toList(), got);
      assertEquals(got, resolver.endpoints());
      assertTrue(queriesBetween <= 4, "the change took more than one resolution to notice: " + queriesBetween + " queries");
    }
    assertEquals(3, backendUpdates());
  }

  @Test
  void recordOrderAndDuplicatesDoNotChangeTheSet() throws Exception {
    dns.setA(NAME, ips("10.0.0.1", "10.0.0.2", "10.0.0.3"));
    start(config());
    updates.take();
    dns.setA(NAME, ips("10.0.0.3", "10.0.0.1", "10.0.0.2", "10.0.0.1"));
    waitForResolutions(3);
    assertNull(updates.poll(), "a reordered answer must not notify");
    assertEquals(1, backendUpdates());
    assertEquals(List.of("10.0.0.1:4317", "10.0.0.2:4317", "10.0.0.3:4317"), resolver.endpoints());
  }

  @Test
  void nxdomainGivesTheEmptySet() throws Exception {
    dns.setA(NAME, ips("10.0.0.1", "10.0.0.2"));
    start(config());
    updates.take();
    double ok = resolutions("true");
    dns.remove(NAME);
    assertEquals(List.of(), updates.poll(5, TimeUnit.SECONDS));
    assertEquals(List.of(), resolver.endpoints());
    assertTrue(resolutions("true") > ok, "an NXDOMAIN answer is a successful resolution");
    assertEquals(0, resolutions("false"));
    assertTrue(metrics.scrape().contains("otelcol_loadbalancer_num_backends{resolver=\"dns\"} 0\n"));
  }

  @Test
  void aNameWithoutRecordsGivesTheEmptySetFromTheStart() throws Exception {
    dns.setA(NAME, List.of());
    start(config());
    assertEquals(List.of(), resolver.endpoints());
    assertEquals(1, resolutions("true"));
    assertNull(updates.poll(), "the set did not change from empty");
  }

  @Test
  void aSilentServerCountsFailuresAndKeepsTheLastGoodSet() throws Exception {
    dns.setA(NAME, ips("10.0.0.1", "10.0.0.2", "10.0.0.3"));
    start(config());
    List<String> good = updates.take();
    dns.setSilent(true);
    waitFor("two failed resolutions", () -> resolutions("false") >= 2);
    assertEquals(good, resolver.endpoints());
    assertNull(updates.poll());
    assertTrue(metrics.scrape().contains("otelcol_loadbalancer_num_backends{resolver=\"dns\"} 3\n"));
    System.out.printf("dns resolver: silent server, %.0f failed resolutions counted, %d backends kept%n",
        resolutions("false"), resolver.endpoints().size());

    dns.setA(NAME, ips("10.0.0.9"));
    dns.setSilent(false);
    assertEquals(List.of("10.0.0.9:4317"), updates.poll(5, TimeUnit.SECONDS));
  }

  @Test
  void aServerErrorCountsAFailureAndKeepsTheLastGoodSet() throws Exception {
    dns.setA(NAME, ips("10.0.0.1"));
    start(config());
    updates.take();
    dns.setRcode(NAME, LoopbackDnsServer.SERVFAIL);
    waitFor("a failed resolution", () -> resolutions("false") >= 1);
    assertEquals(List.of("10.0.0.1:4317"), resolver.endpoints());
    assertNull(updates.poll());
  }

  @Test
  void aaaaRecordsBecomeBracketedCanonicalEndpoints() throws Exception {
    dns.setA(NAME, ips("10.0.0.1"));
    dns.setAAAA(NAME, ips("fd00:0:0:0:0:0:0:1", "FD00::A"));
    start(new DnsResolverConfig(NAME, 5317, INTERVAL, TIMEOUT, Optional.of(HostAndPort.fromParts(dns.host(), dns.port()))));
    assertEquals(List.of("10.0.0.1:5317", "[fd00::1]:5317", "[fd00::a]:5317"), resolver.endpoints());
  }

  @Test
  void metricsUseTheCollectorsNamesAndLabels() throws Exception {
    dns.setA(NAME, ips("10.0.0.1", "10.0.0.2", "10.0.0.3"));
    start(config());
    waitForResolutions(2);
    String scrape = metrics.scrape();
    System.out.println("dns resolver metrics:\n" + scrape);
    assertTrue(scrape.contains("otelcol_loadbalancer_num_backends{resolver=\"dns\"} 3\n"), scrape);
    assertTrue(scrape.contains("otelcol_loadbalancer_num_backend_updates_total{resolver=\"dns\"} 1\n"), scrape);
    assertTrue(scrape.contains("otelcol_loadbalancer_num_resolutions_total{resolver=\"dns\",success=\"false\"} 0\n"), scrape);
    assertTrue(resolutions("true") >= 3, scrape);
  }

  @Test
  void shutdownStopsResolvingAndIsIdempotent() throws Exception {
    dns.setA(NAME, ips("10.0.0.1"));
    start(config());
    await(resolver.shutdown());
    Thread.sleep(50); // a query sent just before the close may still be on its way
    int q = dns.queries();
    Thread.sleep(3 * INTERVAL.toMillis());
    assertEquals(q, dns.queries(), "no queries after shutdown");
    await(resolver.shutdown());
    assertEquals(resolver.start(), resolver.start(), "start again returns the first start's future");
  }

  @Test
  void shutdownWithoutStartIsFine() throws Exception {
    DnsResolver r = new DnsResolver(vertx, config(), metrics, updates::add, () -> ResolvConf.EMPTY);
    await(r.shutdown());
    assertEquals(List.of(), r.endpoints());
  }

  /** Without {@code server}: the system's name server and search domains, as in a Kubernetes pod. */
  @Test
  void withoutAServerTheSystemNameServerAndSearchDomainsApply() throws Exception {
    dns.setA("sampling.observability.svc.cluster.local", ips("10.1.0.1", "10.1.0.2"));
    ResolvConf pod = ResolvConf.parse(
        "nameserver 127.0.0.1\n"
            + "search observability.svc.cluster.local svc.cluster.local cluster.local\n"
            + "options ndots:5\n");
    ResolvConf loopback = new ResolvConf(Optional.of(HostAndPort.fromParts("127.0.0.1", dns.port())), pod.search(), pod.ndots());
    resolver = new DnsResolver(vertx, new DnsResolverConfig("sampling", 4317, INTERVAL, TIMEOUT, Optional.empty()),
        metrics, updates::add, () -> loopback);
    await(resolver.start());
    assertEquals(List.of("10.1.0.1:4317", "10.1.0.2:4317"), resolver.endpoints());
  }
}

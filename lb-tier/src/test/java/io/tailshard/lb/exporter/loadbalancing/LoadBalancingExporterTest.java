package io.tailshard.lb.exporter.loadbalancing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tailshard.common.component.ComponentId;
import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.Host;
import io.tailshard.common.component.RefusedException;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.ring.TraceIdRing;
import io.tailshard.common.telemetry.Telemetry;
import io.tailshard.common.testing.RecordingOtlpSink;
import io.tailshard.common.testing.SpanLedger;
import io.tailshard.common.dns.LoopbackDnsServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The loadbalancing exporter against real OTLP receivers on 127.0.0.2, .3, .4 (one port, as pods
 * behind a headless Service) found through a real DNS server answering A records.
 */
class LoadBalancingExporterTest {
  /** Fixed, below Linux's ephemeral range, so the ring (which hashes host:port) is the same every run. */
  private static final int PORT = 24317;
  private static final String NAME = "sampling.tailshard.test";

  private Vertx vertx;
  private LoopbackDnsServer dns;
  private final SpanLedger ledger = new SpanLedger();
  private final List<RecordingOtlpSink> backends = new ArrayList<>();
  private final Telemetry telemetry = Telemetry.forTests("lb-test");
  private LoadBalancingExporter exporter;

  @BeforeEach
  void setUp() throws Exception {
    vertx = Vertx.vertx();
    dns = LoopbackDnsServer.start();
  }

  @AfterEach
  void tearDown() throws Exception {
    if (exporter != null) {
      exporter.shutdown().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    backends.forEach(RecordingOtlpSink::close);
    dns.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private void startBackends(String... addresses) throws Exception {
    for (String a : addresses) {
      backends.add(new RecordingOtlpSink(vertx, a, PORT, ledger));
    }
  }

  private void startExporter() throws Exception {
    startExporter("");
  }

  private void startExporter(String extra) throws Exception {
    startExporter(extra, "");
  }

  /** {@code otlpExtra}: more keys of protocol.otlp, at its indentation (4 spaces). */
  private void startExporter(String extra, String otlpExtra) throws Exception {
    String yaml = String.join("\n",
        extra,
        "resolver:",
        "  dns:",
        "    hostname: " + NAME,
        "    port: " + PORT,
        "    interval: 200ms",
        "    timeout: 500ms",
        "    server: " + dns.address(),
        "protocol:",
        "  otlp:",
        "    timeout: 2s",
        "    retry_on_failure: {initial_interval: 50ms, max_interval: 200ms, max_elapsed_time: 5s}",
        otlpExtra,
        "");
    LoadBalancingExporterFactory factory = new LoadBalancingExporterFactory();
    LoadBalancingConfig config = factory.parseConfig(new ConfigLoader(n -> null).parse("lb.yaml", yaml).asMap());
    ComponentSettings settings = new ComponentSettings(
        ComponentId.of("loadbalancing"), ComponentKind.EXPORTER, vertx, telemetry, Host.empty());
    exporter = (LoadBalancingExporter) factory.createTracesExporter(settings, config);
    exporter.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    waitFor("the exporter to resolve backends", 10_000, () -> telemetry.health().isReady());
  }

  /** Sends like an OTLP client would: a retryable refusal is retried after a pause. */
  private void send(TraceData data) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      Future<Void> f = exporter.consumeTraces(data);
      Throwable failure = null;
      try {
        f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return;
      } catch (java.util.concurrent.ExecutionException e) {
        failure = e.getCause();
      }
      if (!(failure instanceof RefusedException) || !((RefusedException) failure).retryable()
          || System.nanoTime() > deadline) {
        throw new AssertionError("refused for good: " + failure, failure);
      }
      Thread.sleep(20);
    }
  }

  private static void waitFor(String what, long millis, BooleanSupplier done) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    while (!done.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }

  @Test
  void everySpanOfATraceReachesOneBackendAndLoadIsEven() throws Exception {
    startBackends("127.0.0.2", "127.0.0.3", "127.0.0.4");
    dns.setA(NAME, List.of("127.0.0.2", "127.0.0.3", "127.0.0.4"));
    startExporter();

    TraceFeed feed = TraceFeed.of(1, 10_000, 4, 40);
    for (TraceData r : feed.requests) {
      send(r);
    }
    waitFor("every span to arrive", 30_000, () -> ledger.spans() >= feed.spans);

    Map<String, Integer> perBackend = ledger.spansPerSink();
    double mean = feed.spans / 3.0;
    double maxOverMean = perBackend.values().stream().mapToInt(Integer::intValue).max().getAsInt() / mean;
    double minOverMean = perBackend.values().stream().mapToInt(Integer::intValue).min().getAsInt() / mean;
    System.out.printf("10,000 traces x 4 spans in %d requests: spans per backend %s, max/mean %.4f, min/mean %.4f%n",
        feed.requests.size(), perBackend, maxOverMean, minOverMean);
    assertEquals(feed.spans, ledger.spans(), "span count in = span count out");
    assertEquals(0, ledger.duplicates(), "duplicated spans");
    assertEquals(0, ledger.splitTraces(), "traces whose spans reached two backends");
    assertTrue(maxOverMean <= 1.05 && minOverMean >= 0.95, "per-backend load within 5% of even: " + perBackend);
    TraceIdRing ring = TraceIdRing.of(List.of("127.0.0.2:" + PORT, "127.0.0.3:" + PORT, "127.0.0.4:" + PORT));
    for (String traceHex : feed.traceIds) {
      assertEquals(ring.ownerEndpoint(java.util.HexFormat.of().parseHex(traceHex), 0), ledger.ownerOf(traceHex));
    }
  }

  @Test
  void newTracesFollowTheRingWithinOneIntervalWhenDnsChanges() throws Exception {
    startBackends("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5");
    dns.setA(NAME, List.of("127.0.0.2", "127.0.0.3", "127.0.0.4"));
    startExporter();

    int sent = 0;
    List<TraceFeed> phases = new ArrayList<>();
    List<List<String>> views = List.of(
        List.of("127.0.0.2", "127.0.0.3", "127.0.0.4"),
        List.of("127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"),
        List.of("127.0.0.2", "127.0.0.3"));
    for (int phase = 0; phase < views.size(); phase++) {
      List<String> view = views.get(phase);
      if (phase > 0) {
        dns.setA(NAME, view);
        long changed = System.currentTimeMillis();
        List<String> expected = view.stream().map(a -> a + ":" + PORT).sorted().toList();
        waitFor("the exporter to see " + expected, 5_000, () -> exporter.resolvedEndpoints().equals(expected));
        long seenAfter = System.currentTimeMillis() - changed;
        System.out.printf("DNS answer changed to %d backends: seen after %d ms (interval 200ms)%n", view.size(), seenAfter);
        // One interval plus the resolution timeout and scheduling slack on a loaded 2-core machine.
        assertTrue(seenAfter <= 200 + 500 + 300, "new view seen within one interval: " + seenAfter + " ms");
        // The ring is rebuilt on a worker right after the view changes.
        waitFor("the ring of " + expected, 5_000, () -> exporter.routedEndpoints().equals(expected));
      }
      TraceFeed feed = TraceFeed.of(100 + phase, 2_000, 3, 30);
      for (TraceData r : feed.requests) {
        send(r);
      }
      sent += feed.spans;
      phases.add(feed);
      int target = sent;
      waitFor("phase " + phase + " spans to arrive", 30_000, () -> ledger.spans() >= target);
      TraceIdRing ring = TraceIdRing.of(view.stream().map(a -> a + ":" + PORT).toList());
      int misrouted = 0;
      for (String traceHex : feed.traceIds) {
        if (!ring.ownerEndpoint(java.util.HexFormat.of().parseHex(traceHex), 0).equals(ledger.ownerOf(traceHex))) {
          misrouted++;
        }
      }
      assertEquals(0, misrouted, "phase " + phase + ": traces not on their owner in the new ring");
    }
    assertEquals(sent, ledger.spans(), "no span lost");
    assertEquals(0, ledger.duplicates(), "none duplicated");
    assertEquals(sent, ledger.distinctSpans());
  }

  @Test
  void anEmptyDnsAnswerMakesTheNodeNotReadyAndIngestRetryable() throws Exception {
    startBackends("127.0.0.2");
    dns.setA(NAME, List.of("127.0.0.2"));
    startExporter();
    TraceFeed feed = TraceFeed.of(3, 10, 2, 20);
    send(feed.requests.get(0));

    dns.remove(NAME); // NXDOMAIN: the headless Service has no ready pods
    waitFor("the node to become not ready", 5_000, () -> !telemetry.health().isReady());
    assertTrue(telemetry.health().reasons().values().iterator().next().contains("no backends"),
        telemetry.health().reasons().toString());
    Throwable refused = exporter.consumeTraces(feed.requests.get(0)).cause();
    assertTrue(refused instanceof RefusedException && ((RefusedException) refused).retryable(),
        "data it cannot place is refused with a retryable status: " + refused);

    dns.setA(NAME, List.of("127.0.0.2"));
    waitFor("the node to become ready again", 5_000, () -> telemetry.health().isReady());
    send(feed.requests.get(0));
  }

  @Test
  void aKilledBackendsShareIsReroutedWithoutLossOrDuplicates() throws Exception {
    startBackends("127.0.0.2", "127.0.0.3", "127.0.0.4");
    dns.setA(NAME, List.of("127.0.0.2", "127.0.0.3", "127.0.0.4"));
    startExporter();

    TraceFeed feed = TraceFeed.of(7, 6_000, 4, 40);
    int half = feed.requests.size() / 2;
    for (int i = 0; i < half; i++) {
      send(feed.requests.get(i));
    }
    int firstHalfSpans = half * 40;
    waitFor("the first half to be delivered", 30_000, () -> ledger.spans() >= firstHalfSpans);
    RecordingOtlpSink victim = backends.get(1);
    long before = ledger.spansPerSink().getOrDefault(victim.endpoint, 0);
    victim.close();
    long killedAt = System.currentTimeMillis();
    for (int i = half; i < feed.requests.size(); i++) {
      send(feed.requests.get(i));
    }
    waitFor("every span to arrive somewhere", 60_000, () -> ledger.spans() >= feed.spans);
    long after = ledger.spansPerSink().getOrDefault(victim.endpoint, 0);
    double rerouted = telemetry.metrics().sum("tailshard_loadbalancer_rerouted_spans");
    System.out.printf("backend %s killed after %d spans; %.0f spans re-routed; all in %d ms later; per backend %s%n",
        victim.endpoint, before, rerouted, System.currentTimeMillis() - killedAt, ledger.spansPerSink());
    assertEquals(feed.spans, ledger.distinctSpans(), "no span lost");
    assertEquals(0, ledger.duplicates(), "none duplicated");
    assertEquals(before, after, "the killed backend took nothing after it died");
    assertTrue(before > 0, "the killed backend had its share before it died");
    assertTrue(rerouted > 0, "batches queued for the dead backend were re-routed");
  }

  @Test
  void withFailingBackendsWaitARestartedBackendGetsEverySpanOfItsTraces() throws Exception {
    startBackends("127.0.0.2", "127.0.0.3");
    dns.setA(NAME, List.of("127.0.0.2", "127.0.0.3"));
    startExporter("failing_backends: wait");

    // Two requests per trace: its first spans before the crash, the rest while the backend is down.
    TraceFeed feed = TraceFeed.of(11, 2_000, 4, 40);
    int half = feed.requests.size() / 2;
    for (int i = 0; i < half; i++) {
      send(feed.requests.get(i));
    }
    waitFor("the first half to be delivered", 30_000, () -> ledger.spans() >= half * 40L);
    RecordingOtlpSink victim = backends.remove(1);
    victim.close();
    for (int i = half; i < feed.requests.size(); i++) {
      send(feed.requests.get(i));
    }
    // Longer than the three failed attempts that take a backend out of the ring in reroute mode.
    Thread.sleep(1_500);
    assertEquals(0, telemetry.metrics().sum("tailshard_loadbalancer_rerouted_spans"), "nothing re-routed");
    assertTrue(ledger.spans() < feed.spans, "the down backend's spans wait for it");

    backends.add(new RecordingOtlpSink(vertx, "127.0.0.3", PORT, ledger));
    waitFor("every span to arrive", 30_000, () -> ledger.distinctSpans() >= feed.spans);
    assertEquals(feed.spans, ledger.distinctSpans(), "no span lost");
    assertEquals(0, ledger.duplicates(), "none duplicated");
    assertEquals(0, ledger.splitTraces(), "every trace on one backend");
  }

  @Test
  void mergedRequestsCarryEverySpanOnceToItsOwnerInFewerRequests() throws Exception {
    startBackends("127.0.0.2", "127.0.0.3", "127.0.0.4");
    dns.setA(NAME, List.of("127.0.0.2", "127.0.0.3", "127.0.0.4"));
    startExporter("", "    sending_queue: {batch: {flush_timeout: 100ms, min_size: 100000}}");

    // Small requests, each split three ways: 3 parts per request without merging.
    TraceFeed feed = TraceFeed.of(21, 3_000, 4, 12);
    for (TraceData r : feed.requests) {
      send(r);
    }
    waitFor("every span to arrive", 30_000, () -> ledger.spans() >= feed.spans);
    long requestsOut = backends.stream().mapToLong(RecordingOtlpSink::requests).sum();
    System.out.printf("%d requests in, %d spans; %d requests out (up to %d without merging)%n",
        feed.requests.size(), feed.spans, requestsOut, feed.requests.size() * 3L);
    assertEquals(feed.spans, ledger.spans(), "span count in = span count out");
    assertEquals(feed.spans, ledger.distinctSpans(), "no span lost");
    assertEquals(0, ledger.duplicates(), "none duplicated");
    assertEquals(0, ledger.splitTraces(), "every trace on one backend");
    TraceIdRing ring = TraceIdRing.of(List.of("127.0.0.2:" + PORT, "127.0.0.3:" + PORT, "127.0.0.4:" + PORT));
    for (String traceHex : feed.traceIds) {
      assertEquals(ring.ownerEndpoint(java.util.HexFormat.of().parseHex(traceHex), 0), ledger.ownerOf(traceHex));
    }
    assertTrue(requestsOut * 4 < feed.requests.size() * 3L,
        "parts waiting together went out as one request: " + requestsOut + " for " + feed.requests.size() * 3 + " parts");
    waitFor("the queue gauges to read 0", 5_000,
        () -> telemetry.metrics().sum("otelcol_exporter_queue_size") == 0);
    assertEquals(feed.spans, (long) telemetry.metrics().sum("otelcol_exporter_sent_spans"), "sent_spans counts every span once");
    assertEquals(0, telemetry.metrics().sum("otelcol_exporter_send_failed_spans"));
  }

  @Test
  void aMergedBatchForAKilledBackendIsReroutedWithoutLossOrDuplicates() throws Exception {
    startBackends("127.0.0.2", "127.0.0.3", "127.0.0.4");
    dns.setA(NAME, List.of("127.0.0.2", "127.0.0.3", "127.0.0.4"));
    startExporter("", "    sending_queue: {batch: {flush_timeout: 300ms, min_size: 100000}}");

    TraceFeed feed = TraceFeed.of(23, 4_000, 4, 20);
    int half = feed.requests.size() / 2;
    for (int i = 0; i < half; i++) {
      send(feed.requests.get(i));
    }
    int firstHalfSpans = half * 20;
    waitFor("the first half to be delivered", 30_000, () -> ledger.spans() >= firstHalfSpans);
    RecordingOtlpSink victim = backends.get(1);
    long before = ledger.spansPerSink().getOrDefault(victim.endpoint, 0);
    victim.close();
    // Batches for the dead backend now wait (flush_timeout) and then fail as one merged request.
    for (int i = half; i < feed.requests.size(); i++) {
      send(feed.requests.get(i));
    }
    waitFor("every span to arrive somewhere", 60_000, () -> ledger.distinctSpans() >= feed.spans);
    long after = ledger.spansPerSink().getOrDefault(victim.endpoint, 0);
    double rerouted = telemetry.metrics().sum("tailshard_loadbalancer_rerouted_spans");
    System.out.printf("merged batches: backend %s killed after %d spans; %.0f spans re-routed; per backend %s%n",
        victim.endpoint, before, rerouted, ledger.spansPerSink());
    assertEquals(feed.spans, ledger.distinctSpans(), "no span lost");
    assertEquals(0, ledger.duplicates(), "none duplicated");
    assertEquals(before, after, "the killed backend took nothing after it died");
    assertTrue(rerouted > 0, "batches queued for the dead backend were re-routed");
  }
}

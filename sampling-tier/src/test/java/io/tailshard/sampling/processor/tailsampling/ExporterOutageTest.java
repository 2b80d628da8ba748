package io.tailshard.sampling.processor.tailsampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.trace.v1.Span;
import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.exporter.SendResult;
import io.tailshard.common.exporter.otlp.OtlpClientConfig;
import io.tailshard.common.exporter.otlp.OtlpTraceSender;
import io.tailshard.common.testing.RecordingOtlpSink;
import io.tailshard.common.testing.SpanLedger;
import io.tailshard.sampling.SamplingTierMain;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance test: the downstream OTLP receiver answers UNAVAILABLE for an outage
 * (30 s by default; {@code -Dtailshard.test.outageSeconds=N} shortens it), then recovers, and no
 * kept span is lost: through a sampling node with the {@code otlp} exporter and its in-memory
 * queue; and with {@code sending_queue.storage} while the node, in its own JVM, is killed with
 * SIGKILL in the middle of the outage and restarted. Duplicates are allowed (at least once) and
 * counted; the figures are printed.
 */
class ExporterOutageTest {
  static final Duration OUTAGE = Duration.ofSeconds(Long.getLong("tailshard.test.outageSeconds", 30));
  private static final String POLICIES = String.join("\n",
      "decision_wait: 2s",
      "policies:",
      "  - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}",
      "  - {name: some, type: probabilistic, probabilistic: {sampling_percentage: 20}}",
      "");
  /** Retries come quickly after the recovery and never give up within the test. */
  private static final String RETRY = "retry_on_failure: {initial_interval: 200ms, max_interval: 1s, max_elapsed_time: 0s}";
  private static final int WAVE = 200;

  @TempDir Path dir;

  /** What a run sent: every acknowledged span by trace. */
  private static final class Sent {
    final List<TailSamplingEndToEndTest.TestTrace> traces;
    final Map<String, List<String>> acked = new HashMap<>();
    int retried;

    Sent(List<TailSamplingEndToEndTest.TestTrace> traces) {
      this.traces = traces;
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void noKeptSpanIsLostWhenTheBackendIsUnavailableForThirtySeconds() throws Exception {
    String exporter = "otlp:\n  endpoint: %s\n  tls: {insecure: true}\n  " + RETRY;
    PolicyEvaluator evaluator = evaluator();
    try (SamplingNodeFixture f = new SamplingNodeFixture(dir, POLICIES, endpoint -> exporter.formatted(endpoint))) {
      f.sink.setRefusing(true);
      long start = System.nanoTime();
      // Traces arrive through most of the outage, so they are decided, queued and refused in it.
      Sent sent = new Sent(TailSamplingEndToEndTest.traces(31, waves() * WAVE, 0.05));
      OtlpTraceSender client = client(f.vertx, f.port);
      try {
        for (int w = 0; w <= waves(); w++) {
          sendWave(client, sent, w, true, true);
          sleepUntil(start, sendingWindow().multipliedBy(w + 1).dividedBy(waves() + 1));
        }
        f.awaitAllDecided(60_000);
        double queuedAtPeak = f.metric("otelcol_exporter_queue_size");
        sleepUntil(start, OUTAGE);
        f.sink.setRefusing(false);
        long recovered = System.nanoTime();
        awaitTrue("the exporter's queue to drain", 60_000, () -> f.metric("otelcol_exporter_queue_size") == 0);
        Report r = judge("in-memory queue", evaluator, sent, f.ledger);
        System.out.printf("%s; queue at the end of sending %.0f batches; drained %d ms after the recovery; "
                + "send_failed_spans %.0f, enqueue_failed_spans %.0f (refusals the processor retried)%n",
            r, queuedAtPeak, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - recovered),
            f.metric("otelcol_exporter_send_failed_spans"), f.metric("otelcol_exporter_enqueue_failed_spans"));
        assertEquals(0, r.lost, "no kept span is lost");
        assertEquals(0, r.droppedAtBackend, "no dropped trace reaches the backend");
        assertTrue(r.keptSpans > 0);
        assertEquals(0, f.metric("otelcol_exporter_send_failed_spans"));
      } finally {
        client.close();
      }
    }
  }

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void withThePersistentQueueNothingIsLostAcrossASigkillDuringTheOutage() throws Exception {
    Vertx vertx = Vertx.vertx();
    SpanLedger ledger = new SpanLedger();
    RecordingOtlpSink sink = new RecordingOtlpSink(vertx, "127.0.0.1", SamplingNodeFixture.freePort(), ledger);
    int port = SamplingNodeFixture.freePort();
    int metricsPort = SamplingNodeFixture.freePort();
    Path config = dir.resolve("node.yaml");
    Files.writeString(config, ChildSamplingNode.config(port, POLICIES, sink.endpoint,
        "sending_queue: {storage: rocksdb}\n" + RETRY, dir.resolve("data"), metricsPort));
    PolicyEvaluator evaluator = evaluator();
    sink.setRefusing(true);
    long start = System.nanoTime();
    // Logs go to target/, where they outlive the temp dir for a look after a failure.
    Path logs = Files.createDirectories(Path.of("target", "exporter-outage-test"));
    Process node = ChildSamplingNode.start(config, logs.resolve("node-1.log"));
    OtlpTraceSender client = client(vertx, port);
    Sent sent = new Sent(TailSamplingEndToEndTest.traces(41, waves() * WAVE, 0.05));
    try {
      // First half of the traffic before the kill, the rest after the restart, all in the outage.
      // The half ends with the children of its last wave, so no trace spans the kill.
      Duration sending = sendingWindow();
      int half = waves() / 2;
      for (int w = 0; w <= half; w++) {
        sendWave(client, sent, w, true, true);
        sleepUntil(start, sending.multipliedBy(w + 1).dividedBy(waves() + 1));
      }
      sendWave(client, sent, half + 1, false, true);
      // Everything received so far decided: the kept traces are in the persistent queue, refused.
      String before = ChildSamplingNode.awaitMetric(metricsPort, ChildSamplingNode.ON_MEMORY, v -> v == 0, 60_000);
      double queued = ChildSamplingNode.metric(before, QUEUE_SIZE);
      assertTrue(queued > 0, "kept batches wait in the queue during the outage: " + before);
      node.toHandle().destroyForcibly();
      assertTrue(node.waitFor(60, TimeUnit.SECONDS), "the node died");
      long killedAt = System.nanoTime();
      node = ChildSamplingNode.start(config, logs.resolve("node-2.log"));
      for (int w = half + 1; w <= waves(); w++) {
        sendWave(client, sent, w, true, w > half + 1);
        sleepUntil(start, sending.multipliedBy(w + 1).dividedBy(waves() + 1));
      }
      ChildSamplingNode.awaitMetric(metricsPort, ChildSamplingNode.ON_MEMORY, v -> v == 0, 60_000);
      assertTrue(killedAt - start < OUTAGE.toNanos(), "the kill happened within the outage");
      sleepUntil(start, OUTAGE);
      sink.setRefusing(false);
      long recovered = System.nanoTime();
      String after = ChildSamplingNode.awaitMetric(metricsPort, QUEUE_SIZE, v -> v == 0, 60_000);
      Report r = judge("persistent queue, SIGKILL mid-outage", evaluator, sent, ledger);
      String log2 = Files.readString(logs.resolve("node-2.log"));
      Matcher requeued = Pattern.compile("re-queued (\\d+) stored batches \\((\\d+) spans\\)").matcher(log2);
      System.out.printf("%s; %.0f batches queued when killed %d ms into the outage, re-queued after restart: %s; "
              + "sends retried across the restart %d; drained %d ms after the recovery; send_failed_spans %.0f%n",
          r, queued, TimeUnit.NANOSECONDS.toMillis(killedAt - start),
          requeued.find() ? requeued.group(1) + " batches / " + requeued.group(2) + " spans" : "none logged",
          sent.retried, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - recovered), ChildSamplingNode.metric(after, SEND_FAILED));
      assertTrue(requeued.find(0), "the restarted node re-queued the stored batches: " + log2);
      assertEquals(0, r.lost, "no kept span is lost");
      assertEquals(0, r.droppedAtBackend, "no dropped trace reaches the backend");
      assertTrue(r.keptSpans > 0);
    } finally {
      node.destroy();
      node.waitFor(30, TimeUnit.SECONDS);
      client.close();
      sink.close();
      vertx.close();
    }
  }

  /**
   * Traffic flows through the first part of the outage and stops early enough that every trace is
   * decided (decision_wait 2s) before the recovery.
   */
  private static Duration sendingWindow() {
    return OUTAGE.minusSeconds(6);
  }

  /** About one wave per second of sending, at least 4; waves come closer than decision_wait. */
  private static int waves() {
    return (int) Math.max(4, sendingWindow().toSeconds() - 2);
  }

  private static PolicyEvaluator evaluator() {
    return PolicyEvaluator.create(TailSamplingConfig.parse(new ConfigLoader(x -> null).parse("p.yaml", POLICIES).asMap()));
  }

  private static OtlpTraceSender client(Vertx vertx, int port) {
    return new OtlpTraceSender(vertx, new OtlpClientConfig("127.0.0.1:" + port, OtlpClientConfig.Tls.PLAINTEXT, false,
        Map.of(), Duration.ofSeconds(5)));
  }

  /**
   * Wave w: the roots of traces [w*WAVE, (w+1)*WAVE) and the children of the wave before (so a
   * trace's two spans come about a second apart), each part when asked for.
   */
  private static void sendWave(OtlpTraceSender client, Sent sent, int w, boolean roots, boolean children)
      throws Exception {
    List<Span> spans = new ArrayList<>();
    List<String[]> ids = new ArrayList<>();
    List<TailSamplingEndToEndTest.TestTrace> traces = sent.traces;
    for (int i = w * WAVE; roots && i < Math.min(traces.size(), (w + 1) * WAVE); i++) {
      spans.add(traces.get(i).root());
      ids.add(new String[] {traces.get(i).hex(), hex(traces.get(i).root())});
    }
    for (int i = (w - 1) * WAVE; children && w > 0 && i < Math.min(traces.size(), w * WAVE); i++) {
      spans.add(traces.get(i).child());
      ids.add(new String[] {traces.get(i).hex(), hex(traces.get(i).child())});
    }
    if (spans.isEmpty()) {
      return;
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    // Retry until acknowledged, as an SDK would (the node may be restarting).
    while (true) {
      SendResult r;
      try {
        r = client.send(TailSamplingEndToEndTest.request(spans)).toCompletionStage().toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        r = SendResult.retryable(e.toString(), Duration.ZERO);
      }
      if (r.sent()) {
        break;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("wave " + w + " never acknowledged: " + r.message());
      }
      sent.retried++;
      Thread.sleep(100);
    }
    for (String[] id : ids) {
      sent.acked.computeIfAbsent(id[0], k -> new ArrayList<>()).add(id[1]);
    }
  }

  private static String hex(Span s) {
    return RecordingOtlpSink.hex(s.getSpanId().toByteArray(), 0, 8);
  }

  /** The figures of a run: kept spans the policies call for, how many arrived, lost, duplicated. */
  record Report(String what, int keptTraces, int keptSpans, int lost, long duplicates, int droppedAtBackend) {
    @Override
    public String toString() {
      return String.format("%s, outage %d s: kept traces %d, kept spans %d, lost %d, duplicates %d, dropped traces at backend %d",
          what, OUTAGE.toSeconds(), keptTraces, keptSpans, lost, duplicates, droppedAtBackend);
    }
  }

  private static Report judge(String what, PolicyEvaluator evaluator, Sent sent, SpanLedger ledger) {
    int keptTraces = 0;
    int keptSpans = 0;
    int lost = 0;
    int dropped = 0;
    Set<String> atBackend = ledger.traces();
    for (TailSamplingEndToEndTest.TestTrace t : sent.traces) {
      List<String> acked = sent.acked.getOrDefault(t.hex(), List.of());
      if (TailSamplingEndToEndTest.expectedKept(evaluator, t)) {
        keptTraces++;
        Set<String> arrived = ledger.spansOf(t.hex());
        for (String span : acked) {
          keptSpans++;
          if (!arrived.contains(span)) {
            lost++;
          }
        }
      } else if (atBackend.contains(t.hex())) {
        dropped++;
      }
    }
    return new Report(what, keptTraces, keptSpans, lost, ledger.duplicates(), dropped);
  }

  private static void sleepUntil(long startNanos, Duration offset) throws InterruptedException {
    long left = startNanos + offset.toNanos() - System.nanoTime();
    if (left > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }

  private static void awaitTrue(String what, long millis, BooleanSupplier done) throws InterruptedException {
    long deadline = System.currentTimeMillis() + millis;
    while (!done.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(100);
    }
  }


  private static final Pattern QUEUE_SIZE = Pattern.compile("(?m)^otelcol_exporter_queue_size\\{[^}]*} (\\S+)$");
  private static final Pattern SEND_FAILED =
      Pattern.compile("(?m)^otelcol_exporter_send_failed_spans(?:_total)?\\{[^}]*} (\\S+)$");


}

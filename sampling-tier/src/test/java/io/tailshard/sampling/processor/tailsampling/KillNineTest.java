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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sampling node in its own JVM is killed with SIGKILL under load and restarted on the same data
 * directory. Every span it acknowledged must be accounted for: in a kept trace at the backend, or
 * in a trace the policies drop. Nothing else is allowed.
 */
class KillNineTest {
  private static final String POLICIES = String.join("\n",
      "decision_wait: 2s",
      "policies:",
      "  - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}",
      "  - {name: some, type: probabilistic, probabilistic: {sampling_percentage: 20}}",
      "");

  @TempDir Path dir;

  @Test
  void everyAcknowledgedSpanIsAccountedForAfterSigkill() throws Exception {
    restartMidRun(true);
  }

  @Test
  void sigtermStopsCleanlyAndTheRestartDecidesWhatWasPending() throws Exception {
    restartMidRun(false);
  }

  private void restartMidRun(boolean sigkill) throws Exception {
    Vertx vertx = Vertx.vertx();
    SpanLedger ledger = new SpanLedger();
    RecordingOtlpSink sink = new RecordingOtlpSink(vertx, "127.0.0.1", SamplingNodeFixture.freePort(), ledger);
    int port = SamplingNodeFixture.freePort();
    int metricsPort = SamplingNodeFixture.freePort();
    Path config = dir.resolve("node.yaml");
    Files.writeString(config, ChildSamplingNode.config(port, POLICIES, sink.endpoint, String.join("\n",
        "sending_queue: {enabled: false}",
        "retry_on_failure: {initial_interval: 100ms, max_interval: 1s, max_elapsed_time: 30s}"),
        dir.resolve("data"), metricsPort));
    OtlpTraceSender client = new OtlpTraceSender(vertx, new OtlpClientConfig("127.0.0.1:" + port,
        OtlpClientConfig.Tls.PLAINTEXT, false, Map.of(), Duration.ofSeconds(5)));
    PolicyEvaluator evaluator = PolicyEvaluator.create(
        TailSamplingConfig.parse(new ConfigLoader(x -> null).parse("p.yaml", POLICIES).asMap()));

    List<TailSamplingEndToEndTest.TestTrace> traces = TailSamplingEndToEndTest.traces(21, 60_000, 0.05);
    Map<String, List<String>> ackedSpans = new HashMap<>();
    Process node = ChildSamplingNode.start(config, dir.resolve("node-1.log"));
    int retried = 0;
    long killedAtWave = -1;
    try {
      int wave = 400;
      int waves = traces.size() / wave + 1;
      for (int w = 0; w < waves; w++) {
        if (w == waves / 2) {
          // Mid-run, with traces half received and others waiting for their decision.
          if (sigkill) {
            node.toHandle().destroyForcibly();
          } else {
            node.toHandle().destroy();
          }
          assertTrue(node.waitFor(60, TimeUnit.SECONDS), "the node stopped");
          if (!sigkill) {
            assertEquals(143, node.exitValue(), "SIGTERM exit");
            String log = Files.readString(dir.resolve("node-1.log"));
            assertTrue(log.contains("undecided traces; they are decided after restart"), log);
          }
          killedAtWave = w;
          node = ChildSamplingNode.start(config, dir.resolve("node-2.log"));
        }
        List<Span> spans = new ArrayList<>();
        List<String[]> ids = new ArrayList<>();
        for (int i = w * wave; i < Math.min(traces.size(), (w + 1) * wave); i++) {
          spans.add(traces.get(i).root());
          ids.add(new String[] {traces.get(i).hex(), hex(traces.get(i).root())});
        }
        for (int i = (w - 1) * wave; w > 0 && i < Math.min(traces.size(), w * wave); i++) {
          spans.add(traces.get(i).child());
          ids.add(new String[] {traces.get(i).hex(), hex(traces.get(i).child())});
        }
        if (spans.isEmpty()) {
          continue;
        }
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
          retried++;
          Thread.sleep(100);
        }
        for (String[] id : ids) {
          ackedSpans.computeIfAbsent(id[0], k -> new ArrayList<>()).add(id[1]);
        }
      }
      ChildSamplingNode.awaitMetric(metricsPort, ChildSamplingNode.ON_MEMORY, v -> v == 0, 60_000);

      int keptTraces = 0;
      int unaccounted = 0;
      Set<String> atBackend = ledger.traces();
      for (TailSamplingEndToEndTest.TestTrace t : traces) {
        List<String> acked = ackedSpans.getOrDefault(t.hex(), List.of());
        if (TailSamplingEndToEndTest.expectedKept(evaluator, t)) {
          keptTraces++;
          for (String span : acked) {
            if (!ledger.spansOf(t.hex()).contains(span)) {
              unaccounted++;
            }
          }
        } else if (atBackend.contains(t.hex())) {
          unaccounted++; // a dropped trace must not reach the backend
        }
      }
      System.out.printf((sigkill ? "SIGKILL" : "SIGTERM") + " at wave %d: %d traces, %d acknowledged spans, %d sends retried across the restart; "
              + "kept traces %d; unaccounted spans %d; duplicates at backend %d (re-export of traces decided "
              + "but not yet recorded when killed)%n",
          killedAtWave, traces.size(), ackedSpans.values().stream().mapToInt(List::size).sum(), retried,
          keptTraces, unaccounted, ledger.duplicates());
      assertEquals(0, unaccounted, "every acknowledged span is accounted for");
      assertTrue(keptTraces > 0);
    } finally {
      node.destroy();
      node.waitFor(30, TimeUnit.SECONDS);
      client.close();
      sink.close();
      vertx.close();
    }
  }

  private static String hex(Span s) {
    return RecordingOtlpSink.hex(s.getSpanId().toByteArray(), 0, 8);
  }




}

package io.tailshard.sampling.processor.tailsampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.testing.RecordingOtlpSink;
import io.vertx.core.Promise;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A sampling node end to end: OTLP in, RocksDB buffer, policies, OTLP out to a recording backend. */
class TailSamplingEndToEndTest {
  private static final String POLICIES = String.join("\n",
      "decision_wait: 3s",
      "policies:",
      "  - name: errors",
      "    type: status_code",
      "    status_code: {status_codes: [ERROR]}",
      "  - name: ten-percent",
      "    type: probabilistic",
      "    probabilistic: {sampling_percentage: 10}",
      "");

  @TempDir Path dataDir;

  /** A trace of two spans: the root, then a child that may fail. */
  record TestTrace(byte[] id, Span root, Span child, boolean error) {
    String hex() {
      return RecordingOtlpSink.hex(id, 0, 16);
    }
  }

  static List<TestTrace> traces(long seed, int n, double errorRatio) {
    Random random = new Random(seed);
    List<TestTrace> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      byte[] id = new byte[16];
      random.nextBytes(id);
      byte[] rootId = new byte[8];
      byte[] childId = new byte[8];
      random.nextBytes(rootId);
      random.nextBytes(childId);
      boolean error = random.nextDouble() < errorRatio;
      long start = System.currentTimeMillis() * 1_000_000L;
      Span root = Span.newBuilder().setTraceId(ByteString.copyFrom(id)).setSpanId(ByteString.copyFrom(rootId))
          .setName("GET /checkout").setKind(Span.SpanKind.SPAN_KIND_SERVER)
          .setStartTimeUnixNano(start).setEndTimeUnixNano(start + 40_000_000).build();
      Span child = Span.newBuilder().setTraceId(ByteString.copyFrom(id)).setSpanId(ByteString.copyFrom(childId))
          .setParentSpanId(ByteString.copyFrom(rootId)).setName("SELECT orders").setKind(Span.SpanKind.SPAN_KIND_CLIENT)
          .setStartTimeUnixNano(start + 1_000_000).setEndTimeUnixNano(start + 30_000_000)
          .setStatus(Status.newBuilder().setCodeValue(error ? 2 : 0)).build();
      out.add(new TestTrace(id, root, child, error));
    }
    return out;
  }

  static TraceData request(List<Span> spans) {
    byte[] bytes = ExportTraceServiceRequest.newBuilder().addResourceSpans(ResourceSpans.newBuilder()
        .setResource(Resource.newBuilder().addAttributes(KeyValue.newBuilder().setKey("service.name")
            .setValue(AnyValue.newBuilder().setStringValue("shop"))))
        .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(spans))).build().toByteArray();
    return new TraceData(bytes, spans.size());
  }

  /** The decision the Collector's rules give for a trace: errors, or the probabilistic hash. */
  static boolean expectedKept(PolicyEvaluator evaluator, TestTrace t) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(t.id());
    long hi = b.getLong(0);
    long lo = b.getLong(8);
    TraceView v = new TraceView() {
      public long traceIdHigh() { return hi; }
      public long traceIdLow() { return lo; }
      public long spanCount() { return 2; }
      public int statusCodesSeen() {
        return SpanStatus.bitOfProtoCode(0) | (t.error() ? SpanStatus.bitOfProtoCode(2) : 0);
      }
      public long earliestStartUnixNanos() { return t.root().getStartTimeUnixNano(); }
      public long latestEndUnixNanos() { return t.root().getEndTimeUnixNano(); }
      public boolean rootSeen() { return true; }
      public long firstSeenMillis() { return 0; }
      public long bytes() { return 0; }
    };
    Decision d = evaluator.evaluate(v, evaluator.newEvaluation());
    return d == Decision.SAMPLED || d == Decision.INVERT_SAMPLED;
  }

  @Test
  void errorTracesAllKeptProbabilisticWithinThreeSigmaKeptTracesComplete() throws Exception {
    int n = 100_000;
    List<TestTrace> traces = traces(11, n, 0.02);
    PolicyEvaluator evaluator = PolicyEvaluator.create(
        TailSamplingConfig.parse(new ConfigLoader(x -> null).parse("p.yaml", POLICIES).asMap()));
    try (SamplingNodeFixture f = new SamplingNodeFixture(dataDir, POLICIES)) {
      // Waves: each request carries the roots of one wave of traces and the children of the wave
      // before, so every trace's spans come in two requests, a wave apart in time.
      int wave = 500;
      long t0 = System.currentTimeMillis();
      for (int w = 0; w * wave <= n; w++) {
        List<Span> spans = new ArrayList<>(2 * wave);
        for (int i = w * wave; i < Math.min(n, (w + 1) * wave); i++) {
          spans.add(traces.get(i).root());
        }
        for (int i = (w - 1) * wave; w > 0 && i < w * wave; i++) {
          spans.add(traces.get(i).child());
        }
        if (!spans.isEmpty()) {
          f.send(request(spans));
        }
      }
      long sendMillis = System.currentTimeMillis() - t0;
      f.awaitAllDecided(60_000);

      int errors = 0;
      int errorsKept = 0;
      int okTraces = 0;
      int okKept = 0;
      int incomplete = 0;
      int wrongDecision = 0;
      Set<String> kept = f.ledger.traces();
      for (TestTrace t : traces) {
        boolean isKept = kept.contains(t.hex());
        if (isKept) {
          Set<String> expectedSpans = new HashSet<>(List.of(
              RecordingOtlpSink.hex(t.root().getSpanId().toByteArray(), 0, 8),
              RecordingOtlpSink.hex(t.child().getSpanId().toByteArray(), 0, 8)));
          if (!f.ledger.spansOf(t.hex()).equals(expectedSpans)) {
            incomplete++;
          }
        }
        if (isKept != expectedKept(evaluator, t)) {
          wrongDecision++;
        }
        if (t.error()) {
          errors++;
          errorsKept += isKept ? 1 : 0;
        } else {
          okTraces++;
          okKept += isKept ? 1 : 0;
        }
      }
      double p = 0.10;
      double sigma = Math.sqrt(okTraces * p * (1 - p));
      System.out.printf("%d traces (%d spans) sent in %d ms; error traces kept %d/%d; other traces kept %d/%d "
              + "(expected %.0f +/- %.0f at 3 sigma); incomplete %d; decisions differing from the policy rule %d; "
              + "duplicates %d%n",
          n, 2 * n, sendMillis, errorsKept, errors, okKept, okTraces, p * okTraces, 3 * sigma, incomplete,
          wrongDecision, f.ledger.duplicates());
      assertEquals(errors, errorsKept, "every error trace kept");
      assertTrue(Math.abs(okKept - p * okTraces) <= 3 * sigma, "kept fraction within 3 sigma");
      assertEquals(0, incomplete, "every kept trace complete");
      assertEquals(0, wrongDecision, "kept exactly the traces the Collector's rules keep");
      assertEquals(0, f.ledger.duplicates(), "no span twice");
    }
  }

  @Test
  void keptTracesAreCompleteWhenTheirSpansArriveOverSeconds() throws Exception {
    String policies = String.join("\n",
        "decision_wait: 4s",
        "policies:",
        "  - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}",
        "  - {name: half, type: probabilistic, probabilistic: {sampling_percentage: 50}}",
        "");
    List<TestTrace> traces = traces(17, 3_000, 0.1);
    try (SamplingNodeFixture f = new SamplingNodeFixture(dataDir, policies)) {
      long start = System.currentTimeMillis();
      // Children first, then, 2.5 seconds later, the roots, as a slow request's root span ends last.
      for (int i = 0; i < traces.size(); i += 500) {
        List<Span> children = new ArrayList<>();
        traces.subList(i, i + 500).forEach(t -> children.add(t.child()));
        f.send(request(children));
      }
      Thread.sleep(1_200);
      List<Span> extra = new ArrayList<>();
      for (TestTrace t : traces) {
        // A third span of each trace, in a request of its own, in between.
        extra.add(t.child().toBuilder().setSpanId(ByteString.copyFrom(reverse(t.child().getSpanId().toByteArray())))
            .setStatus(Status.getDefaultInstance()).build());
      }
      f.send(request(extra));
      Thread.sleep(1_300);
      for (int i = 0; i < traces.size(); i += 500) {
        List<Span> roots = new ArrayList<>();
        traces.subList(i, i + 500).forEach(t -> roots.add(t.root()));
        f.send(request(roots));
      }
      long spread = System.currentTimeMillis() - start;
      f.awaitAllDecided(30_000);
      int kept = 0;
      int incomplete = 0;
      int errorsMissing = 0;
      for (TestTrace t : traces) {
        int spans = f.ledger.spansOf(t.hex()).size();
        if (spans > 0) {
          kept++;
          incomplete += spans == 3 ? 0 : 1;
        } else if (t.error()) {
          errorsMissing++;
        }
      }
      System.out.printf("3 spans per trace over %d ms in 3 requests each: %d of %d traces kept, %d incomplete, "
          + "%d error traces missing%n", spread, kept, traces.size(), incomplete, errorsMissing);
      assertTrue(spread >= 2_000, "the spans of each trace were spread over seconds");
      assertEquals(0, incomplete, "every kept trace has all 3 spans");
      assertEquals(0, errorsMissing, "every error trace kept");
      assertEquals(0, f.metric("tailshard_late_spans"), "no span came after its trace's decision");
    }
  }

  private static byte[] reverse(byte[] b) {
    byte[] r = new byte[b.length];
    for (int i = 0; i < b.length; i++) {
      r[i] = b[b.length - 1 - i];
    }
    return r;
  }

  @Test
  void aFullBufferRefusesRetryablyAndLosesNothing() throws Exception {
    String small = String.join("\n",
        "decision_wait: 1s",
        "num_traces: 200",
        "policies:",
        "  - {name: everything, type: always_sample}",
        "");
    List<TestTrace> traces = traces(9, 2_000, 0);
    try (SamplingNodeFixture f = new SamplingNodeFixture(dataDir, small)) {
      boolean sawNotReady = false;
      for (int i = 0; i < traces.size(); i += 100) {
        List<Span> spans = new ArrayList<>();
        for (TestTrace t : traces.subList(i, i + 100)) {
          spans.add(t.root());
          spans.add(t.child());
        }
        f.send(request(spans)); // retries while the node answers UNAVAILABLE
        sawNotReady |= !f.node.telemetry().health().isReady();
      }
      f.awaitAllDecided(30_000);
      double refused = f.metric("otelcol_receiver_refused_spans");
      System.out.printf("num_traces 200, 2,000 traces sent in requests of 100: %.0f spans refused (retried), "
          + "health went not-ready: %s, traces at the backend %d%n", refused, sawNotReady, f.ledger.traces().size());
      assertTrue(refused > 0, "the bound was reached and data refused retryably");
      assertEquals(traces.size(), f.ledger.traces().size(), "every trace kept in the end");
      assertEquals(2L * traces.size(), f.ledger.distinctSpans(), "no span lost");
      assertEquals(0, f.ledger.duplicates());
    }
  }

  @Test
  void aLateSpanFollowsItsTracesDecision() throws Exception {
    String errorsOnly = String.join("\n",
        "decision_wait: 1s",
        "policies:",
        "  - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}",
        "");
    List<TestTrace> two = traces(5, 2, 0);
    TestTrace kept = two.get(0);
    TestTrace dropped = two.get(1);
    Span failingRoot = kept.root().toBuilder().setStatus(Status.newBuilder().setCodeValue(2)).build();
    try (SamplingNodeFixture f = new SamplingNodeFixture(dataDir, errorsOnly)) {
      f.send(request(List.of(failingRoot, dropped.root())));
      f.awaitAllDecided(20_000);
      assertEquals(Set.of(kept.hex()), f.ledger.traces(), "only the failing trace is kept");

      f.send(request(List.of(kept.child(), dropped.child())));
      long deadline = System.currentTimeMillis() + 10_000;
      String lateKept = RecordingOtlpSink.hex(kept.child().getSpanId().toByteArray(), 0, 8);
      while (!f.ledger.sawSpan(lateKept) && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      assertTrue(f.ledger.sawSpan(lateKept), "the late span of the kept trace is forwarded");
      assertFalse(f.ledger.traces().contains(dropped.hex()), "the late span of the dropped trace is not");
      assertEquals(1, f.metric("tailshard_late_spans", "decision", "sampled"));
      assertEquals(1, f.metric("tailshard_late_spans", "decision", "not_sampled"));
    }
  }

  /**
   * {@code decision_wait_after_root_received}: with a 30 s decision_wait and 1 s after the root,
   * traces whose root arrived are decided within seconds, the trace without a root stays buffered,
   * and children arriving after the early decision follow it as late spans.
   */
  @Test
  void aTraceIsDecidedDecisionWaitAfterRootReceivedAfterItsRoot() throws Exception {
    String yaml = String.join("\n",
        "decision_wait: 30s",
        "decision_wait_after_root_received: 1s",
        "policies:",
        "  - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}",
        "");
    List<TestTrace> three = traces(23, 3, 0);
    TestTrace kept = three.get(0);
    TestTrace dropped = three.get(1);
    TestTrace rootless = three.get(2);
    Span failingRoot = kept.root().toBuilder().setStatus(Status.newBuilder().setCodeValue(2)).build();
    try (SamplingNodeFixture f = new SamplingNodeFixture(dataDir, yaml)) {
      long sent = System.currentTimeMillis();
      f.send(request(List.of(failingRoot, dropped.root(), rootless.child())));
      String inMemory = "otelcol_processor_tail_sampling_sampling_traces_on_memory";
      long deadline = sent + 15_000;
      while ((f.metric(inMemory) != 1 || !f.ledger.traces().contains(kept.hex()))
          && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      long decidedAfter = System.currentTimeMillis() - sent;
      System.out.printf("decision_wait 30s, decision_wait_after_root_received 1s: rooted traces decided %d ms after "
          + "their root%n", decidedAfter);
      assertEquals(Set.of(kept.hex()), f.ledger.traces(), "the failing rooted trace kept, well before decision_wait");
      assertEquals(1, f.metric(inMemory), "the trace without a root still waits for decision_wait");
      assertTrue(decidedAfter >= 1_000, "not before decision_wait_after_root_received: " + decidedAfter);

      f.send(request(List.of(kept.child(), dropped.child(), rootless.root())));
      String lateKept = RecordingOtlpSink.hex(kept.child().getSpanId().toByteArray(), 0, 8);
      deadline = System.currentTimeMillis() + 10_000;
      while (!f.ledger.sawSpan(lateKept) && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      assertTrue(f.ledger.sawSpan(lateKept), "the late child of the kept trace is forwarded");
      assertFalse(f.ledger.traces().contains(dropped.hex()), "the late child of the dropped trace is not");
      assertEquals(1, f.metric("tailshard_late_spans", "decision", "sampled"));
      assertEquals(1, f.metric("tailshard_late_spans", "decision", "not_sampled"));
      // Its root arrived now: the third trace goes a second later, not 30 s after its first span.
      f.awaitAllDecided(15_000);
    }
  }

  /**
   * A kept trace stays live while its read-back is exported; a span that arrives then (an lb node
   * delivering batches it held while this node restarted) must reach the backend too, not vanish
   * with the decision.
   */
  @Test
  void aSpanArrivingWhileItsKeptTraceIsExportedIsForwarded() throws Exception {
    String errorsOnly = String.join("\n",
        "decision_wait: 1s",
        "policies:",
        "  - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}",
        "");
    TestTrace t = traces(9, 1, 0).get(0);
    Span failingRoot = t.root().toBuilder().setStatus(Status.newBuilder().setCodeValue(2)).build();
    try (SamplingNodeFixture f = new SamplingNodeFixture(dataDir, errorsOnly)) {
      Promise<Void> gate = Promise.promise();
      CountDownLatch exporting = new CountDownLatch(1);
      f.sink.holdAnswers(gate.future(), exporting::countDown);
      f.send(request(List.of(failingRoot)));
      assertTrue(exporting.await(20, TimeUnit.SECONDS), "the kept trace is being exported");

      f.send(request(List.of(t.child())));
      f.sink.holdAnswers(null, null);
      gate.complete();
      String child = RecordingOtlpSink.hex(t.child().getSpanId().toByteArray(), 0, 8);
      long deadline = System.currentTimeMillis() + 10_000;
      while (!f.ledger.sawSpan(child) && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      assertTrue(f.ledger.sawSpan(child), "the span that arrived during the export reaches the backend");
      assertEquals(2, f.ledger.distinctSpans());
      assertEquals(0, f.ledger.duplicates(), "nothing sent twice");
    }
  }

  /**
   * A restarted node's recovered traces, overdue after the downtime, are decided only after one
   * decision_wait: spans that senders held while the node was down (an lb node retrying) arrive
   * first, so the decision sees the whole trace. Here the error span comes 500 ms after the
   * restart, well after the first decision round would have run (every 200 ms).
   */
  @Test
  void aRestartedNodeWaitsForHeldSpansBeforeDecidingRecoveredTraces() throws Exception {
    String errorsOnly = String.join("\n",
        "decision_wait: 2s",
        "policies:",
        "  - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}",
        "");
    TestTrace t = traces(11, 1, 1.0).get(0);
    assertTrue(t.error(), "the child span is the error");
    try (SamplingNodeFixture first = new SamplingNodeFixture(dataDir, errorsOnly)) {
      first.send(request(List.of(t.root())));
    }
    Thread.sleep(2_500); // down for longer than decision_wait: the trace is overdue at the restart
    try (SamplingNodeFixture second = new SamplingNodeFixture(dataDir, errorsOnly)) {
      Thread.sleep(500);
      second.send(request(List.of(t.child())));
      second.awaitAllDecided(20_000);
      String root = RecordingOtlpSink.hex(t.root().getSpanId().toByteArray(), 0, 8);
      String child = RecordingOtlpSink.hex(t.child().getSpanId().toByteArray(), 0, 8);
      assertTrue(second.ledger.sawSpan(root) && second.ledger.sawSpan(child),
          "the error trace is kept whole: " + second.ledger.spansOf(t.hex()));
    }
  }

  /**
   * A sender that retries after a lost acknowledgement (an lb node whose sampling node was killed
   * between storing a batch and answering) delivers the same spans twice; the kept trace goes out
   * with each span once.
   */
  @Test
  void aKeptTraceIsExportedWithEachSpanOnceWhenASenderRetried() throws Exception {
    String errorsOnly = String.join("\n",
        "decision_wait: 1s",
        "policies:",
        "  - {name: errors, type: status_code, status_code: {status_codes: [ERROR]}}",
        "");
    TestTrace t = traces(13, 1, 1.0).get(0);
    try (SamplingNodeFixture f = new SamplingNodeFixture(dataDir, errorsOnly)) {
      f.send(request(List.of(t.root(), t.child())));
      f.send(request(List.of(t.root(), t.child())));
      f.awaitAllDecided(20_000);
      assertEquals(2, f.ledger.distinctSpans(), "both spans kept");
      assertEquals(0, f.ledger.duplicates(), "each once");
      assertEquals(2, f.metric("tailshard_tail_sampling_duplicate_spans"), "the repeats are counted");
    }
  }
}

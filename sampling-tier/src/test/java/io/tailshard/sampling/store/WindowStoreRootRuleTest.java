package io.tailshard.sampling.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.tailshard.common.otlp.wire.WireFormatException;
import io.tailshard.common.telemetry.MetricRegistry;
import io.tailshard.common.testing.RandomTraces;
import io.tailshard.sampling.store.TraceWorkload.Placed;
import io.tailshard.sampling.store.TraceWorkload.TraceKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code decision_wait_after_root_received} in the store: RocksDB in a temp directory, every time
 * a simulated {@code nowMillis}. A trace whose root span (no parent span id) arrived is due at root
 * arrival + the option when that is sooner than first seen + {@code decision_wait}.
 */
class WindowStoreRootRuleTest {
  static final long T0 = TraceWorkload.BASE_MILLIS;
  static final long WAIT_MS = 10_000;
  static final long AFTER_ROOT_MS = 2_000;
  static final long WINDOW_MS = WindowStoreConfig.DEFAULT_WINDOW_GRANULARITY_MS;

  @TempDir
  Path dir;

  final RandomTraces random = new RandomTraces(41);

  WindowStoreConfig config(long afterRootMillis) {
    return WindowStoreConfig.defaults(dir).withDecisionWait(Duration.ofMillis(WAIT_MS)).withWriteBufferBytes(8L << 20)
        .withDecisionWaitAfterRootReceived(Duration.ofMillis(afterRootMillis));
  }

  static TraceKey key(long n) {
    return new TraceKey(0x5eed, n);
  }

  Placed root(TraceKey k) {
    return new Placed(0, 0, span(k).clearParentSpanId().build());
  }

  Placed child(TraceKey k) {
    return new Placed(1, 1, span(k).setParentSpanId(ByteString.copyFrom(new byte[] {9, 8, 7, 6, 5, 4, 3, 2})).build());
  }

  private io.opentelemetry.proto.trace.v1.Span.Builder span(TraceKey k) {
    byte[] id = new byte[16];
    StoreKeys.putLong(id, 0, k.high());
    StoreKeys.putLong(id, 8, k.low());
    return random.span().toBuilder().setTraceId(ByteString.copyFrom(id));
  }

  static AppendResult append(WindowStore store, long now, Placed... spans) {
    try {
      TraceRequestIndex idx = new TraceRequestIndex().index(TraceWorkload.build(List.of(spans)).toByteArray());
      return store.append(idx, now).join();
    } catch (WireFormatException e) {
      throw new AssertionError(e);
    }
  }

  static List<TraceKey> keys(List<TraceView> views) {
    List<TraceKey> out = new ArrayList<>();
    for (TraceView v : views) {
      out.add(new TraceKey(v.traceIdHigh(), v.traceIdLow()));
    }
    return out;
  }

  static List<TraceKey> due(WindowStore store, long now) {
    return keys(store.dueTraces(now, 1000).join());
  }

  @Test
  void aTraceIsDueDecisionWaitAfterRootReceivedAfterItsRootAndOnlyOnce() {
    TraceKey childThenRoot = key(1);
    TraceKey rootFirst = key(2);
    TraceKey noRoot = key(3);
    try (WindowStore store = WindowStore.open(config(AFTER_ROOT_MS), new MetricRegistry())) {
      append(store, T0, child(childThenRoot), child(noRoot));
      append(store, T0 + 500, root(rootFirst));
      append(store, T0 + 1_000, root(childThenRoot), child(noRoot));

      assertEquals(T0 + 500 + AFTER_ROOT_MS, store.summary(0x5eed, 2).join().orElseThrow().dueMillis());
      assertEquals(T0 + 1_000 + AFTER_ROOT_MS, store.summary(0x5eed, 1).join().orElseThrow().dueMillis());
      assertEquals(T0 + WAIT_MS, store.summary(0x5eed, 3).join().orElseThrow().dueMillis());

      assertEquals(List.of(), due(store, T0 + 2_499));
      assertEquals(List.of(rootFirst), due(store, T0 + 2_500));
      assertEquals(List.of(), due(store, T0 + 2_999));
      // Due by its root 7 s before its first-seen due time, though first seen before rootFirst.
      assertEquals(List.of(childThenRoot), due(store, T0 + 3_000));
      assertEquals(List.of(), due(store, T0 + 3_000), "handed out once");
      // A trace without a root waits the full decision_wait.
      assertEquals(List.of(), due(store, T0 + WAIT_MS - 1));
      assertEquals(List.of(noRoot), due(store, T0 + WAIT_MS));
      assertEquals(List.of(), due(store, T0 + 60_000));
      assertEquals(3, store.bufferedTraces(), "handed out, not decided: still live");
    }
  }

  @Test
  void theRootRuleNeverMakesATraceDueLater() {
    TraceKey lateRoot = key(1);
    TraceKey twoRoots = key(2);
    try (WindowStore store = WindowStore.open(config(AFTER_ROOT_MS), new MetricRegistry())) {
      append(store, T0, child(lateRoot), root(twoRoots));
      // A second root (a retried request) does not move the first one's due time.
      append(store, T0 + 1_000, root(twoRoots));
      // Root 9 s after first seen: root + 2 s is after first seen + 10 s, so first seen rules.
      append(store, T0 + 9_000, root(lateRoot));
      assertEquals(T0 + WAIT_MS, store.summary(0x5eed, 1).join().orElseThrow().dueMillis());
      assertEquals(T0 + AFTER_ROOT_MS, store.summary(0x5eed, 2).join().orElseThrow().dueMillis());
      assertEquals(List.of(twoRoots), due(store, T0 + AFTER_ROOT_MS));
      assertEquals(List.of(), due(store, T0 + WAIT_MS - 1));
      assertEquals(List.of(lateRoot), due(store, T0 + WAIT_MS));
    }
    // The option at or above decision_wait changes nothing.
    try (WindowStore store = WindowStore.open(config(WAIT_MS).withDirectory(dir.resolve("b")), new MetricRegistry())) {
      append(store, T0, root(key(3)));
      assertEquals(T0 + WAIT_MS, store.summary(0x5eed, 3).join().orElseThrow().dueMillis());
    }
  }

  @Test
  void offByDefaultARootChangesNothing() {
    assertEquals(Duration.ZERO, WindowStoreConfig.defaults(dir).decisionWaitAfterRootReceived());
    try (WindowStore store = WindowStore.open(config(0), new MetricRegistry())) {
      append(store, T0, root(key(1)));
      append(store, T0 + 100, child(key(2)));
      append(store, T0 + 200, root(key(2)));
      TraceView v = store.summary(0x5eed, 1).join().orElseThrow();
      assertTrue(v.rootSeen());
      assertEquals(T0 + WAIT_MS, v.dueMillis());
      assertEquals(List.of(), due(store, T0 + WAIT_MS - 1));
      assertEquals(List.of(key(1)), due(store, T0 + WAIT_MS));
      assertEquals(List.of(key(2)), due(store, T0 + WAIT_MS + 100));
    }
  }

  @Test
  void childrenArrivingAfterAnEarlyDecisionAreLateSpansOfThatDecision() throws Exception {
    TraceKey kept = key(1);
    TraceKey dropped = key(2);
    try (WindowStore store = WindowStore.open(config(AFTER_ROOT_MS), new MetricRegistry())) {
      append(store, T0, root(kept), root(dropped));
      long decidedAt = T0 + AFTER_ROOT_MS;
      assertEquals(List.of(kept, dropped), due(store, decidedAt));
      List<KeptTrace> out = store.decide(List.of(new Decision(kept.high(), kept.low(), true),
          new Decision(dropped.high(), dropped.low(), false)), decidedAt).join();
      assertEquals(1, out.size());
      assertEquals(0, store.bufferedTraces());

      AppendResult r = append(store, decidedAt + 300, child(kept), child(dropped), child(dropped));
      assertEquals(0, r.bufferedSpans());
      assertEquals(3, r.lateSpans());
      for (LateTrace t : r.late()) {
        boolean isKept = t.traceIdLow() == kept.low();
        assertEquals(new CachedDecision(isKept, decidedAt), t.decision());
        assertEquals(isKept ? 1 : 2, t.spanCount());
      }
      assertEquals(0, store.bufferedTraces(), "late spans are not buffered");
      // The window closed long ago: its data went with the decisions.
      assertTrue(store.spanKeys().isEmpty());
      assertTrue(store.windowIds().isEmpty());
      assertEquals(0, store.bufferedBytes());
    }
  }

  @Test
  void aTraceDecidedBeforeItsRootDueTimeIsNotHandedOutAfterwards() {
    TraceKey k = key(1);
    try (WindowStore store = WindowStore.open(config(AFTER_ROOT_MS), new MetricRegistry())) {
      append(store, T0, root(k), root(key(2)));
      store.decide(List.of(new Decision(k.high(), k.low(), false)), T0 + 100).join();
      assertEquals(List.of(key(2)), due(store, T0 + AFTER_ROOT_MS));
      assertEquals(List.of(), due(store, T0 + WAIT_MS));
    }
  }

  @Test
  void aBoundedRoundTakesTheEarliestDueFirst() {
    try (WindowStore store = WindowStore.open(config(AFTER_ROOT_MS), new MetricRegistry())) {
      append(store, T0, child(key(1)));
      append(store, T0 + 100, child(key(2)));
      append(store, T0 + 200, child(key(3)));
      append(store, T0 + 5_000, root(key(2)));
      // Due: 1 at T0+10s, 2 at T0+7s (root), 3 at T0+10.2s.
      List<TraceKey> order = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        order.addAll(keys(store.dueTraces(T0 + 60_000, 1).join()));
      }
      assertEquals(List.of(key(2), key(1), key(3)), order);
    }
  }

  @Test
  void rootSeenSurvivesARestartAndTheTraceIsDueByTheRootRuleRightAfter() {
    TraceKey early = key(1);
    TraceKey handedOut = key(2);
    TraceKey noRoot = key(3);
    try (WindowStore store = WindowStore.open(config(AFTER_ROOT_MS), new MetricRegistry())) {
      append(store, T0, child(early), root(handedOut), child(noRoot));
      append(store, T0 + 1_000, root(early));
      assertEquals(List.of(handedOut), due(store, T0 + AFTER_ROOT_MS), "handed out, then the node stops");
    }
    try (WindowStore store = WindowStore.open(config(AFTER_ROOT_MS), new MetricRegistry())) {
      TraceView v = store.summary(early.high(), early.low()).join().orElseThrow();
      assertTrue(v.rootSeen());
      assertEquals(T0, v.firstSeenMillis());
      assertEquals(T0 + 1_000 + AFTER_ROOT_MS, v.dueMillis(), "root arrival recovered from the value header");
      assertFalse(store.summary(noRoot.high(), noRoot.low()).join().orElseThrow().rootSeen());
      // The undecided trace handed out before the restart is handed out again, in due order.
      assertEquals(List.of(handedOut), due(store, T0 + AFTER_ROOT_MS));
      assertEquals(List.of(early), due(store, T0 + 1_000 + AFTER_ROOT_MS));
      assertEquals(List.of(), due(store, T0 + WAIT_MS - 1));
      assertEquals(List.of(noRoot), due(store, T0 + WAIT_MS));
    }
    // Overdue at the restart: due at the first round.
    try (WindowStore store = WindowStore.open(config(AFTER_ROOT_MS), new MetricRegistry())) {
      assertEquals(List.of(handedOut, early), due(store, T0 + 1_000 + AFTER_ROOT_MS));
    }
  }

  /**
   * The workload of the store's other tests (1,000 traces, spans over up to 3 s in up to three
   * requests, three in four with a root) decided round by round: every trace is handed out exactly
   * once, at its due time by the root rule or by first seen, in due order; spans after a trace's
   * decision come back as late spans; a closed window whose traces are all decided is deleted; a
   * restart halfway keeps every summary, due times included.
   */
  @Test
  void aWorkloadIsHandedOutInDueOrderOnceEachAndItsWindowsGo() throws Exception {
    long afterRoot = 1_500;
    long wait = 5_000;
    TraceWorkload w = TraceWorkload.generate(21, 1000, 10, 3000, 100);
    WindowStoreConfig config = config(afterRoot).withDecisionWait(Duration.ofMillis(wait));
    Set<TraceKey> handedOut = new HashSet<>();
    int byRoot = 0;
    int lateSpans = 0;
    long end = T0 + 10_000 + 3_100 + wait + 2 * WINDOW_MS;
    int next = 0;
    WindowStore store = WindowStore.open(config, new MetricRegistry());
    try {
      for (long now = T0; now <= end; now += 100) {
        while (next < w.requests.size() && w.requests.get(next).atMillis() <= now) {
          TraceWorkload.Request r = w.requests.get(next++);
          TraceRequestIndex idx = new TraceRequestIndex().index(r.bytes());
          AppendResult res = store.append(idx, r.atMillis()).join();
          assertEquals(r.spanCount(), res.bufferedSpans() + res.lateSpans());
          // Spans after an early decision (children trailing their root by more than the option)
          // are late spans of that decision, never a new trace.
          for (LateTrace late : res.late()) {
            assertTrue(handedOut.contains(new TraceKey(late.traceIdHigh(), late.traceIdLow())));
            lateSpans += late.spanCount();
          }
        }
        if (now == T0 + 6_000) {
          List<TraceView> before = store.liveSummaries();
          store.close();
          store = WindowStore.open(config, new MetricRegistry());
          assertEquals(new HashSet<>(before), new HashSet<>(store.liveSummaries()));
        }
        List<TraceView> due = store.dueTraces(now, 100_000).join();
        long lastDue = Long.MIN_VALUE;
        List<Decision> decisions = new ArrayList<>();
        for (TraceView v : due) {
          TraceKey k = new TraceKey(v.traceIdHigh(), v.traceIdLow());
          assertEquals(w.expectedDue(k, wait, afterRoot), v.dueMillis());
          assertTrue(v.dueMillis() <= now, "handed out early");
          assertTrue(v.dueMillis() >= lastDue, "out of due order");
          lastDue = v.dueMillis();
          assertTrue(handedOut.add(k), "handed out twice");
          byRoot += v.dueMillis() < v.firstSeenMillis() + wait ? 1 : 0;
          decisions.add(new Decision(k.high(), k.low(), k.low() % 3 == 0));
        }
        for (Map.Entry<TraceKey, Long> e : w.firstSeen.entrySet()) {
          assertEquals(w.expectedDue(e.getKey(), wait, afterRoot) <= now, handedOut.contains(e.getKey()),
              "due and not handed out, or handed out and not due");
        }
        store.decide(decisions, now).join();
        Set<Long> liveWindows = new HashSet<>();
        for (TraceView v : store.liveSummaries()) {
          liveWindows.add(v.window());
        }
        for (byte[] key : store.spanKeys()) {
          long win = StoreKeys.window(key);
          assertTrue(liveWindows.contains(win) || win >= now / WINDOW_MS, "decided closed window " + win + " kept");
        }
      }
      assertEquals(1000, handedOut.size());
      assertTrue(byRoot > 300, "traces due by their root: " + byRoot);
      assertTrue(lateSpans > 0, "some children trailed their root by more than the option");
      assertEquals(0, store.bufferedTraces());
      assertTrue(store.spanKeys().isEmpty());
      assertTrue(store.windowIds().isEmpty());
      assertEquals(0, store.bufferedBytes());
    } finally {
      store.close();
    }
  }
}

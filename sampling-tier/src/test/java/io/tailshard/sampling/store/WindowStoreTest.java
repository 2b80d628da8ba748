package io.tailshard.sampling.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.tailshard.common.component.RefusedException;
import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.tailshard.common.telemetry.MetricRegistry;
import io.tailshard.common.testing.RandomTraces;
import io.tailshard.sampling.store.TraceWorkload.Placed;
import io.tailshard.sampling.store.TraceWorkload.TraceKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store against RocksDB in a temp directory, with a simulated clock. */
class WindowStoreTest {
  static final Duration WAIT = Duration.ofSeconds(5);
  static final long WAIT_MS = WAIT.toMillis();
  static final long WINDOW_MS = WindowStoreConfig.DEFAULT_WINDOW_GRANULARITY_MS;

  @TempDir
  Path dir;

  /** The simulated clock every store operation of a test reads its {@code nowMillis} from. */
  final AtomicLong time = new AtomicLong(TraceWorkload.BASE_MILLIS);
  final LongSupplier clock = time::get;

  WindowStoreConfig config() {
    return WindowStoreConfig.defaults(dir).withDecisionWait(WAIT).withWriteBufferBytes(8L << 20);
  }

  static AppendResult append(WindowStore store, byte[] request, long now) throws Exception {
    TraceRequestIndex idx = new TraceRequestIndex().index(request);
    return store.append(idx, now).join();
  }

  /** Appends the whole workload, each request at its own simulated time. */
  void appendAll(WindowStore store, TraceWorkload w) throws Exception {
    appendAll(store, w.requests);
  }

  void appendAll(WindowStore store, List<TraceWorkload.Request> requests) throws Exception {
    for (TraceWorkload.Request r : requests) {
      time.set(r.atMillis());
      AppendResult res = append(store, r.bytes(), clock.getAsLong());
      assertEquals(r.spanCount(), res.bufferedSpans());
      assertTrue(res.late().isEmpty());
    }
  }

  static TraceView withoutBytes(TraceView v) {
    return new TraceView(v.traceIdHigh(), v.traceIdLow(), v.window(), v.firstSeenMillis(), v.spanCount(),
        v.statusMask(), v.earliestStartUnixNano(), v.latestEndUnixNano(), v.rootSeen(), -1, v.fragments(),
        v.dueMillis());
  }

  static void assertHoldsExactly(List<Placed> expected, List<byte[]> fragments) throws Exception {
    assertEquals(TraceWorkload.sorted(expected), TraceWorkload.sorted(TraceWorkload.parseEach(fragments)));
    ExportTraceServiceRequest merged = TraceWorkload.parseConcatenated(fragments);
    assertEquals(TraceWorkload.sorted(expected), TraceWorkload.sorted(TraceWorkload.flatten(merged)));
  }

  @Test
  void readBackHoldsExactlyEachTracesSpansAndSummariesAreRight() throws Exception {
    TraceWorkload w = TraceWorkload.generate(1, 1000, 10, 3000, 100);
    try (WindowStore store = WindowStore.open(config(), new MetricRegistry())) {
      appendAll(store, w);
      int totalSpans = w.spansByTrace.values().stream().mapToInt(List::size).sum();
      assertEquals(1000, store.bufferedTraces());
      assertEquals(totalSpans, store.bufferedSpans());
      for (Map.Entry<TraceKey, List<Placed>> e : w.spansByTrace.entrySet()) {
        TraceKey k = e.getKey();
        List<byte[]> fragments = store.readTrace(k.high(), k.low()).join();
        assertEquals(w.fragments.get(k), fragments.size(), "one value per (trace, request)");
        assertHoldsExactly(e.getValue(), fragments);
        TraceView summary = store.summary(k.high(), k.low()).join().orElseThrow();
        assertEquals(w.expectedSummary(k, WINDOW_MS, WAIT_MS, 0), withoutBytes(summary));
        assertEquals(fragments.stream().mapToLong(f -> f.length).sum(), summary.bytes());
      }
      // Every key sits in its trace's first window, whatever request carried it.
      for (byte[] key : store.spanKeys()) {
        TraceKey k = new TraceKey(StoreKeys.traceHigh(key), StoreKeys.traceLow(key));
        assertEquals(w.firstSeen.get(k) / WINDOW_MS, StoreKeys.window(key));
      }
    }
  }

  @Test
  void dueTracesComeInFirstSeenOrderAndDecidedWindowsAreDeleted() throws Exception {
    TraceWorkload w = TraceWorkload.generate(2, 1000, 10, 3000, 100);
    try (WindowStore store = WindowStore.open(config(), new MetricRegistry())) {
      appendAll(store, w);
      store.flush();
      long sstBefore = store.stats().liveSstBytes();
      assertTrue(sstBefore > 100_000, "flushed data on disk: " + sstBefore);

      Set<TraceKey> handedOut = new HashSet<>();
      long lastFirstSeen = Long.MIN_VALUE;
      int round = 0;
      long end = TraceWorkload.BASE_MILLIS + 10_000 + 3_100 + WAIT_MS + 2 * WINDOW_MS;
      for (long now = TraceWorkload.BASE_MILLIS; now <= end; now += 250) {
        time.set(now);
        List<TraceView> due = store.dueTraces(clock.getAsLong(), 100_000).join();
        List<Decision> decisions = new ArrayList<>();
        for (TraceView v : due) {
          assertTrue(v.firstSeenMillis() + WAIT_MS <= now, "handed out early");
          assertTrue(v.firstSeenMillis() >= lastFirstSeen, "out of first-seen order");
          lastFirstSeen = v.firstSeenMillis();
          TraceKey k = new TraceKey(v.traceIdHigh(), v.traceIdLow());
          assertTrue(handedOut.add(k), "handed out twice");
          decisions.add(new Decision(k.high(), k.low(), (round++ % 3) == 0));
        }
        // Nothing due was left behind.
        for (Map.Entry<TraceKey, Long> e : w.firstSeen.entrySet()) {
          assertEquals(e.getValue() + WAIT_MS <= now, handedOut.contains(e.getKey()));
        }
        List<KeptTrace> kept = store.decide(decisions, clock.getAsLong()).join();
        assertEquals(decisions.stream().filter(Decision::sampled).count(), kept.size());
        for (KeptTrace t : kept) {
          TraceKey k = new TraceKey(t.summary().traceIdHigh(), t.summary().traceIdLow());
          assertHoldsExactly(w.spansByTrace.get(k), t.fragments());
        }
        // A closed window whose traces are all decided has no key left; every other key is live.
        Set<Long> liveWindows = new HashSet<>();
        for (TraceView v : store.liveSummaries()) {
          liveWindows.add(v.window());
        }
        long current = now / WINDOW_MS;
        for (byte[] key : store.spanKeys()) {
          long win = StoreKeys.window(key);
          assertTrue(liveWindows.contains(win) || win >= current, "decided closed window " + win + " still has keys");
        }
      }
      assertEquals(1000, handedOut.size());
      assertEquals(0, store.bufferedTraces());
      assertEquals(0, store.bufferedBytes());
      assertTrue(store.spanKeys().isEmpty());
      assertTrue(store.windowIds().isEmpty());

      store.compact();
      long sstAfter = store.stats().liveSstBytes();
      assertTrue(sstAfter < sstBefore / 20, "disk usage after compaction: " + sstAfter + " of " + sstBefore);
    }
  }

  @Test
  void reopeningRestoresUndecidedSummariesFragmentsAndDecisions() throws Exception {
    TraceWorkload w = TraceWorkload.generate(3, 1000, 10, 3000, 100);
    List<TraceView> summaries;
    Map<TraceKey, List<byte[]>> fragments = new HashMap<>();
    Map<TraceKey, Boolean> decided = new HashMap<>();
    long now = TraceWorkload.BASE_MILLIS + 4_000 + WAIT_MS;
    try (WindowStore store = WindowStore.open(config(), new MetricRegistry())) {
      appendAll(store, w);
      time.set(now);
      List<TraceView> due = store.dueTraces(clock.getAsLong(), 100_000).join();
      assertTrue(due.size() > 300, "due: " + due.size());
      // Decide two thirds of what is due; the rest stays handed out but undecided.
      List<Decision> decisions = new ArrayList<>();
      for (int i = 0; i < due.size(); i++) {
        if (i % 3 != 2) {
          TraceView v = due.get(i);
          decisions.add(new Decision(v.traceIdHigh(), v.traceIdLow(), i % 3 == 0));
          decided.put(new TraceKey(v.traceIdHigh(), v.traceIdLow()), i % 3 == 0);
        }
      }
      store.decide(decisions, clock.getAsLong()).join();
      summaries = store.liveSummaries();
      for (TraceView v : summaries) {
        fragments.put(new TraceKey(v.traceIdHigh(), v.traceIdLow()),
            store.readTrace(v.traceIdHigh(), v.traceIdLow()).join());
      }
    }
    try (WindowStore store = WindowStore.open(config(), new MetricRegistry())) {
      assertEquals(new HashSet<>(summaries), new HashSet<>(store.liveSummaries()));
      assertEquals(1000 - decided.size(), store.bufferedTraces());
      for (Map.Entry<TraceKey, List<byte[]>> e : fragments.entrySet()) {
        List<byte[]> again = store.readTrace(e.getKey().high(), e.getKey().low()).join();
        assertEquals(e.getValue().size(), again.size());
        for (int i = 0; i < again.size(); i++) {
          assertArrayEquals(e.getValue().get(i), again.get(i));
        }
      }
      for (Map.Entry<TraceKey, Boolean> e : decided.entrySet()) {
        Optional<CachedDecision> c = store.cachedDecision(e.getKey().high(), e.getKey().low()).join();
        assertEquals(e.getValue(), c.orElseThrow().sampled());
        assertEquals(now, c.get().decidedAtMillis());
      }
      // Undecided traces are due again, the handed-out ones included.
      List<TraceView> due = store.dueTraces(now, 100_000).join();
      long expectedDue = w.firstSeen.entrySet().stream()
          .filter(e -> e.getValue() + WAIT_MS <= now && !decided.containsKey(e.getKey())).count();
      assertEquals(expectedDue, due.size());
      // A later span of a recovered trace joins it in its first window, under a fresh seq.
      TraceView v = due.get(0);
      TraceKey k = new TraceKey(v.traceIdHigh(), v.traceIdLow());
      Placed extra = new Placed(0, 0, new RandomTraces(9).span().toBuilder()
          .setTraceId(com.google.protobuf.ByteString.copyFrom(v.traceId())).build());
      int keysBefore = store.spanKeys().size();
      append(store, TraceWorkload.build(List.of(extra)).toByteArray(), now + 1);
      assertEquals(keysBefore + 1, store.spanKeys().size());
      List<Placed> all = new ArrayList<>(w.spansByTrace.get(k));
      all.add(extra);
      assertHoldsExactly(all, store.readTrace(k.high(), k.low()).join());
      assertEquals(v.window(), store.summary(k.high(), k.low()).join().orElseThrow().window());
    }
  }

  @Test
  void lateSpansOfDecidedTracesAreReportedWithTheirDecisionNotBuffered() throws Exception {
    TraceWorkload w = TraceWorkload.generate(4, 3, 10, 0, 100);
    List<TraceKey> keys = new ArrayList<>(w.spansByTrace.keySet());
    try (WindowStore store = WindowStore.open(config(), new MetricRegistry())) {
      appendAll(store, w);
      long decidedAt = TraceWorkload.BASE_MILLIS + WAIT_MS + 1000;
      store.decide(List.of(new Decision(keys.get(0).high(), keys.get(0).low(), true),
          new Decision(keys.get(1).high(), keys.get(1).low(), false)), decidedAt).join();
      assertEquals(1, store.bufferedTraces());

      RandomTraces random = new RandomTraces(5);
      List<Placed> lateKept = List.of(spanOf(random, keys.get(0)), spanOf(random, keys.get(0)));
      List<Placed> lateDropped = List.of(spanOf(random, keys.get(1)));
      List<Placed> fresh = List.of(spanOf(random, new TraceKey(42, 43)));
      List<Placed> all = new ArrayList<>(lateKept);
      all.addAll(lateDropped);
      all.addAll(fresh);
      AppendResult r = append(store, TraceWorkload.build(all).toByteArray(), decidedAt + 500);

      assertEquals(1, r.bufferedTraces());
      assertEquals(1, r.newTraces());
      assertEquals(1, r.bufferedSpans());
      assertEquals(3, r.lateSpans());
      assertEquals(2, r.late().size());
      for (LateTrace t : r.late()) {
        boolean kept = t.traceIdHigh() == keys.get(0).high() && t.traceIdLow() == keys.get(0).low();
        assertEquals(new CachedDecision(kept, decidedAt), t.decision());
        List<Placed> spans = TraceWorkload.flatten(ExportTraceServiceRequest.parseFrom(t.request()));
        assertEquals(TraceWorkload.sorted(kept ? lateKept : lateDropped), TraceWorkload.sorted(spans));
      }
      assertEquals(2, store.bufferedTraces());
      assertTrue(store.summary(keys.get(0).high(), keys.get(0).low()).join().isEmpty());
      assertTrue(store.readTrace(keys.get(1).high(), keys.get(1).low()).join().isEmpty());
    }
  }

  static Placed spanOf(RandomTraces random, TraceKey k) {
    byte[] id = new byte[16];
    StoreKeys.putLong(id, 0, k.high());
    StoreKeys.putLong(id, 8, k.low());
    return new Placed(1, 1, random.span().toBuilder().setTraceId(com.google.protobuf.ByteString.copyFrom(id)).build());
  }

  @Test
  void decisionCacheIsBoundedEvictsOldestFirstAndSurvivesRestart() throws Exception {
    TraceWorkload w = TraceWorkload.generate(6, 9, 10, 0, 100);
    List<TraceKey> keys = new ArrayList<>(w.spansByTrace.keySet());
    WindowStoreConfig config = config().withDecisionCache(3, 2);
    long t = TraceWorkload.BASE_MILLIS + WAIT_MS + 1000;
    try (WindowStore store = WindowStore.open(config, new MetricRegistry())) {
      appendAll(store, w);
      // Five kept, one per call, then four dropped in one call: decision times tell them apart.
      for (int i = 0; i < 5; i++) {
        store.decide(List.of(new Decision(keys.get(i).high(), keys.get(i).low(), true)), t + i).join();
      }
      List<Decision> dropped = new ArrayList<>();
      for (int i = 5; i < 9; i++) {
        dropped.add(new Decision(keys.get(i).high(), keys.get(i).low(), false));
      }
      store.decide(dropped, t + 10).join();
      assertCache(store, keys, t);
    }
    try (WindowStore store = WindowStore.open(config, new MetricRegistry())) {
      assertCache(store, keys, t);
      // On disk too, only what the rings hold is visible.
      assertEquals(5, store.decisionKeys().size());
    }
    // A smaller cache after a restart keeps the newest entries.
    try (WindowStore store = WindowStore.open(config.withDecisionCache(1, 1), new MetricRegistry())) {
      for (int i = 0; i < 9; i++) {
        Optional<CachedDecision> c = store.cachedDecision(keys.get(i).high(), keys.get(i).low()).join();
        assertEquals(i == 4 || i == 8, c.isPresent(), "trace " + i);
      }
      assertEquals(2, store.decisionKeys().size());
    }
  }

  private static void assertCache(WindowStore store, List<TraceKey> keys, long t) {
    for (int i = 0; i < 9; i++) {
      Optional<CachedDecision> c = store.cachedDecision(keys.get(i).high(), keys.get(i).low()).join();
      boolean cached = (i >= 2 && i < 5) || i >= 7;
      assertEquals(cached, c.isPresent(), "trace " + i);
      if (cached) {
        assertEquals(new CachedDecision(i < 5, i < 5 ? t + i : t + 10), c.get());
      }
    }
    assertEquals(3, store.stats().sampledCached());
    assertEquals(2, store.stats().notSampledCached());
  }

  @Test
  void appendsAreRefusedWhileFullAndAcceptedAgainOnceWindowsAreDeleted() throws Exception {
    TraceWorkload w = TraceWorkload.generate(7, 400, 10, 0, 100);
    WindowStoreConfig config = config().withMaxSizeBytes(32 << 10);
    try (WindowStore store = WindowStore.open(config, new MetricRegistry())) {
      RefusedException refused = null;
      int accepted = 0;
      for (TraceWorkload.Request r : w.requests) {
        time.set(r.atMillis());
        long spansBefore = store.bufferedSpans();
        try {
          append(store, r.bytes(), clock.getAsLong());
          accepted++;
        } catch (CompletionException e) {
          refused = assertInstanceOf(RefusedException.class, e.getCause());
          assertEquals(spansBefore, store.bufferedSpans(), "a refused append stores nothing");
          break;
        }
      }
      assertNotNull(refused, "never refused");
      assertTrue(refused.retryable());
      assertTrue(accepted > 0);
      assertTrue(store.isFull());
      assertTrue(store.bufferedBytes() >= config.maxSizeBytes());
      byte[] next = w.requests.get(accepted).bytes();
      assertThrows(CompletionException.class, () -> append(store, next, clock.getAsLong()));

      time.addAndGet(WAIT_MS + 2 * WINDOW_MS);
      List<Decision> decisions = new ArrayList<>();
      for (TraceView v : store.dueTraces(clock.getAsLong(), 100_000).join()) {
        decisions.add(new Decision(v.traceIdHigh(), v.traceIdLow(), false));
      }
      store.decide(decisions, clock.getAsLong()).join();
      assertFalse(store.isFull());
      assertEquals(0, store.bufferedBytes());
      assertEquals(w.requests.get(accepted).spanCount(), append(store, next, clock.getAsLong()).bufferedSpans());
    }
  }

  @Test
  void aFullQueueIsARetryableRefusal() throws Exception {
    TraceWorkload w = TraceWorkload.generate(8, 20, 10, 0, 100);
    MetricRegistry registry = new MetricRegistry();
    try (WindowStore store = WindowStore.open(config().withQueueCapacity(1), registry)) {
      CountDownLatch release = new CountDownLatch(1);
      CompletableFuture<Object> blocker = store.submit(() -> {
        release.await();
        return null;
      });
      // The writer holds the blocker; wait until the queue is empty again, then fill it.
      while (store.queuedForTest() > 0) {
        Thread.onSpinWait();
      }
      byte[] first = w.requests.get(0).bytes();
      CompletableFuture<AppendResult> queuedAppend =
          store.append(new TraceRequestIndex().index(first), TraceWorkload.BASE_MILLIS);
      CompletableFuture<AppendResult> refused =
          store.append(new TraceRequestIndex().index(w.requests.get(1).bytes()), TraceWorkload.BASE_MILLIS);
      CompletionException e = assertThrows(CompletionException.class, refused::join);
      assertTrue(assertInstanceOf(RefusedException.class, e.getCause()).retryable());
      release.countDown();
      blocker.join();
      assertEquals(w.requests.get(0).spanCount(), queuedAppend.join().bufferedSpans());
      assertTrue(registry.scrape().contains("tailshard_store_refused_spans_total{reason=\"queue_full\"} "
          + w.requests.get(1).spanCount()), registry.scrape());
    }
  }

  @Test
  void rocksDbRunsOnTheNamedWriterThreadAndMetricsAreExposed() throws Exception {
    TraceWorkload w = TraceWorkload.generate(9, 50, 10, 0, 100);
    MetricRegistry registry = new MetricRegistry();
    try (WindowStore store = WindowStore.open(config(), registry)) {
      assertEquals(WindowStore.WRITER_THREAD_NAME, store.onWriter(() -> Thread.currentThread().getName()));
      // Held behind a blocked writer, the append cannot complete before the callback is attached:
      // the callback then runs where the append completed.
      CountDownLatch release = new CountDownLatch(1);
      store.submit(() -> {
        release.await();
        return null;
      });
      TraceRequestIndex idx = new TraceRequestIndex().index(w.requests.get(0).bytes());
      CompletableFuture<String> completedOn = store.append(idx, TraceWorkload.BASE_MILLIS)
          .thenApply(r -> Thread.currentThread().getName());
      release.countDown();
      assertEquals(WindowStore.WRITER_THREAD_NAME, completedOn.join());
      appendAll(store, w.requests.subList(1, w.requests.size()));
      String scrape = registry.scrape();
      assertTrue(scrape.contains("tailshard_buffer_traces 50\n"), scrape);
      assertTrue(scrape.contains("tailshard_buffer_spans " + store.bufferedSpans() + "\n"), scrape);
      assertTrue(scrape.contains("tailshard_buffer_bytes " + store.bufferedBytes() + "\n"), scrape);
      assertTrue(scrape.contains("tailshard_store_append_latency_count " + w.requests.size() + "\n"), scrape);
      for (String name : List.of("tailshard_rocksdb_live_sst_bytes", "tailshard_rocksdb_memtable_bytes",
          "tailshard_rocksdb_pending_compaction_bytes", "tailshard_decision_cache_size", "tailshard_buffer_windows")) {
        assertTrue(scrape.contains(name), name);
      }
    }
  }

  @Test
  void aTraceDecidedEarlyLeavesMemoryAtOnceAndItsWindowGoesWhenItCloses() throws Exception {
    TraceWorkload w = TraceWorkload.generate(10, 1, 10, 0, 100);
    TraceKey k = w.spansByTrace.keySet().iterator().next();
    try (WindowStore store = WindowStore.open(config(), new MetricRegistry())) {
      appendAll(store, w);
      long now = w.firstSeen.get(k) + 10;
      List<KeptTrace> kept = store.decide(List.of(new Decision(k.high(), k.low(), true)), now).join();
      assertHoldsExactly(w.spansByTrace.get(k), kept.get(0).fragments());
      assertEquals(0, store.bufferedTraces());
      // Its window is still open (a new trace may start in it), so its keys stay for now...
      assertEquals(w.fragments.get(k), store.spanKeys().size());
      assertTrue(store.dueTraces(now, 10).join().isEmpty());
      assertEquals(w.fragments.get(k), store.spanKeys().size());
      // ...and go with the first operation after it closed.
      assertTrue(store.dueTraces((now / WINDOW_MS + 1) * WINDOW_MS, 10).join().isEmpty());
      assertTrue(store.spanKeys().isEmpty());
      assertEquals(0, store.bufferedBytes());
    }
  }

  @Test
  void spansWithInvalidTraceIdsAreSkippedAndCounted() throws Exception {
    ExportTraceServiceRequest req = new RandomTraces(11).invalidTraceIds(0.3).request(2, 2, 40);
    TraceRequestIndex idx = new TraceRequestIndex().index(req.toByteArray());
    int invalid = idx.invalidTraceIdCount();
    int total = idx.spanCount();
    assertTrue(invalid > 0);
    try (WindowStore store = WindowStore.open(config(), new MetricRegistry())) {
      AppendResult r = store.append(idx, TraceWorkload.BASE_MILLIS).join();
      assertEquals(invalid, r.invalidSpans());
      assertEquals(total - invalid, r.bufferedSpans());
      assertEquals(total - invalid, store.bufferedSpans());
    }
  }

  @Test
  void aSecondStoreOnTheSameDirectoryFailsWithThePathInTheMessage() {
    try (WindowStore store = WindowStore.open(config(), new MetricRegistry())) {
      StoreException e = assertThrows(StoreException.class, () -> WindowStore.open(config(), new MetricRegistry()));
      assertTrue(e.getMessage().contains(dir.toAbsolutePath().toString()), e.getMessage());
    }
  }

  @Test
  void closeIsIdempotentAndLaterOperationsFail() {
    WindowStore store = WindowStore.open(config(), new MetricRegistry());
    store.close();
    store.close();
    CompletionException e = assertThrows(CompletionException.class, () -> store.dueTraces(0, 1).join());
    assertInstanceOf(IllegalStateException.class, e.getCause());
  }
}

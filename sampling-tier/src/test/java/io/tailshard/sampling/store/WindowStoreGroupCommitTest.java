package io.tailshard.sampling.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailshard.common.component.RefusedException;
import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.tailshard.common.telemetry.MetricRegistry;
import io.tailshard.common.testing.RandomTraces;
import io.tailshard.sampling.store.TraceWorkload.Placed;
import io.tailshard.sampling.store.TraceWorkload.TraceKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit: appends queued behind each other are written with one RocksDB write, and each
 * request is still judged, stored and answered on its own. The writer thread is held by a task
 * that waits on a latch while the appends queue up, so the group is known. Real RocksDB in a temp
 * directory, no mocks.
 */
class WindowStoreGroupCommitTest {
  static final long WINDOW_MS = WindowStoreConfig.DEFAULT_WINDOW_GRANULARITY_MS;

  @TempDir
  Path dir;

  WindowStoreConfig config() {
    return WindowStoreConfig.defaults(dir).withDecisionWait(WindowStoreTest.WAIT).withWriteBufferBytes(8L << 20);
  }

  /** Holds the writer thread until the returned latch is counted down. */
  static CountDownLatch holdWriter(WindowStore store) {
    CountDownLatch release = new CountDownLatch(1);
    store.submit(() -> {
      release.await();
      return null;
    });
    while (store.queuedForTest() > 0) {
      Thread.onSpinWait();
    }
    return release;
  }

  static CompletableFuture<AppendResult> appendAsync(WindowStore store, byte[] request, long now) throws Exception {
    return store.append(new TraceRequestIndex().index(request), now);
  }

  static long appendWrites(WindowStore store) {
    return store.onWriter(() -> store.core().appendWrites());
  }

  static int liveSlots(WindowStore store) {
    return store.onWriter(() -> store.core().liveSlots());
  }

  static long appendedRequests(WindowStore store) {
    return store.onWriter(() -> store.core().appendedRequests());
  }

  @Test
  void queuedAppendsGoInOneWriteAndEachTraceStaysInItsFirstWindow() throws Exception {
    // 60 requests over 6 s: traces continue across requests and across window boundaries inside
    // the one group, so later requests of the group must find the windows earlier ones chose.
    TraceWorkload w = TraceWorkload.generate(21, 600, 10, 2500, 100);
    List<TraceWorkload.Request> requests = w.requests.subList(0, Math.min(w.requests.size(), 60));
    assertTrue(requests.size() > 40 && requests.size() <= StoreThread.MAX_GROUP_REQUESTS, "" + requests.size());
    try (WindowStore store = WindowStore.open(config(), new MetricRegistry())) {
      long writesBefore = appendWrites(store);
      CountDownLatch release = holdWriter(store);
      List<CompletableFuture<AppendResult>> futures = new ArrayList<>();
      for (TraceWorkload.Request r : requests) {
        futures.add(appendAsync(store, r.bytes(), r.atMillis()));
      }
      assertEquals(requests.size(), store.queuedForTest());
      release.countDown();
      int spans = 0;
      int newTraces = 0;
      for (int i = 0; i < requests.size(); i++) {
        AppendResult res = futures.get(i).join();
        assertEquals(requests.get(i).spanCount(), res.bufferedSpans());
        assertTrue(res.late().isEmpty());
        spans += res.bufferedSpans();
        newTraces += res.newTraces();
      }
      assertEquals(1, appendWrites(store) - writesBefore, "one RocksDB write for the whole group");
      assertEquals(requests.size(), appendedRequests(store));

      // Exactly the traces the requests touched, each once, with every span, in its first window.
      Map<TraceKey, List<Placed>> sent = spansSent(w, requests);
      assertEquals(sent.size(), newTraces);
      assertEquals(sent.size(), store.bufferedTraces());
      assertEquals(spans, store.bufferedSpans());
      for (Map.Entry<TraceKey, List<Placed>> e : sent.entrySet()) {
        List<byte[]> fragments = store.readTrace(e.getKey().high(), e.getKey().low()).join();
        WindowStoreTest.assertHoldsExactly(e.getValue(), fragments);
      }
      for (byte[] key : store.spanKeys()) {
        TraceKey k = new TraceKey(StoreKeys.traceHigh(key), StoreKeys.traceLow(key));
        assertEquals(w.firstSeen.get(k) / WINDOW_MS, StoreKeys.window(key));
      }
      List<TraceView> before = sortedSummaries(store);
      store.close();
      try (WindowStore reopened = WindowStore.open(config(), new MetricRegistry())) {
        assertEquals(before, sortedSummaries(reopened), "the group's write is on disk");
      }
    }
  }

  @Test
  void aRefusedRequestInAGroupStoresNothingAndTheOthersAreUnaffected() throws Exception {
    RandomTraces random = new RandomTraces(5);
    List<ByteString> a = ids(random, 5);
    List<ByteString> b = ids(random, 5);
    List<ByteString> c = ids(random, 1);
    long t0 = TraceWorkload.BASE_MILLIS;
    // Room for 7 live traces: the first request's 5 fit, the second's 5 new ones do not, the third
    // only continues the first request's traces, the fourth only has spans of a decided trace.
    try (WindowStore store = WindowStore.open(config().withMaxTraces(7), new MetricRegistry())) {
      WindowStoreTest.append(store, request(random, c), t0);
      TraceKey ck = key(c.get(0));
      store.decide(List.of(new Decision(ck.high(), ck.low(), true)), t0).join();
      long writesBefore = appendWrites(store);

      CountDownLatch release = holdWriter(store);
      CompletableFuture<AppendResult> first = appendAsync(store, request(random, a), t0 + 10);
      CompletableFuture<AppendResult> second = appendAsync(store, request(random, b), t0 + 20);
      // Arrives in the next window: the traces it continues must stay in their first window.
      CompletableFuture<AppendResult> third = appendAsync(store, request(random, a), t0 + WINDOW_MS + 30);
      CompletableFuture<AppendResult> lateOnly = appendAsync(store, request(random, c), t0 + WINDOW_MS + 40);
      release.countDown();

      assertEquals(5, first.join().newTraces());
      CompletionException e = assertThrows(CompletionException.class, second::join);
      assertTrue(assertInstanceOf(RefusedException.class, e.getCause()).retryable());
      assertTrue(e.getCause().getMessage().contains("max_traces"), e.getCause().getMessage());
      assertEquals(0, third.join().newTraces());
      assertEquals(5, third.join().bufferedTraces());
      assertEquals(0, lateOnly.join().bufferedSpans());
      assertEquals(1, lateOnly.join().late().size());
      assertTrue(lateOnly.join().late().get(0).decision().sampled());
      assertEquals(1, appendWrites(store) - writesBefore);

      assertEquals(5, store.bufferedTraces());
      assertEquals(5, liveSlots(store), "the refused request's new traces left no slot behind");
      for (ByteString id : a) {
        TraceKey k = key(id);
        assertEquals(2, store.readTrace(k.high(), k.low()).join().size());
        assertEquals(t0 + 10, store.summary(k.high(), k.low()).join().orElseThrow().firstSeenMillis());
      }
      for (ByteString id : b) {
        TraceKey k = key(id);
        assertTrue(store.readTrace(k.high(), k.low()).join().isEmpty());
        assertTrue(store.summary(k.high(), k.low()).join().isEmpty());
      }
      for (byte[] k : store.spanKeys()) {
        assertEquals(t0 / WINDOW_MS, StoreKeys.window(k));
      }
    }
  }

  @Test
  void aRequestThatFindsTheStoreFullByBytesIsRefusedCountingEarlierRequestsOfTheGroup() throws Exception {
    RandomTraces random = new RandomTraces(6);
    byte[] one = request(random, ids(random, 20));
    byte[] two = request(random, ids(random, 20));
    long t0 = TraceWorkload.BASE_MILLIS;
    // The bound lies inside the first request: it is accepted (the check is made before it), the
    // second, in the same group, sees the first one's bytes and is refused.
    long oneBytes;
    try (WindowStore probe = WindowStore.open(config().withDirectory(dir.resolve("probe")), new MetricRegistry())) {
      WindowStoreTest.append(probe, one, t0);
      oneBytes = probe.bufferedBytes();
    }
    try (WindowStore store = WindowStore.open(config().withMaxSizeBytes(oneBytes / 2), new MetricRegistry())) {
      CountDownLatch release = holdWriter(store);
      CompletableFuture<AppendResult> first = appendAsync(store, one, t0);
      CompletableFuture<AppendResult> second = appendAsync(store, two, t0 + 1);
      release.countDown();
      assertEquals(20, first.join().newTraces());
      CompletionException e = assertThrows(CompletionException.class, second::join);
      assertTrue(assertInstanceOf(RefusedException.class, e.getCause()).retryable());
      assertTrue(e.getCause().getMessage().contains("max_size"), e.getCause().getMessage());
      assertEquals(oneBytes, store.bufferedBytes());
      assertEquals(20, store.bufferedTraces());
      assertEquals(20, liveSlots(store));
    }
  }

  @Test
  void aFailedWriteFailsEveryRequestOfTheGroupAndChangesNothing() throws Exception {
    TraceWorkload w = TraceWorkload.generate(22, 200, 10, 1500, 100);
    List<TraceWorkload.Request> earlier = w.requests.subList(0, 5);
    List<TraceWorkload.Request> group = w.requests.subList(5, 15);
    try (WindowStore store = WindowStore.open(config(), new MetricRegistry())) {
      for (TraceWorkload.Request r : earlier) {
        WindowStoreTest.append(store, r.bytes(), r.atMillis());
      }
      List<TraceView> summaries = sortedSummaries(store);
      long spans = store.bufferedSpans();
      long bytes = store.bufferedBytes();
      int keys = store.spanKeys().size();
      long writes = appendWrites(store);

      CountDownLatch release = holdWriter(store);
      store.submit(() -> {
        store.core().failAppendWritesForTest(true);
        return null;
      });
      List<CompletableFuture<AppendResult>> futures = new ArrayList<>();
      for (TraceWorkload.Request r : group) {
        futures.add(appendAsync(store, r.bytes(), r.atMillis()));
      }
      release.countDown();
      for (CompletableFuture<AppendResult> f : futures) {
        CompletionException e = assertThrows(CompletionException.class, f::join);
        StoreException se = assertInstanceOf(StoreException.class, e.getCause());
        assertTrue(se.getMessage().contains("append failed"), se.getMessage());
      }
      assertEquals(writes, appendWrites(store));
      assertEquals(summaries, sortedSummaries(store), "memory describes the disk: nothing was acknowledged");
      assertEquals(spans, store.bufferedSpans());
      assertEquals(bytes, store.bufferedBytes());
      assertEquals(keys, store.spanKeys().size());
      assertEquals(summaries.size(), liveSlots(store), "the failed group's new traces left no slot behind");

      // The same requests go through once writes work again, into the windows they belong in.
      store.onWriter(() -> {
        store.core().failAppendWritesForTest(false);
        return null;
      });
      for (TraceWorkload.Request r : group) {
        assertEquals(r.spanCount(), WindowStoreTest.append(store, r.bytes(), r.atMillis()).bufferedSpans());
      }
      Map<TraceKey, List<Placed>> sent = spansSent(w, w.requests.subList(0, 15));
      assertEquals(sent.size(), store.bufferedTraces());
      for (Map.Entry<TraceKey, List<Placed>> e : sent.entrySet()) {
        WindowStoreTest.assertHoldsExactly(e.getValue(), store.readTrace(e.getKey().high(), e.getKey().low()).join());
      }
    }
  }

  // ---- helpers

  static List<ByteString> ids(RandomTraces random, int n) {
    List<ByteString> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(random.traceId());
    }
    return out;
  }

  static TraceKey key(ByteString id) {
    return TraceKey.of(id);
  }

  /** A request with one span of each of the given traces. */
  static byte[] request(RandomTraces random, List<ByteString> traceIds) {
    List<Placed> spans = new ArrayList<>();
    for (ByteString id : traceIds) {
      Span s = random.span().toBuilder().setTraceId(id).build();
      spans.add(new Placed(0, 0, s));
    }
    return TraceWorkload.build(spans).toByteArray();
  }

  /** The spans of each trace that {@code requests} carried. */
  static Map<TraceKey, List<Placed>> spansSent(TraceWorkload w, List<TraceWorkload.Request> requests)
      throws Exception {
    Map<TraceKey, List<Placed>> out = new java.util.LinkedHashMap<>();
    for (TraceWorkload.Request r : requests) {
      for (Placed p : TraceWorkload.parseEach(List.of(r.bytes()))) {
        out.computeIfAbsent(TraceKey.of(p.span().getTraceId()), k -> new ArrayList<>()).add(p);
      }
    }
    return out;
  }

  static List<TraceView> sortedSummaries(WindowStore store) {
    List<TraceView> all = new ArrayList<>(store.liveSummaries());
    all.sort(Comparator.comparingLong(TraceView::traceIdHigh).thenComparingLong(TraceView::traceIdLow));
    return all;
  }
}

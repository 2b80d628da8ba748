package io.tailshard.sampling.store;

import io.tailshard.common.component.RefusedException;
import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.tailshard.common.telemetry.MetricRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Callable;

/**
 * The sampling tier's trace buffer: every span of the node's traces, on disk in RocksDB until the
 * trace's decision time, with a small summary per live trace in memory and a persisted decision
 * cache for late spans. One per node, opened on a data directory; it survives a killed process
 * (WAL on): reopening recovers every span whose append completed, and every cached decision.
 *
 * <p>Layout ({@code docs/storage.md}): spans of one trace from one request are one value, an
 * {@code ExportTraceServiceRequest} fragment, under the key
 * {@code window(8) | trace_id(16) | seq(8)}, where window is the trace's first-seen time divided by
 * the window width. Later spans of a trace go under its first window, so a window holds whole
 * traces and goes with one range delete once they are all decided.
 *
 * <p>Thread safety: every method may be called from any thread, event loops included; none
 * blocks except {@link #open} and {@link #close}. Operations run one at a time on the store's
 * writer thread {@value #WRITER_THREAD_NAME}, through a queue of
 * {@link WindowStoreConfig#queueCapacity()} operations; when it is full they fail with a retryable
 * {@link RefusedException}. Futures complete on the writer thread: hop back to your event loop
 * before doing more than a little work (Vert.x: {@code Future.fromCompletionStage(cf, context)}).
 *
 * <p>Timestamps are the caller's ({@code nowMillis}, epoch milliseconds): the store reads no clock
 * of its own, so one clock drives the processor and tests inject theirs.
 */
public final class WindowStore implements AutoCloseable {
  public static final String WRITER_THREAD_NAME = "tailshard-store-writer-0";

  private final WindowStoreConfig config;
  private final StoreThread thread;
  private final StoreCore core;
  private final StoreMetrics metrics;
  /** One instance, so the writer thread sees that queued appends share their writer. */
  private final StoreThread.AppendWriter appendWriter;

  private WindowStore(WindowStoreConfig config, StoreThread thread, StoreCore core, MetricRegistry registry) {
    this.config = config;
    this.thread = thread;
    this.core = core;
    this.appendWriter = core::performAppends;
    this.metrics = new StoreMetrics(registry, core);
  }

  /**
   * Opens the store, creating the directory and database when missing, and recovers its state:
   * summaries of undecided traces from the stored spans, the decision cache. Blocks for the
   * recovery (a scan of the buffered data): call it from a worker thread, never an event loop.
   *
   * @throws StoreException when RocksDB cannot open the directory (another process holds it, or
   *     the data cannot be read)
   */
  public static WindowStore open(WindowStoreConfig config, MetricRegistry metrics) {
    return open(config, metrics, () -> StoreCore.open(config));
  }

  /** Opens with a core built by {@code opener} on the writer thread (measurements use this). */
  static WindowStore open(WindowStoreConfig config, MetricRegistry metrics, Callable<StoreCore> opener) {
    StoreThread thread = new StoreThread(WRITER_THREAD_NAME, config.queueCapacity());
    StoreCore core;
    try {
      // Created on the writer thread like everything else that touches RocksDB.
      core = thread.submit(opener).join();
    } catch (CompletionException e) {
      thread.stop(() -> {});
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      throw e;
    }
    return new WindowStore(config, thread, core, metrics);
  }

  /**
   * Buffers the spans of one indexed request, grouped per trace. The grouping and the encoding of
   * one {@code ExportTraceServiceRequest} per trace happen here on the calling thread (which owns
   * {@code idx}; the index is not used after this method returns), and so is the encoding of the
   * request's puts in RocksDB's batch format; the write happens on the writer thread, with the WAL
   * on, together with the other appends queued at that moment (group commit: one RocksDB write for
   * all of them; each request is still stored all or nothing). When the future completes
   * successfully every buffered span is in the WAL and survives a killed process.
   *
   * <p>The future fails with a retryable {@link RefusedException} when the store is full
   * ({@code max_size} bytes or {@code max_traces} live traces) or its queue is; nothing of the
   * request is stored then, and nothing is ever dropped silently. Spans of traces already decided
   * are not buffered but returned in {@link AppendResult#late()} with their cached decision.
   *
   * @param nowMillis arrival time; a new trace's first-seen time
   */
  public CompletableFuture<AppendResult> append(TraceRequestIndex idx, long nowMillis) {
    if (nowMillis < 0) {
      throw new IllegalArgumentException("nowMillis before the epoch: " + nowMillis);
    }
    long started = System.nanoTime();
    PreparedAppend prepared = PreparedAppend.of(idx, nowMillis, core.spansColumnFamilyId());
    if (prepared.traces == 0) {
      return CompletableFuture.completedFuture(new AppendResult(0, 0, 0, prepared.invalidSpans, List.of()));
    }
    CompletableFuture<AppendResult> f = thread.submitAppend(prepared, appendWriter);
    return f.whenComplete((r, e) -> metrics.appended(prepared, r, e, started));
  }

  /**
   * Up to {@code max} traces whose due time ({@link TraceView#dueMillis()}) is at or before
   * {@code nowMillis}, earliest due first. A trace is due at first seen + {@code decision_wait};
   * with {@code decision_wait_after_root_received} set, at the arrival of its root span + that
   * option if that is earlier. Without the root rule this is first-seen order (exact within a
   * window, window by window across them). Each trace is handed out once; it stays buffered and
   * keeps taking spans until it is {@linkplain #decide decided}. After a restart, undecided traces
   * are handed out again, with the root rule applied from the stored arrival times.
   */
  public CompletableFuture<List<TraceView>> dueTraces(long nowMillis, int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1, got " + max);
    }
    return thread.submit(() -> core.performDueTraces(nowMillis, max));
  }

  /**
   * Records decisions. Each decided trace leaves memory at once and enters the decision cache
   * (persisted in the same write); a sampled trace's stored fragments are read back in the same
   * operation and returned, since its window may be deleted by it. A window whose traces are all
   * decided is removed with one range delete. Ids that are not live are ignored.
   *
   * <p>The returned traces are the hand-off: once this future completes, their spans are on their
   * way to be deleted from the store, and keeping them is up to the exporter's queue.
   */
  public CompletableFuture<List<KeptTrace>> decide(List<Decision> decisions, long nowMillis) {
    List<Decision> copy = List.copyOf(decisions);
    return thread.submit(() -> core.performDecide(copy, nowMillis));
  }

  /**
   * The stored fragments of a live trace in arrival order, for policies that need attributes;
   * empty when the trace is not live. Each fragment is a complete {@code ExportTraceServiceRequest};
   * their concatenation is one too.
   */
  public CompletableFuture<List<byte[]>> readTrace(long traceIdHigh, long traceIdLow) {
    return thread.submit(() -> core.performReadTrace(traceIdHigh, traceIdLow));
  }

  /** A copy of a live trace's summary; empty when the trace is not live. */
  public CompletableFuture<Optional<TraceView>> summary(long traceIdHigh, long traceIdLow) {
    return thread.submit(() -> Optional.ofNullable(core.performSummary(traceIdHigh, traceIdLow)));
  }

  /** The decision cache's entry for a trace id, if it holds one. */
  public CompletableFuture<Optional<CachedDecision>> cachedDecision(long traceIdHigh, long traceIdLow) {
    return thread.submit(() -> core.performCachedDecision(traceIdHigh, traceIdLow));
  }

  /**
   * True while appends of new data would be refused: buffered bytes at {@code max_size} or live
   * traces at {@code max_traces}. As of the last operation; any thread.
   */
  public boolean isFull() {
    return core.isFull();
  }

  /** Live (undecided) traces, as of the last operation. */
  public long bufferedTraces() {
    return core.stats().traces();
  }

  /** Spans of live traces, as of the last operation. */
  public long bufferedSpans() {
    return core.stats().spans();
  }

  /**
   * Bytes of keys and values under the store's windows: what {@code max_size} bounds. Includes
   * decided traces whose window still holds undecided ones. Uncompressed; RocksDB's files are
   * usually smaller (LZ4), plus whatever compaction has not reclaimed yet.
   */
  public long bufferedBytes() {
    return core.stats().storedBytes();
  }

  public WindowStoreConfig config() {
    return config;
  }

  public Path directory() {
    return config.directory();
  }

  /**
   * Runs every queued operation, then closes RocksDB (syncing the WAL first). Idempotent. Blocks;
   * must not be called from a future callback running on the writer thread.
   */
  @Override
  public void close() {
    thread.stop(core::close);
  }

  // ---- package-private, for tests and measurements; each runs on the writer thread.

  <T> T onWriter(Callable<T> work) {
    return thread.submit(work).join();
  }

  <T> CompletableFuture<T> submit(Callable<T> work) {
    return thread.submit(work);
  }

  int queuedForTest() {
    return thread.queued();
  }

  StoreCore core() {
    return core;
  }

  List<byte[]> spanKeys() {
    return onWriter(core::spanKeys);
  }

  void flush() {
    onWriter(() -> {
      core.flush();
      return null;
    });
  }

  void compact() {
    onWriter(() -> {
      core.compact();
      return null;
    });
  }

  List<byte[]> decisionKeys() {
    return onWriter(core::decisionKeys);
  }

  List<TraceView> liveSummaries() {
    return onWriter(core::liveSummaries);
  }

  List<Long> windowIds() {
    return onWriter(core::windowIds);
  }

  StoreCore.Stats stats() {
    return core.stats();
  }
}

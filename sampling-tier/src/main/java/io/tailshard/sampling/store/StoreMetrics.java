package io.tailshard.sampling.store;

import io.tailshard.common.component.RefusedException;
import io.tailshard.common.telemetry.MetricRegistry;
import java.util.concurrent.CompletionException;

/**
 * The store's self-metrics. Gauges read the snapshot the writer thread publishes after each
 * operation (RocksDB properties at most every 250 ms), so a scrape never touches RocksDB.
 */
final class StoreMetrics {
  /** Milliseconds: from a sub-millisecond batch in the WAL up to a stalled writer. */
  static final double[] LATENCY_BOUNDS_MS = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500};

  private final MetricRegistry.Histogram appendLatency;
  private final MetricRegistry.Counter refusedFull;
  private final MetricRegistry.Counter refusedQueue;
  private final MetricRegistry.Counter lateSampled;
  private final MetricRegistry.Counter lateNotSampled;

  StoreMetrics(MetricRegistry registry, StoreCore core) {
    registry.gauge("tailshard_buffer_traces", "Undecided traces buffered", () -> core.stats().traces());
    registry.gauge("tailshard_buffer_spans", "Spans of undecided traces buffered", () -> core.stats().spans());
    registry.gauge("tailshard_buffer_bytes", "Bytes of keys and values in the trace buffer (uncompressed)",
        () -> core.stats().storedBytes());
    registry.gauge("tailshard_buffer_windows", "Time windows holding buffered spans", () -> core.stats().windows());
    registry.gauge("tailshard_decision_cache_size", "Trace ids in the decision cache",
        () -> core.stats().sampledCached(), "decision", "sampled");
    registry.gauge("tailshard_decision_cache_size", "Trace ids in the decision cache",
        () -> core.stats().notSampledCached(), "decision", "not_sampled");
    registry.gauge("tailshard_rocksdb_live_sst_bytes", "RocksDB rocksdb.live-sst-files-size, all column families",
        () -> core.stats().liveSstBytes());
    registry.gauge("tailshard_rocksdb_memtable_bytes", "RocksDB rocksdb.cur-size-all-mem-tables",
        () -> core.stats().memtableBytes());
    registry.gauge("tailshard_rocksdb_pending_compaction_bytes",
        "RocksDB rocksdb.estimate-pending-compaction-bytes", () -> core.stats().pendingCompactionBytes());
    appendLatency = registry.histogram("tailshard_store_append_latency",
        "Time from append to durable in the WAL, queueing included (ms)", LATENCY_BOUNDS_MS);
    refusedFull = registry.counter("tailshard_store_refused_spans", "Spans the trace buffer refused (retryable)",
        "reason", "full");
    refusedQueue = registry.counter("tailshard_store_refused_spans", "Spans the trace buffer refused (retryable)",
        "reason", "queue_full");
    lateSampled = registry.counter("tailshard_late_spans", "Spans of already decided traces, by decision",
        "decision", "sampled");
    lateNotSampled = registry.counter("tailshard_late_spans", "Spans of already decided traces, by decision",
        "decision", "not_sampled");
  }

  /** Runs on the writer thread (or the caller's, for a refusal by a full queue). */
  void appended(PreparedAppend p, AppendResult result, Throwable error, long startedNanos) {
    if (result != null) {
      appendLatency.record((System.nanoTime() - startedNanos) / 1e6);
      for (LateTrace t : result.late()) {
        (t.decision().sampled() ? lateSampled : lateNotSampled).add(t.spanCount());
      }
      return;
    }
    Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    if (cause instanceof RefusedException) {
      boolean queue = cause.getMessage() != null && cause.getMessage().startsWith(StoreThread.QUEUE_FULL);
      (queue ? refusedQueue : refusedFull).add(p.spanTotal());
    }
  }
}

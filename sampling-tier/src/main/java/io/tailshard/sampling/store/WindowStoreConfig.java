package io.tailshard.sampling.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link WindowStore}. The constructor validates and names the YAML key of the
 * {@code tail_sampling} processor (or of the {@code rocksdb} storage extension) at fault, so the
 * processor can pass its config straight through.
 *
 * @param directory where RocksDB keeps its files (the storage extension's {@code directory})
 * @param decisionWait {@code decision_wait}: a trace is due this long after its first span arrived
 * @param windowGranularity width of one time window in the key ({@value #DEFAULT_WINDOW_GRANULARITY_MS} ms
 *     by default); due traces are handed out in first-seen order whatever the width, the width only
 *     sets how much data one range delete removes. Fixed for the life of a data directory: a store
 *     that holds data keeps the width it was written with
 * @param maxSizeBytes {@code max_size}: appends are refused (retryably) while the buffered data
 *     reaches this many bytes
 * @param maxTraces live (undecided) traces held in memory at most; each costs about 100 to 150
 *     bytes of heap, so the default bounds the summaries to about 0.5 to 0.75 GB. New traces are
 *     refused beyond it
 * @param sampledCacheSize {@code decision_cache.sampled_cache_size}: kept trace ids remembered
 *     for late spans (0 turns that half of the cache off)
 * @param nonSampledCacheSize {@code decision_cache.non_sampled_cache_size}: dropped trace ids
 * @param queueCapacity operations waiting for the store's writer thread at most; beyond it
 *     operations are refused retryably
 * @param writeBufferBytes RocksDB memtable size of the spans column family. Data decided while
 *     still in the memtable never reaches an SST file, so a memtable that holds more than
 *     {@code decision_wait} of ingest saves most disk writes; each costs this much native memory,
 *     up to 3 of them (one filling, two being flushed)
 * @param syncWrites fsync the WAL on every write. Off by default: each write reaches the WAL in
 *     the OS page cache before it returns, which survives a killed process but not a power loss
 * @param decisionWaitAfterRootReceived {@code decision_wait_after_root_received}: once a trace's
 *     root span (a span without parent span id) has arrived, the trace is due this long after that
 *     arrival when that is earlier than first seen + {@code decisionWait}; it never makes a trace
 *     due later. {@link Duration#ZERO} (the default) turns the rule off
 */
public record WindowStoreConfig(
    Path directory,
    Duration decisionWait,
    Duration windowGranularity,
    long maxSizeBytes,
    long maxTraces,
    int sampledCacheSize,
    int nonSampledCacheSize,
    int queueCapacity,
    long writeBufferBytes,
    boolean syncWrites,
    Duration decisionWaitAfterRootReceived) {

  /** The Collector's {@code decision_wait} default. */
  public static final Duration DEFAULT_DECISION_WAIT = Duration.ofSeconds(30);
  public static final long DEFAULT_WINDOW_GRANULARITY_MS = 1000;
  public static final Duration DEFAULT_WINDOW_GRANULARITY = Duration.ofMillis(DEFAULT_WINDOW_GRANULARITY_MS);
  /** 8 GiB: a minute of 100k spans/s of 300 bytes fits with room for compaction. */
  public static final long DEFAULT_MAX_SIZE_BYTES = 8L << 30;
  public static final long DEFAULT_MAX_TRACES = 5_000_000;
  /**
   * 250,000 ids per kind: 32 bytes of heap each (8 MB per kind), a few minutes of history at the
   * rate of one node. The Collector's default is 0 (off); here the cache is what routes late spans,
   * so it is on by default.
   */
  public static final int DEFAULT_SAMPLED_CACHE_SIZE = 250_000;
  public static final int DEFAULT_NON_SAMPLED_CACHE_SIZE = 250_000;
  /** 2^28 ids (8 GiB of heap) per kind: beyond it the ring's index array would not fit an int. */
  public static final int MAX_CACHE_SIZE = 1 << 28;
  /** A few seconds of requests at full rate; the writer drains thousands of appends per second. */
  public static final int DEFAULT_QUEUE_CAPACITY = 4096;
  public static final long DEFAULT_WRITE_BUFFER_BYTES = 64L << 20;
  /** The longest {@code decision_wait}: {@link Integer#MAX_VALUE} milliseconds, a little over 24 days. */
  public static final Duration MAX_DECISION_WAIT = Duration.ofMillis(Integer.MAX_VALUE);
  /** The Collector's default: off. */
  public static final Duration DEFAULT_DECISION_WAIT_AFTER_ROOT_RECEIVED = Duration.ZERO;

  public WindowStoreConfig {
    Objects.requireNonNull(directory, "directory");
    Objects.requireNonNull(decisionWait, "decision_wait");
    Objects.requireNonNull(windowGranularity, "window_granularity");
    Objects.requireNonNull(decisionWaitAfterRootReceived, "decision_wait_after_root_received");
    if (decisionWait.isNegative() || decisionWait.isZero()) {
      throw new IllegalArgumentException("decision_wait must be positive, got " + decisionWait);
    }
    if (decisionWait.compareTo(MAX_DECISION_WAIT) > 0) {
      // Each live trace keeps its due time as an int of milliseconds after its first span.
      throw new IllegalArgumentException("decision_wait must be at most 24 days, got " + decisionWait);
    }
    if (decisionWaitAfterRootReceived.isNegative()) {
      throw new IllegalArgumentException("decision_wait_after_root_received must not be negative, got "
          + decisionWaitAfterRootReceived);
    }
    if (windowGranularity.toMillis() < 1) {
      throw new IllegalArgumentException("window_granularity must be at least 1ms, got " + windowGranularity);
    }
    if (windowGranularity.toMillis() > 1000) {
      // Due traces are found window by window; a window wider than a second would make the due
      // order coarser than the one-second resolution the sampler promises.
      throw new IllegalArgumentException("window_granularity must be at most 1s, got " + windowGranularity);
    }
    if (maxSizeBytes <= 0) {
      throw new IllegalArgumentException("max_size must be positive, got " + maxSizeBytes);
    }
    if (maxTraces <= 0) {
      throw new IllegalArgumentException("max_traces must be positive, got " + maxTraces);
    }
    if (sampledCacheSize < 0 || sampledCacheSize > MAX_CACHE_SIZE) {
      throw new IllegalArgumentException(
          "decision_cache.sampled_cache_size must be in [0, " + MAX_CACHE_SIZE + "], got " + sampledCacheSize);
    }
    if (nonSampledCacheSize < 0 || nonSampledCacheSize > MAX_CACHE_SIZE) {
      throw new IllegalArgumentException(
          "decision_cache.non_sampled_cache_size must be in [0, " + MAX_CACHE_SIZE + "], got " + nonSampledCacheSize);
    }
    if (queueCapacity < 1) {
      throw new IllegalArgumentException("queue_capacity must be at least 1, got " + queueCapacity);
    }
    if (writeBufferBytes < (1L << 20)) {
      throw new IllegalArgumentException("write_buffer_size must be at least 1MiB, got " + writeBufferBytes);
    }
  }

  /** Every default, on {@code directory}. */
  public static WindowStoreConfig defaults(Path directory) {
    return new WindowStoreConfig(directory, DEFAULT_DECISION_WAIT, DEFAULT_WINDOW_GRANULARITY,
        DEFAULT_MAX_SIZE_BYTES, DEFAULT_MAX_TRACES, DEFAULT_SAMPLED_CACHE_SIZE,
        DEFAULT_NON_SAMPLED_CACHE_SIZE, DEFAULT_QUEUE_CAPACITY, DEFAULT_WRITE_BUFFER_BYTES, false,
        DEFAULT_DECISION_WAIT_AFTER_ROOT_RECEIVED);
  }

  public WindowStoreConfig withDirectory(Path dir) {
    return new WindowStoreConfig(dir, decisionWait, windowGranularity, maxSizeBytes, maxTraces,
        sampledCacheSize, nonSampledCacheSize, queueCapacity, writeBufferBytes, syncWrites,
        decisionWaitAfterRootReceived);
  }

  public WindowStoreConfig withDecisionWait(Duration d) {
    return new WindowStoreConfig(directory, d, windowGranularity, maxSizeBytes, maxTraces,
        sampledCacheSize, nonSampledCacheSize, queueCapacity, writeBufferBytes, syncWrites,
        decisionWaitAfterRootReceived);
  }

  public WindowStoreConfig withMaxSizeBytes(long bytes) {
    return new WindowStoreConfig(directory, decisionWait, windowGranularity, bytes, maxTraces,
        sampledCacheSize, nonSampledCacheSize, queueCapacity, writeBufferBytes, syncWrites,
        decisionWaitAfterRootReceived);
  }

  public WindowStoreConfig withMaxTraces(long traces) {
    return new WindowStoreConfig(directory, decisionWait, windowGranularity, maxSizeBytes, traces,
        sampledCacheSize, nonSampledCacheSize, queueCapacity, writeBufferBytes, syncWrites,
        decisionWaitAfterRootReceived);
  }

  public WindowStoreConfig withDecisionCache(int sampled, int nonSampled) {
    return new WindowStoreConfig(directory, decisionWait, windowGranularity, maxSizeBytes, maxTraces,
        sampled, nonSampled, queueCapacity, writeBufferBytes, syncWrites,
        decisionWaitAfterRootReceived);
  }

  public WindowStoreConfig withQueueCapacity(int capacity) {
    return new WindowStoreConfig(directory, decisionWait, windowGranularity, maxSizeBytes, maxTraces,
        sampledCacheSize, nonSampledCacheSize, capacity, writeBufferBytes, syncWrites,
        decisionWaitAfterRootReceived);
  }

  public WindowStoreConfig withWriteBufferBytes(long bytes) {
    return new WindowStoreConfig(directory, decisionWait, windowGranularity, maxSizeBytes, maxTraces,
        sampledCacheSize, nonSampledCacheSize, queueCapacity, bytes, syncWrites,
        decisionWaitAfterRootReceived);
  }

  public WindowStoreConfig withSyncWrites(boolean sync) {
    return new WindowStoreConfig(directory, decisionWait, windowGranularity, maxSizeBytes, maxTraces,
        sampledCacheSize, nonSampledCacheSize, queueCapacity, writeBufferBytes, sync,
        decisionWaitAfterRootReceived);
  }

  public WindowStoreConfig withDecisionWaitAfterRootReceived(Duration d) {
    return new WindowStoreConfig(directory, decisionWait, windowGranularity, maxSizeBytes, maxTraces,
        sampledCacheSize, nonSampledCacheSize, queueCapacity, writeBufferBytes, syncWrites, d);
  }

  long decisionWaitAfterRootReceivedMillis() {
    return decisionWaitAfterRootReceived.toMillis();
  }

  long decisionWaitMillis() {
    return decisionWait.toMillis();
  }

  long windowMillis() {
    return windowGranularity.toMillis();
  }
}

package io.tailshard.common.exporter;

import io.tailshard.common.config.ConfigMap;
import java.time.Duration;

/**
 * {@code sending_queue.batch}, with the Collector's keys: waiting batches are merged into one
 * request, which is sent once it holds {@code min_size} (in {@code sizer} units: {@code items},
 * spans, the default, or {@code bytes}) or once its oldest part has waited {@code flush_timeout};
 * {@code max_size} (0: none) caps a merged request. A single batch larger than {@code max_size} is
 * sent whole: merging never splits a request (the Collector's batcher does).
 *
 * <p>Built for queues whose batches are OTLP export requests, where the concatenation of two
 * serialized requests is a valid request holding both (every top-level field is repeated).
 */
public record BatchConfig(Duration flushTimeout, long minSize, long maxSize, Sizer sizer) {

  /** What {@code min_size} and {@code max_size} count. */
  public enum Sizer {
    ITEMS,
    BYTES
  }

  /** The Collector's defaults when a {@code batch} block is written. */
  public static final BatchConfig DEFAULT = new BatchConfig(Duration.ofMillis(200), 8192, 0, Sizer.ITEMS);

  public BatchConfig {
    if (flushTimeout.isZero() || flushTimeout.isNegative()) {
      throw new IllegalArgumentException("flush_timeout must be more than 0");
    }
    if (minSize < 0 || maxSize < 0) {
      throw new IllegalArgumentException("sizes must not be negative");
    }
    if (maxSize > 0 && maxSize < minSize) {
      throw new IllegalArgumentException("max_size must be at least min_size");
    }
  }

  /** Reads a {@code batch} block; absent keys take the Collector's defaults. */
  public static BatchConfig parse(ConfigMap m) {
    Duration flush = m.duration("flush_timeout", DEFAULT.flushTimeout);
    if (flush.isZero() || flush.isNegative()) {
      throw m.error("flush_timeout", "must be more than 0 (leave the batch block out for no waiting)");
    }
    long min = m.longValue("min_size", DEFAULT.minSize, 0, Long.MAX_VALUE);
    long max = m.longValue("max_size", DEFAULT.maxSize, 0, Long.MAX_VALUE);
    String sizer = m.oneOf("sizer", "items", "items", "bytes", "requests");
    if (sizer.equals("requests")) {
      throw m.error("sizer", "a batch is measured in items or bytes; allowed: items, bytes");
    }
    m.done();
    if (max > 0 && max < min) {
      throw m.error("max_size", "must be at least min_size (" + min + "), or 0 for no limit");
    }
    return new BatchConfig(flush, min, max, sizer.equals("bytes") ? Sizer.BYTES : Sizer.ITEMS);
  }
}

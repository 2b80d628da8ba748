package io.tailshard.common.processor.memorylimiter;

import io.tailshard.common.config.ConfigMap;
import java.time.Duration;

/**
 * The {@code memory_limiter} processor's config, with the Collector's options and rules.
 *
 * <ul>
 *   <li>{@code check_interval} (required, &gt; 0): how often the heap is measured.
 *   <li>{@code limit_mib}: the hard limit in MiB. Takes precedence over {@code limit_percentage}.
 *   <li>{@code spike_limit_mib}: headroom below the hard limit; the soft limit is
 *       {@code limit - spike}. Default (0): 20% of the limit.
 *   <li>{@code limit_percentage}, {@code spike_limit_percentage}: the same as percentages of the
 *       JVM's maximum heap ({@link Runtime#maxMemory()}, which follows the container limit through
 *       {@code -XX:MaxRAMPercentage}); used when {@code limit_mib} is 0.
 *   <li>{@code min_gc_interval_when_soft_limited} (10s) and {@code min_gc_interval_when_hard_limited}
 *       (0s): the least time between two GCs this processor forces.
 * </ul>
 *
 * One of {@code limit_mib} and {@code limit_percentage} must be set; the spike must be below the
 * limit; percentages are at most 100; the soft-limited GC interval is at least the hard-limited one.
 */
public record MemoryLimiterConfig(
    Duration checkInterval,
    long limitMib,
    long spikeLimitMib,
    int limitPercentage,
    int spikeLimitPercentage,
    Duration minGcIntervalWhenSoftLimited,
    Duration minGcIntervalWhenHardLimited) {

  public static final Duration DEFAULT_MIN_GC_INTERVAL_WHEN_SOFT_LIMITED = Duration.ofSeconds(10);
  public static final Duration DEFAULT_MIN_GC_INTERVAL_WHEN_HARD_LIMITED = Duration.ZERO;

  private static final long MIB = 1024L * 1024L;

  public MemoryLimiterConfig {
    if (checkInterval == null || checkInterval.isZero() || checkInterval.isNegative()) {
      throw new IllegalArgumentException("check_interval: must be greater than zero");
    }
    if (minGcIntervalWhenSoftLimited.compareTo(minGcIntervalWhenHardLimited) < 0) {
      throw new IllegalArgumentException(
          "min_gc_interval_when_soft_limited: must not be shorter than min_gc_interval_when_hard_limited");
    }
    if (limitMib == 0 && limitPercentage == 0) {
      throw new IllegalArgumentException("limit_mib or limit_percentage: one of them must be greater than zero");
    }
    if (limitMib > 0 && spikeLimitMib >= limitMib) {
      throw new IllegalArgumentException("spike_limit_mib: must be smaller than limit_mib");
    }
    if (limitPercentage > 0 && spikeLimitPercentage >= limitPercentage) {
      throw new IllegalArgumentException("spike_limit_percentage: must be smaller than limit_percentage");
    }
  }

  static MemoryLimiterConfig parse(ConfigMap m) {
    Duration check = m.duration("check_interval", Duration.ZERO);
    if (check.isZero()) {
      throw m.error("check_interval", "must be greater than zero (the Collector has no default; 1s is usual)");
    }
    MemoryLimiterConfig c;
    try {
      c = new MemoryLimiterConfig(
          check,
          m.longValue("limit_mib", 0, 0, Integer.MAX_VALUE),
          m.longValue("spike_limit_mib", 0, 0, Integer.MAX_VALUE),
          m.integer("limit_percentage", 0, 0, 100),
          m.integer("spike_limit_percentage", 0, 0, 100),
          m.duration("min_gc_interval_when_soft_limited", DEFAULT_MIN_GC_INTERVAL_WHEN_SOFT_LIMITED),
          m.duration("min_gc_interval_when_hard_limited", DEFAULT_MIN_GC_INTERVAL_WHEN_HARD_LIMITED));
    } catch (IllegalArgumentException e) {
      throw m.error(e.getMessage());
    }
    m.done();
    return c;
  }

  /** The hard and soft limits in bytes for a JVM whose maximum heap is {@code maxHeapBytes}. */
  Limits limits(long maxHeapBytes) {
    long hard;
    long spike;
    if (limitMib > 0) {
      hard = limitMib * MIB;
      spike = spikeLimitMib * MIB;
    } else {
      hard = maxHeapBytes / 100 * limitPercentage;
      spike = maxHeapBytes / 100 * spikeLimitPercentage;
    }
    if (spike == 0) {
      spike = hard / 5; // the Collector's default spike: 20% of the limit
    }
    return new Limits(hard, hard - spike);
  }

  /** Limits in bytes: above {@code soft} data is refused, above {@code hard} a GC is forced too. */
  record Limits(long hard, long soft) {}
}

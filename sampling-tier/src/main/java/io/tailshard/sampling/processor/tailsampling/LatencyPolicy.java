package io.tailshard.sampling.processor.tailsampling;

/**
 * {@code latency}: the trace's duration, from its earliest span start to its latest span end, in
 * whole milliseconds (truncated, as Go's {@code Duration.Milliseconds}), is compared with the
 * bounds: {@link Decision#SAMPLED} when {@code threshold_ms < duration}, and also
 * {@code duration <= upper_threshold_ms} when an upper bound is set (non-zero).
 *
 * <p>The lower bound is exclusive with or without an upper bound, as in Collector 0.157 and later;
 * see docs/tail-sampling.md for the older behaviour and for why the whole trace is measured.
 */
final class LatencyPolicy implements Policy {
  private static final long NANOS_PER_MILLI = 1_000_000L;

  private final long thresholdMs;
  private final long upperThresholdMs;

  LatencyPolicy(long thresholdMs, long upperThresholdMs) {
    this.thresholdMs = thresholdMs;
    this.upperThresholdMs = upperThresholdMs;
  }

  @Override
  public Decision evaluate(TraceView trace) {
    // Java's long division truncates toward zero, like Go's Duration.Milliseconds; a bogus trace
    // whose end precedes its start gets a negative duration and is never above the threshold.
    long durationMs = (trace.latestEndUnixNanos() - trace.earliestStartUnixNanos()) / NANOS_PER_MILLI;
    boolean inRange =
        durationMs > thresholdMs && (upperThresholdMs == 0 || durationMs <= upperThresholdMs);
    return inRange ? Decision.SAMPLED : Decision.NOT_SAMPLED;
  }
}

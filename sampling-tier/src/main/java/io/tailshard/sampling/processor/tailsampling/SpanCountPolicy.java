package io.tailshard.sampling.processor.tailsampling;

/**
 * {@code span_count}: {@link Decision#SAMPLED} when {@code min_spans <= spans} and, when
 * {@code max_spans} is not 0, {@code spans <= max_spans}; both bounds inclusive, 0 meaning no
 * upper bound, as in the Collector.
 */
final class SpanCountPolicy implements Policy {
  private final long minSpans;
  private final long maxSpans;

  SpanCountPolicy(long minSpans, long maxSpans) {
    this.minSpans = minSpans;
    this.maxSpans = maxSpans;
  }

  @Override
  public Decision evaluate(TraceView trace) {
    long spans = trace.spanCount();
    boolean inRange = spans >= minSpans && (maxSpans == 0 || spans <= maxSpans);
    return inRange ? Decision.SAMPLED : Decision.NOT_SAMPLED;
  }
}

package io.tailshard.sampling.processor.tailsampling;

import java.util.Set;

/**
 * {@code status_code}: {@link Decision#SAMPLED} when at least one span of the trace has one of the
 * listed status codes. The list becomes a bitmask once, so a decision is one AND.
 */
final class StatusCodePolicy implements Policy {
  private final int mask;

  StatusCodePolicy(Set<SpanStatus> codes) {
    int m = 0;
    for (SpanStatus s : codes) {
      m |= s.bit();
    }
    this.mask = m;
  }

  @Override
  public Decision evaluate(TraceView trace) {
    return (trace.statusCodesSeen() & mask) != 0 ? Decision.SAMPLED : Decision.NOT_SAMPLED;
  }
}

package io.tailshard.sampling.processor.tailsampling;

/**
 * {@code not}: turns the sub-policy's {@link Decision#SAMPLED} into {@link Decision#NOT_SAMPLED}
 * and back. Any other decision passes through unchanged, as in the Collector's code (its pull
 * request text spoke of flipping the invert decisions too; the merged code does not).
 */
final class NotPolicy implements Policy {
  private final Policy subPolicy;

  NotPolicy(Policy subPolicy) {
    this.subPolicy = subPolicy;
  }

  @Override
  public Decision evaluate(TraceView trace) {
    Decision d = subPolicy.evaluate(trace);
    if (d == Decision.SAMPLED) {
      return Decision.NOT_SAMPLED;
    }
    if (d == Decision.NOT_SAMPLED) {
      return Decision.SAMPLED;
    }
    return d;
  }
}

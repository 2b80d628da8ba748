package io.tailshard.sampling.processor.tailsampling;

/**
 * {@code and}: {@link Decision#SAMPLED} unless a sub-policy says {@link Decision#NOT_SAMPLED} or
 * {@link Decision#INVERT_NOT_SAMPLED}, in which case {@link Decision#NOT_SAMPLED}; it stops at the
 * first such sub-policy, as the Collector does.
 */
final class AndPolicy implements Policy {
  private final Policy[] subPolicies;

  AndPolicy(Policy[] subPolicies) {
    this.subPolicies = subPolicies.clone();
  }

  @Override
  public Decision evaluate(TraceView trace) {
    return allSample(subPolicies, trace) ? Decision.SAMPLED : Decision.NOT_SAMPLED;
  }

  /** True unless some policy says NOT_SAMPLED or INVERT_NOT_SAMPLED; shared with {@code drop}. */
  static boolean allSample(Policy[] policies, TraceView trace) {
    for (Policy p : policies) {
      Decision d = p.evaluate(trace);
      if (d == Decision.NOT_SAMPLED || d == Decision.INVERT_NOT_SAMPLED) {
        return false;
      }
    }
    return true;
  }
}

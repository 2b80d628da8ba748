package io.tailshard.sampling.processor.tailsampling;

/**
 * {@code drop}: {@link Decision#DROPPED} when every sub-policy samples (the same test as
 * {@code and}), else {@link Decision#NOT_SAMPLED}. A dropped trace is dropped whatever any other
 * policy says; the evaluator runs drop policies first.
 */
final class DropPolicy implements Policy {
  private final Policy[] subPolicies;

  DropPolicy(Policy[] subPolicies) {
    this.subPolicies = subPolicies.clone();
  }

  @Override
  public Decision evaluate(TraceView trace) {
    return AndPolicy.allSample(subPolicies, trace) ? Decision.DROPPED : Decision.NOT_SAMPLED;
  }
}

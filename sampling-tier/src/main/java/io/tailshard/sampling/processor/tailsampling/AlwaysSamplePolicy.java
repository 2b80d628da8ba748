package io.tailshard.sampling.processor.tailsampling;

/** {@code always_sample}: every trace is {@link Decision#SAMPLED}. */
final class AlwaysSamplePolicy implements Policy {
  static final AlwaysSamplePolicy INSTANCE = new AlwaysSamplePolicy();

  private AlwaysSamplePolicy() {}

  @Override
  public Decision evaluate(TraceView trace) {
    return Decision.SAMPLED;
  }
}

package io.tailshard.sampling.processor.tailsampling;

/**
 * The outcome of one {@link PolicyEvaluator#evaluate} call: the final decision and what each
 * policy said, for the {@code otelcol_processor_tail_sampling_count_traces_sampled{policy,
 * sampled, decision}} metric (one count per evaluated policy, as the Collector records it) and for
 * naming the policy that kept a trace.
 *
 * <p>Made by {@link PolicyEvaluator#newEvaluation()} and reused across calls so that an evaluation
 * allocates nothing. Not thread-safe: one per thread. Its content is valid until the next
 * evaluation into it.
 */
public final class Evaluation {
  private final PolicyEvaluator evaluator;
  private final Decision[] decisions;
  private int evaluated;
  private Decision decision = Decision.NOT_SAMPLED;
  private int decidedBy = -1;

  Evaluation(PolicyEvaluator evaluator, int policyCount) {
    this.evaluator = evaluator;
    this.decisions = new Decision[policyCount];
  }

  /** The final decision: {@link Decision#SAMPLED}, {@link Decision#NOT_SAMPLED} or {@link Decision#DROPPED}. */
  public Decision decision() {
    return decision;
  }

  /**
   * How many policies were evaluated, in evaluation order ({@link PolicyEvaluator#policyName}):
   * fewer than all when a drop policy dropped the trace or {@code sample_on_first_match} stopped at
   * a sampling policy. Only these are counted in the per-policy metric, as in the Collector.
   */
  public int evaluatedCount() {
    return evaluated;
  }

  /** What policy {@code index} (evaluation order, below {@link #evaluatedCount()}) said. */
  public Decision policyDecision(int index) {
    if (index < 0 || index >= evaluated) {
      throw new IndexOutOfBoundsException("policy " + index + " was not evaluated; evaluated: " + evaluated);
    }
    return decisions[index];
  }

  /** The name of policy {@code index} in evaluation order. */
  public String policyName(int index) {
    return evaluator.policyName(index);
  }

  /**
   * The index of the first policy whose decision settled the outcome: the dropping policy, the
   * first policy that sampled (the Collector's {@code tailsampling.policy} attribute), or the
   * first deprecated invert decision that vetoed; -1 when nothing sampled.
   */
  public int decidedBy() {
    return decidedBy;
  }

  void reset() {
    evaluated = 0;
    decision = Decision.NOT_SAMPLED;
    decidedBy = -1;
  }

  void record(int index, Decision d) {
    decisions[index] = d;
    evaluated = index + 1;
  }

  void finish(Decision finalDecision, int by) {
    decision = finalDecision;
    decidedBy = by;
  }

  PolicyEvaluator evaluator() {
    return evaluator;
  }
}

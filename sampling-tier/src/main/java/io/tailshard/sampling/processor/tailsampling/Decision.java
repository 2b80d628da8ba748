package io.tailshard.sampling.processor.tailsampling;

/**
 * What one policy says about one trace, and (restricted to {@link #SAMPLED}, {@link #NOT_SAMPLED}
 * and {@link #DROPPED}) the final decision. These are the Collector's decisions; its
 * {@code Unspecified}, {@code Pending} and {@code Error} have no counterpart because no policy here
 * can be undecided or fail.
 */
public enum Decision {
  /** Keep the trace. */
  SAMPLED("true", "sampled"),
  /** This policy does not keep the trace; another one may. */
  NOT_SAMPLED("false", "not_sampled"),
  /** Drop the trace whatever any other policy says. Only {@code drop} policies return it. */
  DROPPED("false", "dropped"),
  /**
   * The Collector's deprecated result of an {@code invert_match} attribute policy that matched (the
   * attribute is absent or has none of the values): it keeps the trace only when no other policy
   * said {@link #NOT_SAMPLED}. None of the policies built so far returns it; the evaluator honours it
   * so the attribute policies can be added without touching the precedence.
   */
  INVERT_SAMPLED("true", "sampled"),
  /**
   * The Collector's deprecated result of an {@code invert_match} attribute policy that did not match:
   * it vetoes every {@link #SAMPLED}, short of a {@link #DROPPED}. Same status as {@link
   * #INVERT_SAMPLED}.
   */
  INVERT_NOT_SAMPLED("false", "not_sampled");

  private final String sampledLabel;
  private final String decisionLabel;

  Decision(String sampledLabel, String decisionLabel) {
    this.sampledLabel = sampledLabel;
    this.decisionLabel = decisionLabel;
  }

  /** The {@code sampled} label of {@code otelcol_processor_tail_sampling_count_traces_sampled}: "true" or "false". */
  public String sampledLabel() {
    return sampledLabel;
  }

  /**
   * The {@code decision} label of the same metric: "sampled", "not_sampled" or "dropped" (the
   * Collector folds the invert decisions into the first two).
   */
  public String decisionLabel() {
    return decisionLabel;
  }
}

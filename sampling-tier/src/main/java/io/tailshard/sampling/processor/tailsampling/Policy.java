package io.tailshard.sampling.processor.tailsampling;

/**
 * One policy, built once from its config; {@link #evaluate} is called per trace on the decision
 * path, so implementations precompute everything, allocate nothing and never throw. All policies
 * built so far are stateless and therefore thread-safe.
 */
interface Policy {
  Decision evaluate(TraceView trace);
}

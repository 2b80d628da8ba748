package io.tailshard.sampling.store;

/**
 * What the decision cache remembers of a decided trace.
 *
 * @param sampled the trace was kept
 * @param decidedAtMillis when it was decided (caller's clock)
 */
public record CachedDecision(boolean sampled, long decidedAtMillis) {}

/**
 * The trace-ID ring: which sampling node owns a trace. Both tiers build it from the same set of
 * endpoints and therefore route every trace identically. See {@link io.tailshard.common.ring.TraceIdRing}
 * and {@code docs/ring.md} for the algorithm and its measured balance, movement and cost.
 */
package io.tailshard.common.ring;

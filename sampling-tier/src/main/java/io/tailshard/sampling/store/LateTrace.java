package io.tailshard.sampling.store;

/**
 * Spans of an already decided trace that arrived in an append. The store did not buffer them: the
 * caller forwards {@link #request} when {@code decision.sampled()} and drops (and counts) it
 * otherwise.
 *
 * @param request an {@code ExportTraceServiceRequest} holding exactly these spans, with their
 *     resource and scope; never written to after construction
 */
public record LateTrace(long traceIdHigh, long traceIdLow, CachedDecision decision, byte[] request, int spanCount) {}

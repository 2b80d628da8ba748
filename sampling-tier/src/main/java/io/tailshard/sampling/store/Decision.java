package io.tailshard.sampling.store;

/**
 * The sampler's verdict on one trace, handed to {@link WindowStore#decide}.
 *
 * @param sampled true to keep (export) the trace, false to drop it
 */
public record Decision(long traceIdHigh, long traceIdLow, boolean sampled) {}

package io.tailshard.sampling.store;

import java.util.List;

/**
 * A trace decided "sampled", read back in the same store operation that recorded the decision.
 *
 * @param summary the trace's summary at decision time
 * @param fragments the trace's stored {@code ExportTraceServiceRequest}s in arrival order. Each is
 *     valid on its own; their concatenation is also one valid request holding every span, since
 *     protobuf merges concatenated messages by appending their repeated fields
 */
public record KeptTrace(TraceView summary, List<byte[]> fragments) {}

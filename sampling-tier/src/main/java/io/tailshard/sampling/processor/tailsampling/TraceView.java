package io.tailshard.sampling.processor.tailsampling;

/**
 * What a policy may read about one trace at decision time: a summary the trace buffer keeps per
 * live trace (DESIGN §7), so that the policies built so far decide without reading span bodies
 * back. Implementations are supplied by the buffer; a view is read by one thread during one
 * evaluation and must not change meanwhile.
 *
 * <p>Every method is a plain read with no allocation: the evaluator calls them on the hot path.
 *
 * <p>Room for later: the attribute policies ({@code string_attribute}, {@code numeric_attribute},
 * {@code boolean_attribute}, {@code ottl_condition}, {@code trace_state}) need the resource and span
 * attributes (and trace state) of every span. They will add one method that walks those, for
 * example {@code boolean anyAttribute(AttributeMatcher m)} answering "does any resource or span of
 * this trace carry an attribute that m accepts", which a buffer can serve by reading span bodies
 * back only for traces whose policies need it. It is deliberately not declared here yet, so
 * implementations need not provide it now.
 */
public interface TraceView {
  /** Trace-id bytes 0..7 as a big-endian long (byte 0 is the most significant). */
  long traceIdHigh();

  /** Trace-id bytes 8..15 as a big-endian long. */
  long traceIdLow();

  /** Spans received for this trace so far (the Collector's {@code SpanCount}). */
  long spanCount();

  /**
   * Bitmask of the span status codes seen in this trace: {@link SpanStatus#bit()} of each code that
   * at least one span had (see {@link SpanStatus#bitOfProtoCode(int)}).
   */
  int statusCodesSeen();

  /**
   * Earliest span start time in Unix nanoseconds. A span whose start time is 0 (unset) should be
   * left out, as the Collector's latency policy does in practice; 0 when no span has one.
   */
  long earliestStartUnixNanos();

  /** Latest span end time in Unix nanoseconds; 0 when no span has one. */
  long latestEndUnixNanos();

  /** True once a span without a parent span id (the root) has been received. */
  boolean rootSeen();

  /** When this node received the trace's first span, in epoch milliseconds. */
  long firstSeenMillis();

  /** Bytes buffered for this trace (the sizes of its spans as received). */
  long bytes();

  /** True when some span of this trace had status {@code status}. */
  default boolean hasStatus(SpanStatus status) {
    return (statusCodesSeen() & status.bit()) != 0;
  }
}

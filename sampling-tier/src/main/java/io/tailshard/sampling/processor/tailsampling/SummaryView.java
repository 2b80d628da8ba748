package io.tailshard.sampling.processor.tailsampling;

/**
 * Shows a trace buffer summary ({@link io.tailshard.sampling.store.TraceView}) to the policies as
 * their {@link TraceView}. One instance is re-pointed at each trace in turn, so evaluating a round
 * of due traces allocates nothing. Confined to the decision loop's thread.
 */
final class SummaryView implements TraceView {
  private io.tailshard.sampling.store.TraceView s;

  SummaryView of(io.tailshard.sampling.store.TraceView summary) {
    this.s = summary;
    return this;
  }

  @Override
  public long traceIdHigh() {
    return s.traceIdHigh();
  }

  @Override
  public long traceIdLow() {
    return s.traceIdLow();
  }

  @Override
  public long spanCount() {
    return s.spanCount();
  }

  @Override
  public int statusCodesSeen() {
    int mask = 0;
    for (int code = 0; code < 3; code++) {
      if (s.statusSeen(code)) {
        mask |= SpanStatus.bitOfProtoCode(code);
      }
    }
    return mask;
  }

  @Override
  public long earliestStartUnixNanos() {
    // The buffer starts its minimum at Long.MAX_VALUE; policies expect 0 for "none seen".
    long v = s.earliestStartUnixNano();
    return v == Long.MAX_VALUE ? 0 : v;
  }

  @Override
  public long latestEndUnixNanos() {
    long v = s.latestEndUnixNano();
    return v == Long.MIN_VALUE ? 0 : v;
  }

  @Override
  public boolean rootSeen() {
    return s.rootSeen();
  }

  @Override
  public long firstSeenMillis() {
    return s.firstSeenMillis();
  }

  @Override
  public long bytes() {
    return s.bytes();
  }
}

package io.tailshard.sampling.processor.tailsampling;

/** A mutable {@link TraceView} for tests, set up with chained setters. */
final class TestTrace implements TraceView {
  private long high = 0x0102030405060708L;
  private long low = 0x090a0b0c0d0e0f10L;
  private long spans = 1;
  private int statuses = SpanStatus.UNSET.bit();
  private long start = 1_700_000_000_000_000_000L;
  private long end = start;
  private boolean root = true;
  private long firstSeen = 1_700_000_000_000L;
  private long bytes = 300;

  static TestTrace trace() {
    return new TestTrace();
  }

  TestTrace id(long high, long low) {
    this.high = high;
    this.low = low;
    return this;
  }

  TestTrace spans(long spans) {
    this.spans = spans;
    return this;
  }

  TestTrace statuses(SpanStatus... seen) {
    int m = 0;
    for (SpanStatus s : seen) {
      m |= s.bit();
    }
    this.statuses = m;
    return this;
  }

  /** Duration from earliest start to latest end, in nanoseconds. */
  TestTrace durationNanos(long nanos) {
    this.end = start + nanos;
    return this;
  }

  TestTrace durationMillis(long millis) {
    return durationNanos(millis * 1_000_000L);
  }

  @Override
  public long traceIdHigh() {
    return high;
  }

  @Override
  public long traceIdLow() {
    return low;
  }

  @Override
  public long spanCount() {
    return spans;
  }

  @Override
  public int statusCodesSeen() {
    return statuses;
  }

  @Override
  public long earliestStartUnixNanos() {
    return start;
  }

  @Override
  public long latestEndUnixNanos() {
    return end;
  }

  @Override
  public boolean rootSeen() {
    return root;
  }

  @Override
  public long firstSeenMillis() {
    return firstSeen;
  }

  @Override
  public long bytes() {
    return bytes;
  }
}

package io.tailshard.sampling.store;

/**
 * The in-memory state of one live (undecided) trace: one object per trace, never per span, with
 * primitive fields only (about 80 bytes with compressed references). Its window is not stored:
 * it is {@code floorDiv(firstSeenMillis, window width)}.
 *
 * <p>Also a node of its window's intrusive due list ({@link #prev}, {@link #next}), so a trace
 * decided early leaves that list in O(1) and nothing keeps a decided trace reachable.
 *
 * <p>Owned by the store's writer thread; never shared. Other threads get a {@link TraceView} copy.
 */
final class TraceSummary {
  private static final int ROOT_SEEN = 1 << 3;
  private static final int STATUS_BITS = 0b111;

  final long traceHigh;
  final long traceLow;
  final long firstSeenMillis;
  long earliestStart = Long.MAX_VALUE;
  long latestEnd = Long.MIN_VALUE;
  long bytes;
  int spanCount;
  int fragments;
  /** Status bits 0..2 ({@code 1 << code}), {@link #ROOT_SEEN}. */
  byte flags;

  // Due list of the trace's window; both null and not the head once handed out or decided.
  TraceSummary prev;
  TraceSummary next;

  TraceSummary(long traceHigh, long traceLow, long firstSeenMillis) {
    this.traceHigh = traceHigh;
    this.traceLow = traceLow;
    this.firstSeenMillis = firstSeenMillis;
  }

  /** Folds one stored fragment's span statistics into the summary. */
  void add(int spans, int statusMask, boolean root, long minStart, long maxEnd, int fragmentBytes) {
    spanCount += spans;
    fragments++;
    bytes += fragmentBytes;
    flags |= (byte) ((statusMask & STATUS_BITS) | (root ? ROOT_SEEN : 0));
    earliestStart = Math.min(earliestStart, minStart);
    latestEnd = Math.max(latestEnd, maxEnd);
  }

  boolean matches(long high, long low) {
    return traceHigh == high && traceLow == low;
  }

  TraceView view(long windowMillis) {
    return new TraceView(traceHigh, traceLow, Math.floorDiv(firstSeenMillis, windowMillis), firstSeenMillis,
        spanCount, flags & STATUS_BITS, earliestStart, latestEnd, (flags & ROOT_SEEN) != 0, bytes, fragments);
  }
}

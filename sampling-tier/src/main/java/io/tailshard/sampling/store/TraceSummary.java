package io.tailshard.sampling.store;

/**
 * The in-memory state of one live (undecided) trace: one object per trace, never per span, with
 * primitive fields only (about 88 bytes with compressed references). Its window is not stored:
 * it is {@code floorDiv(firstSeenMillis, window width)}.
 *
 * <p>Also a node of one intrusive due list ({@link #prev}, {@link #next}): its window's, ordered by
 * first seen, or, once {@code decision_wait_after_root_received} made it due earlier
 * ({@link #onRootDueList()}), the store's {@link RootDueList}. A trace decided early leaves either
 * in O(1) and nothing keeps a decided trace reachable.
 *
 * <p>Owned by the store's writer thread; never shared. Other threads get a {@link TraceView} copy.
 */
final class TraceSummary {
  private static final int ROOT_SEEN = 1 << 3;
  private static final int ON_ROOT_DUE_LIST = 1 << 4;
  private static final int STATUS_BITS = 0b111;

  final long traceHigh;
  final long traceLow;
  final long firstSeenMillis;
  /**
   * When the trace is due: first seen + {@code decision_wait}, or root arrival +
   * {@code decision_wait_after_root_received} once that is earlier. Only ever lowered.
   */
  long dueMillis;
  long earliestStart = Long.MAX_VALUE;
  long latestEnd = Long.MIN_VALUE;
  long bytes;
  int spanCount;
  int fragments;
  /** Status bits 0..2 ({@code 1 << code}), {@link #ROOT_SEEN}, {@link #ON_ROOT_DUE_LIST}. */
  byte flags;

  // Due list the trace is on; both null and not the head once handed out or decided.
  TraceSummary prev;
  TraceSummary next;

  TraceSummary(long traceHigh, long traceLow, long firstSeenMillis, long waitMillis) {
    this.traceHigh = traceHigh;
    this.traceLow = traceLow;
    this.firstSeenMillis = firstSeenMillis;
    this.dueMillis = firstSeenMillis + waitMillis;
  }

  boolean rootSeen() {
    return (flags & ROOT_SEEN) != 0;
  }

  /** True while the trace waits on the store's {@link RootDueList} rather than its window's list. */
  boolean onRootDueList() {
    return (flags & ON_ROOT_DUE_LIST) != 0;
  }

  void onRootDueList(boolean on) {
    flags = (byte) (on ? flags | ON_ROOT_DUE_LIST : flags & ~ON_ROOT_DUE_LIST);
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
        spanCount, flags & STATUS_BITS, earliestStart, latestEnd, rootSeen(), bytes, fragments, dueMillis);
  }
}

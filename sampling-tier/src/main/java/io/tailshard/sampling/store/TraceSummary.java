package io.tailshard.sampling.store;

/**
 * The in-memory state of one live (undecided) trace: one object per trace, never per span (about
 * 110 bytes with compressed references, by field layout, plus 2 to 3 bytes per stored fragment
 * after the first: the seqs that locate its values, see {@link StoreKeys}). Its window is not
 * stored: it is {@code floorDiv(firstSeenMillis, window width)}.
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
  /**
   * Where the stored fragments are: the first fragment's seq, the last one's, and the steps
   * between consecutive ones as unsigned varints (seqs ascend in arrival order; a step is the
   * number of values the store wrote in between, 2 to 3 bytes at tens of thousands per second).
   * Null until the second fragment.
   */
  private long firstSeq;
  private long lastSeq;
  private byte[] seqSteps;
  private int seqStepBytes;
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

  /** Folds one stored fragment's span statistics into the summary; {@code seq} is its key's. */
  void add(int spans, int statusMask, boolean root, long minStart, long maxEnd, int fragmentBytes, long seq) {
    if (fragments == 0) {
      firstSeq = seq;
    } else {
      appendStep(seq);
    }
    lastSeq = seq;
    spanCount += spans;
    fragments++;
    bytes += fragmentBytes;
    flags |= (byte) ((statusMask & STATUS_BITS) | (root ? ROOT_SEEN : 0));
    earliestStart = Math.min(earliestStart, minStart);
    latestEnd = Math.max(latestEnd, maxEnd);
  }

  private void appendStep(long seq) {
    long step = seq - lastSeq;
    if (step <= 0) {
      throw new IllegalStateException("fragment seq " + seq + " does not follow " + lastSeq);
    }
    if (seqSteps == null) {
      seqSteps = new byte[8];
    } else if (seqStepBytes + 10 > seqSteps.length) {
      seqSteps = java.util.Arrays.copyOf(seqSteps, Math.max(seqSteps.length * 2, seqStepBytes + 10));
    }
    while ((step & ~0x7FL) != 0) {
      seqSteps[seqStepBytes++] = (byte) ((step & 0x7F) | 0x80);
      step >>>= 7;
    }
    seqSteps[seqStepBytes++] = (byte) step;
  }

  /** The seqs of the stored fragments, in arrival order ({@link #fragments} of them). */
  long[] seqs() {
    long[] out = new long[fragments];
    if (fragments == 0) {
      return out;
    }
    out[0] = firstSeq;
    int pos = 0;
    for (int i = 1; i < fragments; i++) {
      long step = 0;
      int shift = 0;
      byte b;
      do {
        b = seqSteps[pos++];
        step |= (long) (b & 0x7F) << shift;
        shift += 7;
      } while (b < 0);
      out[i] = out[i - 1] + step;
    }
    return out;
  }

  boolean matches(long high, long low) {
    return traceHigh == high && traceLow == low;
  }

  TraceView view(long windowMillis) {
    return new TraceView(traceHigh, traceLow, Math.floorDiv(firstSeenMillis, windowMillis), firstSeenMillis,
        spanCount, flags & STATUS_BITS, earliestStart, latestEnd, rootSeen(), bytes, fragments, dueMillis);
  }
}

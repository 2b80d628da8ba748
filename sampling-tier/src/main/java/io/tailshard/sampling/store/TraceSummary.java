package io.tailshard.sampling.store;

/**
 * The in-memory state of one live (undecided) trace: one object per trace, never per span (about
 * 80 bytes with compressed references, plus an array of 8 bytes per stored fragment: the seqs that
 * locate its values, see {@link StoreKeys}). Its window is not stored: it is
 * {@code floorDiv(firstSeenMillis, window width)}.
 *
 * <p>Also a node of its window's intrusive due list ({@link #prev}, {@link #next}), so a trace
 * decided early leaves that list in O(1) and nothing keeps a decided trace reachable.
 *
 * <p>Owned by the store's writer thread; never shared. Other threads get a {@link TraceView} copy.
 */
final class TraceSummary {
  private static final int ROOT_SEEN = 1 << 3;
  private static final int STATUS_BITS = 0b111;
  private static final long[] NO_SEQS = new long[0];

  final long traceHigh;
  final long traceLow;
  final long firstSeenMillis;
  long earliestStart = Long.MAX_VALUE;
  long latestEnd = Long.MIN_VALUE;
  long bytes;
  int spanCount;
  int fragments;
  /** Seqs of the stored fragments in arrival order, the first {@link #fragments} entries. */
  private long[] seqs = NO_SEQS;
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

  /** Folds one stored fragment's span statistics into the summary; {@code seq} is its key's. */
  void add(int spans, int statusMask, boolean root, long minStart, long maxEnd, int fragmentBytes, long seq) {
    if (fragments == seqs.length) {
      seqs = java.util.Arrays.copyOf(seqs, Math.max(4, fragments * 2));
    }
    seqs[fragments] = seq;
    spanCount += spans;
    fragments++;
    bytes += fragmentBytes;
    flags |= (byte) ((statusMask & STATUS_BITS) | (root ? ROOT_SEEN : 0));
    earliestStart = Math.min(earliestStart, minStart);
    latestEnd = Math.max(latestEnd, maxEnd);
  }

  /** The seq of fragment {@code i} (0 = the first stored). */
  long seq(int i) {
    return seqs[i];
  }

  boolean matches(long high, long low) {
    return traceHigh == high && traceLow == low;
  }

  TraceView view(long windowMillis) {
    return new TraceView(traceHigh, traceLow, Math.floorDiv(firstSeenMillis, windowMillis), firstSeenMillis,
        spanCount, flags & STATUS_BITS, earliestStart, latestEnd, (flags & ROOT_SEEN) != 0, bytes, fragments);
  }
}

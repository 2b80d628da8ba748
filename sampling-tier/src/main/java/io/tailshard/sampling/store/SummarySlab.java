package io.tailshard.sampling.store;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The in-memory state of every live (undecided) trace, one int slot per trace, never per span: the
 * only memory that grows with {@code decision_wait} (a longer wait holds more live traces). The
 * fields live in columns of primitive arrays rather than in one object per trace, so a trace costs
 * {@value #BYTES_PER_SLOT} bytes and nothing else: no object header, no padding, int links instead
 * of references. Columns come in chunks of {@value #CHUNK} slots, so growing never copies and a
 * chunk is never a humongous object. A decided trace's slot goes on its chunk's free list; a new
 * trace takes a slot from the lowest chunk that has one, so after a burst the live traces gather
 * in the low chunks and the high ones, once empty, are dropped: the slab shrinks back within about
 * one {@code decision_wait}, as a heap of objects would.
 *
 * <p>Per slot: trace id (2 longs), first seen, earliest start, latest end; the due time as an int
 * offset from first seen ({@link WindowStoreConfig} keeps {@code decision_wait} under 24 days);
 * the fragment bytes as a saturating int; the span count; the two links of the due list the trace
 * is on ({@link SummaryList}); a flags byte; and the locator of its stored fragments.
 *
 * <p>The locator: each fragment's key holds the seq of the request that wrote it ({@link
 * StoreKeys}); the slot keeps those seqs as unsigned varints, the first one less its window's
 * {@link Window#baseSeq}, then the steps between consecutive ones (seqs ascend in arrival order).
 * Counted in requests, both are mostly one byte: the first {@value #INLINE_SEQ_BYTES} bytes live in
 * two long columns, and only a trace with more fragments than that gets a {@link SeqSpill} (0.6%
 * of the live traces in the heap benchmark). Its window is not stored: it is
 * {@code floorDiv(firstSeen, window width)}.
 *
 * <p>Owned by the store's writer thread; never shared. Other threads get a {@link TraceView} copy.
 */
final class SummarySlab {
  /** No slot: the end of a list, an empty table entry. */
  static final int NONE = -1;
  /** Locator bytes held in the two inline columns before a trace needs a {@link SeqSpill}. */
  static final int INLINE_SEQ_BYTES = 16;
  /** 7 longs, 5 ints, 2 bytes. */
  static final int BYTES_PER_SLOT = 7 * 8 + 5 * 4 + 2;
  static final int CHUNK_BITS = 12;
  static final int CHUNK = 1 << CHUNK_BITS;
  private static final int MASK = CHUNK - 1;

  private static final int STATUS_BITS = 0b111;
  private static final int ROOT_SEEN = 1 << 3;
  private static final int ON_ROOT_DUE_LIST = 1 << 4;
  private static final int SPILLED = 1 << 5;

  private long[][] high = new long[0][];
  private long[][] low = new long[0][];
  private long[][] firstSeen = new long[0][];
  private long[][] earliestStart = new long[0][];
  private long[][] latestEnd = new long[0][];
  private long[][] inline0 = new long[0][];
  private long[][] inline1 = new long[0][];
  private int[][] dueOffset = new int[0][];
  private int[][] bytes = new int[0][];
  private int[][] spans = new int[0][];
  private int[][] prev = new int[0][];
  /** The due-list link; on a free slot, the next free slot. */
  private int[][] next = new int[0][];
  private byte[][] flags = new byte[0][];
  /** Locator bytes used inline; unused once the slot is {@link #SPILLED}. */
  private byte[][] inlineLength = new byte[0][];
  /** The locators that outgrew the inline columns, by slot. */
  private final Map<Integer, SeqSpill> spills = new HashMap<>();

  /** Chunks in use: their columns are allocated; the tables may be longer. */
  private int chunks;
  /** Per chunk, the first of its free slots (linked through {@link #next}), or NONE. */
  private int[] chunkFreeHead = new int[0];
  private int[] chunkFreeCount = new int[0];
  /** The lowest chunk with a free slot; {@link #chunks} when every chunk is full. */
  private int lowestWithFree;
  private int live;

  /** A slot for a new trace with no fragments yet, due {@code waitMillis} after first seen. */
  int allocate(long traceHigh, long traceLow, long firstSeenMillis, long waitMillis) {
    int due = Math.toIntExact(waitMillis);
    if (lowestWithFree == chunks) {
      grow();
    }
    int c = lowestWithFree;
    int s = chunkFreeHead[c];
    int i = s & MASK;
    chunkFreeHead[c] = next[c][i];
    if (--chunkFreeCount[c] == 0) {
      do {
        lowestWithFree++;
      } while (lowestWithFree < chunks && chunkFreeCount[lowestWithFree] == 0);
    }
    high[c][i] = traceHigh;
    low[c][i] = traceLow;
    firstSeen[c][i] = firstSeenMillis;
    earliestStart[c][i] = Long.MAX_VALUE;
    latestEnd[c][i] = Long.MIN_VALUE;
    inline0[c][i] = 0;
    inline1[c][i] = 0;
    dueOffset[c][i] = due;
    bytes[c][i] = 0;
    spans[c][i] = 0;
    prev[c][i] = NONE;
    next[c][i] = NONE;
    flags[c][i] = 0;
    inlineLength[c][i] = 0;
    live++;
    return s;
  }

  /** Gives back the slot of a trace that has left the trace table and every list. */
  void free(int s) {
    if (spilled(s)) {
      spills.remove(s);
    }
    int c = s >>> CHUNK_BITS;
    flags[c][s & MASK] = 0;
    next[c][s & MASK] = chunkFreeHead[c];
    chunkFreeHead[c] = s;
    chunkFreeCount[c]++;
    if (c < lowestWithFree) {
      lowestWithFree = c;
    }
    live--;
    dropEmptyLastChunks();
  }

  /**
   * Drops the last chunk once all of it is free and the chunk before it has room for half a chunk
   * more: a drained burst gives its memory back, and a live count hovering at a chunk boundary
   * does not make and drop a chunk at every other trace.
   */
  private void dropEmptyLastChunks() {
    while (chunks > 1 && chunkFreeCount[chunks - 1] == CHUNK && chunkFreeCount[chunks - 2] >= CHUNK / 2) {
      int c = --chunks;
      high[c] = null;
      low[c] = null;
      firstSeen[c] = null;
      earliestStart[c] = null;
      latestEnd[c] = null;
      inline0[c] = null;
      inline1[c] = null;
      dueOffset[c] = null;
      bytes[c] = null;
      spans[c] = null;
      prev[c] = null;
      next[c] = null;
      flags[c] = null;
      inlineLength[c] = null;
      chunkFreeHead[c] = NONE;
      chunkFreeCount[c] = 0;
      lowestWithFree = Math.min(lowestWithFree, chunks);
    }
  }

  /** Chunks of columns in use (tests: the slab shrinks after a burst). */
  int chunks() {
    return chunks;
  }

  /** Slots in use. */
  int live() {
    return live;
  }

  /** Adds chunk {@link #chunks}, every slot of it free, lowest first. */
  private void grow() {
    int c = chunks;
    if (c == high.length) {
      int n = Math.max(4, c * 2);
      high = Arrays.copyOf(high, n);
      low = Arrays.copyOf(low, n);
      firstSeen = Arrays.copyOf(firstSeen, n);
      earliestStart = Arrays.copyOf(earliestStart, n);
      latestEnd = Arrays.copyOf(latestEnd, n);
      inline0 = Arrays.copyOf(inline0, n);
      inline1 = Arrays.copyOf(inline1, n);
      dueOffset = Arrays.copyOf(dueOffset, n);
      bytes = Arrays.copyOf(bytes, n);
      spans = Arrays.copyOf(spans, n);
      prev = Arrays.copyOf(prev, n);
      next = Arrays.copyOf(next, n);
      flags = Arrays.copyOf(flags, n);
      inlineLength = Arrays.copyOf(inlineLength, n);
      chunkFreeHead = Arrays.copyOf(chunkFreeHead, n);
      chunkFreeCount = Arrays.copyOf(chunkFreeCount, n);
    }
    high[c] = new long[CHUNK];
    low[c] = new long[CHUNK];
    firstSeen[c] = new long[CHUNK];
    earliestStart[c] = new long[CHUNK];
    latestEnd[c] = new long[CHUNK];
    inline0[c] = new long[CHUNK];
    inline1[c] = new long[CHUNK];
    dueOffset[c] = new int[CHUNK];
    bytes[c] = new int[CHUNK];
    spans[c] = new int[CHUNK];
    prev[c] = new int[CHUNK];
    next[c] = new int[CHUNK];
    flags[c] = new byte[CHUNK];
    inlineLength[c] = new byte[CHUNK];
    int base = c << CHUNK_BITS;
    for (int i = 0; i < CHUNK - 1; i++) {
      next[c][i] = base + i + 1;
    }
    next[c][CHUNK - 1] = NONE;
    chunkFreeHead[c] = base;
    chunkFreeCount[c] = CHUNK;
    chunks = c + 1;
    lowestWithFree = Math.min(lowestWithFree, c);
  }

  // ---------------------------------------------------------------- fields

  long traceHigh(int s) {
    return high[s >>> CHUNK_BITS][s & MASK];
  }

  long traceLow(int s) {
    return low[s >>> CHUNK_BITS][s & MASK];
  }

  boolean matches(int s, long traceHigh, long traceLow) {
    int c = s >>> CHUNK_BITS;
    int i = s & MASK;
    return high[c][i] == traceHigh && low[c][i] == traceLow;
  }

  long firstSeenMillis(int s) {
    return firstSeen[s >>> CHUNK_BITS][s & MASK];
  }

  /** When the trace is due for its decision. */
  long dueMillis(int s) {
    return firstSeen[s >>> CHUNK_BITS][s & MASK] + dueOffset[s >>> CHUNK_BITS][s & MASK];
  }

  /** Makes the trace due at {@code dueMillis}, which is earlier than {@link #dueMillis}. */
  void lowerDue(int s, long dueMillis) {
    if (dueMillis > dueMillis(s)) {
      throw new IllegalStateException("due time " + dueMillis + " is later than " + dueMillis(s));
    }
    dueOffset[s >>> CHUNK_BITS][s & MASK] = Math.toIntExact(dueMillis - firstSeenMillis(s));
  }

  int spanCount(int s) {
    return spans[s >>> CHUNK_BITS][s & MASK];
  }

  long bytes(int s) {
    return bytes[s >>> CHUNK_BITS][s & MASK];
  }

  boolean rootSeen(int s) {
    return (flags[s >>> CHUNK_BITS][s & MASK] & ROOT_SEEN) != 0;
  }

  /** True while the trace waits on the store's {@link RootDueList} rather than its window's list. */
  boolean onRootDueList(int s) {
    return (flags[s >>> CHUNK_BITS][s & MASK] & ON_ROOT_DUE_LIST) != 0;
  }

  void onRootDueList(int s, boolean on) {
    byte f = flags[s >>> CHUNK_BITS][s & MASK];
    flags[s >>> CHUNK_BITS][s & MASK] = (byte) (on ? f | ON_ROOT_DUE_LIST : f & ~ON_ROOT_DUE_LIST);
  }

  int prev(int s) {
    return prev[s >>> CHUNK_BITS][s & MASK];
  }

  void prev(int s, int p) {
    prev[s >>> CHUNK_BITS][s & MASK] = p;
  }

  int next(int s) {
    return next[s >>> CHUNK_BITS][s & MASK];
  }

  void next(int s, int n) {
    next[s >>> CHUNK_BITS][s & MASK] = n;
  }

  TraceView view(int s, long windowMillis) {
    int c = s >>> CHUNK_BITS;
    int i = s & MASK;
    return new TraceView(high[c][i], low[c][i], Math.floorDiv(firstSeen[c][i], windowMillis), firstSeen[c][i],
        spans[c][i], flags[c][i] & STATUS_BITS, earliestStart[c][i], latestEnd[c][i], rootSeen(s), bytes[c][i],
        fragments(s), dueMillis(s));
  }

  // ---------------------------------------------------------------- fragments

  /**
   * Folds one stored fragment's span statistics into the trace's slot. {@code seq} is its key's,
   * and {@code windowBaseSeq} the {@link Window#baseSeq} of the trace's window.
   */
  void add(int s, int spanCount, int statusMask, boolean root, long minStart, long maxEnd, int fragmentBytes,
      long seq, long windowBaseSeq) {
    long relative = seq - windowBaseSeq;
    if (locatorLength(s) == 0) {
      if (relative < 0) {
        throw new IllegalStateException("fragment seq " + seq + " is before its window's first, " + windowBaseSeq);
      }
      appendVarint(s, relative, relative);
    } else {
      long last = lastRelativeSeq(s);
      if (relative <= last) {
        throw new IllegalStateException("fragment seq " + seq + " does not follow " + (windowBaseSeq + last));
      }
      appendVarint(s, relative - last, relative);
    }
    int c = s >>> CHUNK_BITS;
    int i = s & MASK;
    spans[c][i] += spanCount;
    bytes[c][i] = (int) Math.min(Integer.MAX_VALUE, (long) bytes[c][i] + fragmentBytes);
    flags[c][i] |= (byte) ((statusMask & STATUS_BITS) | (root ? ROOT_SEEN : 0));
    earliestStart[c][i] = Math.min(earliestStart[c][i], minStart);
    latestEnd[c][i] = Math.max(latestEnd[c][i], maxEnd);
  }

  /** How many fragments are stored: one varint each. */
  int fragments(int s) {
    int n = 0;
    int length = locatorLength(s);
    SeqSpill spill = spilled(s) ? spills.get(s) : null;
    for (int i = 0; i < length; i++) {
      if (locatorByte(s, spill, i) >= 0) {
        n++;
      }
    }
    return n;
  }

  /** The seqs of the stored fragments, in arrival order ({@link #fragments} of them). */
  long[] seqs(int s, long windowBaseSeq) {
    long[] out = new long[fragments(s)];
    SeqSpill spill = spilled(s) ? spills.get(s) : null;
    int length = locatorLength(s);
    long seq = windowBaseSeq;
    int pos = 0;
    for (int i = 0; i < out.length; i++) {
      long v = 0;
      int shift = 0;
      byte b;
      do {
        b = locatorByte(s, spill, pos++);
        v |= (long) (b & 0x7F) << shift;
        shift += 7;
      } while (b < 0 && pos < length);
      seq += v;
      out[i] = seq;
    }
    return out;
  }

  private boolean spilled(int s) {
    return (flags[s >>> CHUNK_BITS][s & MASK] & SPILLED) != 0;
  }

  private int locatorLength(int s) {
    return spilled(s) ? spills.get(s).length : inlineLength[s >>> CHUNK_BITS][s & MASK];
  }

  private byte locatorByte(int s, SeqSpill spill, int i) {
    if (spill != null) {
      return spill.bytes[i];
    }
    long word = i < 8 ? inline0[s >>> CHUNK_BITS][s & MASK] : inline1[s >>> CHUNK_BITS][s & MASK];
    return (byte) (word >>> ((i & 7) << 3));
  }

  /** The last fragment's seq less the window's base: the sum of every varint. */
  private long lastRelativeSeq(int s) {
    if (spilled(s)) {
      return spills.get(s).lastRelative;
    }
    long sum = 0;
    long v = 0;
    int shift = 0;
    int length = inlineLength[s >>> CHUNK_BITS][s & MASK];
    for (int i = 0; i < length; i++) {
      byte b = locatorByte(s, null, i);
      v |= (long) (b & 0x7F) << shift;
      shift += 7;
      if (b >= 0) {
        sum += v;
        v = 0;
        shift = 0;
      }
    }
    return sum;
  }

  /** Appends {@code value}, the fragment's step, or its relative seq when first ({@code relative}). */
  private void appendVarint(int s, long value, long relative) {
    int c = s >>> CHUNK_BITS;
    int i = s & MASK;
    SeqSpill spill = spilled(s) ? spills.get(s) : null;
    int length = inlineLength[c][i];
    if (spill == null && length + varintSize(value) > INLINE_SEQ_BYTES) {
      spill = new SeqSpill(Math.max(2 * INLINE_SEQ_BYTES, length + 10));
      for (int k = 0; k < length; k++) {
        spill.bytes[k] = locatorByte(s, null, k);
      }
      spill.length = length;
      spills.put(s, spill);
      flags[c][i] |= SPILLED;
      inline0[c][i] = 0;
      inline1[c][i] = 0;
      inlineLength[c][i] = 0;
    }
    while (true) {
      byte b = (byte) ((value & ~0x7FL) != 0 ? (value & 0x7F) | 0x80 : value);
      if (spill != null) {
        spill.put(b);
      } else {
        int k = inlineLength[c][i]++;
        long bits = (long) (b & 0xFF) << ((k & 7) << 3);
        if (k < 8) {
          inline0[c][i] |= bits;
        } else {
          inline1[c][i] |= bits;
        }
      }
      value >>>= 7;
      if (b >= 0) {
        break;
      }
    }
    if (spill != null) {
      spill.lastRelative = relative;
    }
  }

  private static int varintSize(long value) {
    int size = 1;
    while ((value & ~0x7FL) != 0) {
      value >>>= 7;
      size++;
    }
    return size;
  }

  /** The locator of a trace with more fragments than fit inline, and its last relative seq. */
  private static final class SeqSpill {
    byte[] bytes;
    int length;
    long lastRelative;

    SeqSpill(int capacity) {
      bytes = new byte[capacity];
    }

    void put(byte b) {
      if (length == bytes.length) {
        bytes = Arrays.copyOf(bytes, bytes.length + (bytes.length >> 1));
      }
      bytes[length++] = b;
    }
  }
}

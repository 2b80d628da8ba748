package io.tailshard.sampling.store;

import java.util.Arrays;

/**
 * The in-memory state of one live (undecided) trace: one object per trace, never per span. It is
 * the only memory that grows with {@code decision_wait} (a longer wait holds more live traces), so
 * it is kept to 96 bytes with compressed references: no per-trace array up to
 * {@value #INLINE_SEQ_BYTES} bytes of fragment locators, ints where a long is never needed. Its
 * window is not stored: it is {@code floorDiv(firstSeenMillis, window width)}.
 *
 * <p>Where its stored fragments are: each fragment's key holds the seq of the request that wrote
 * it ({@link StoreKeys}), and the summary keeps those seqs as unsigned varints: the first one less
 * its window's {@link Window#baseSeq}, then the steps between consecutive ones (seqs ascend in
 * arrival order). Counted in requests, both are mostly one byte: the first sixteen bytes live in
 * two long fields, and only a trace with more fragments than that gets a {@link SeqSpill} array.
 *
 * <p>Also a node of one intrusive due list ({@link #prev}, {@link #next}): its window's, ordered by
 * first seen, or, once {@code decision_wait_after_root_received} made it due earlier
 * ({@link #onRootDueList()}), the store's {@link RootDueList}. A trace decided early leaves either
 * in O(1) and nothing keeps a decided trace reachable.
 *
 * <p>Owned by the store's writer thread; never shared. Other threads get a {@link TraceView} copy.
 */
final class TraceSummary {
  /** Locator bytes held in the two inline fields before a trace needs a {@link SeqSpill}. */
  static final int INLINE_SEQ_BYTES = 16;
  private static final int ROOT_SEEN = 1 << 3;
  private static final int ON_ROOT_DUE_LIST = 1 << 4;
  private static final int STATUS_BITS = 0b111;

  final long traceHigh;
  final long traceLow;
  final long firstSeenMillis;
  long earliestStart = Long.MAX_VALUE;
  long latestEnd = Long.MIN_VALUE;
  /** Locator bytes 0..7 (byte i in bits 8i..8i+7) and 8..15; unused once {@link #spill} is set. */
  private long inline0;
  private long inline1;
  /**
   * When the trace is due, less {@link #firstSeenMillis}: {@code decision_wait}, or less once
   * {@code decision_wait_after_root_received} made it due earlier. Only ever lowered. An int:
   * {@link WindowStoreConfig} keeps {@code decision_wait} under 24 days.
   */
  private int dueOffsetMillis;
  /** Fragment bytes; saturates at {@link Integer#MAX_VALUE}, far above any trace worth keeping. */
  private int bytes;
  int spanCount;
  /** Status bits 0..2 ({@code 1 << code}), {@link #ROOT_SEEN}, {@link #ON_ROOT_DUE_LIST}. */
  byte flags;
  private byte inlineLength;
  /** Every locator byte, once they no longer fit inline; null for most traces. */
  private SeqSpill spill;

  // Due list the trace is on; both null and not the head once handed out or decided.
  TraceSummary prev;
  TraceSummary next;

  TraceSummary(long traceHigh, long traceLow, long firstSeenMillis, long waitMillis) {
    this.traceHigh = traceHigh;
    this.traceLow = traceLow;
    this.firstSeenMillis = firstSeenMillis;
    this.dueOffsetMillis = Math.toIntExact(waitMillis);
  }

  /** When the trace is due for its decision. */
  long dueMillis() {
    return firstSeenMillis + dueOffsetMillis;
  }

  /** Makes the trace due at {@code dueMillis}, which is earlier than {@link #dueMillis()}. */
  void lowerDue(long dueMillis) {
    if (dueMillis > dueMillis()) {
      throw new IllegalStateException("due time " + dueMillis + " is later than " + dueMillis());
    }
    dueOffsetMillis = Math.toIntExact(dueMillis - firstSeenMillis);
  }

  long bytes() {
    return bytes;
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

  /**
   * Folds one stored fragment's span statistics into the summary. {@code seq} is its key's, and
   * {@code windowBaseSeq} the {@link Window#baseSeq} of the trace's window.
   */
  void add(int spans, int statusMask, boolean root, long minStart, long maxEnd, int fragmentBytes, long seq,
      long windowBaseSeq) {
    long relative = seq - windowBaseSeq;
    if (locatorLength() == 0) {
      if (relative < 0) {
        throw new IllegalStateException("fragment seq " + seq + " is before its window's first, " + windowBaseSeq);
      }
      appendVarint(relative, relative);
    } else {
      long last = lastRelativeSeq();
      if (relative <= last) {
        throw new IllegalStateException("fragment seq " + seq + " does not follow " + (windowBaseSeq + last));
      }
      appendVarint(relative - last, relative);
    }
    spanCount += spans;
    bytes = (int) Math.min(Integer.MAX_VALUE, (long) bytes + fragmentBytes);
    flags |= (byte) ((statusMask & STATUS_BITS) | (root ? ROOT_SEEN : 0));
    earliestStart = Math.min(earliestStart, minStart);
    latestEnd = Math.max(latestEnd, maxEnd);
  }

  /** How many fragments are stored: one varint each. */
  int fragments() {
    int n = 0;
    int length = locatorLength();
    for (int i = 0; i < length; i++) {
      if (locatorByte(i) >= 0) {
        n++;
      }
    }
    return n;
  }

  /** The seqs of the stored fragments, in arrival order ({@link #fragments()} of them). */
  long[] seqs(long windowBaseSeq) {
    long[] out = new long[fragments()];
    int length = locatorLength();
    long seq = windowBaseSeq;
    int pos = 0;
    for (int i = 0; i < out.length; i++) {
      long v = 0;
      int shift = 0;
      byte b;
      do {
        b = locatorByte(pos++);
        v |= (long) (b & 0x7F) << shift;
        shift += 7;
      } while (b < 0 && pos < length);
      seq += v;
      out[i] = seq;
    }
    return out;
  }

  boolean matches(long high, long low) {
    return traceHigh == high && traceLow == low;
  }

  TraceView view(long windowMillis) {
    return new TraceView(traceHigh, traceLow, Math.floorDiv(firstSeenMillis, windowMillis), firstSeenMillis,
        spanCount, flags & STATUS_BITS, earliestStart, latestEnd, rootSeen(), bytes, fragments(), dueMillis());
  }

  private int locatorLength() {
    return spill != null ? spill.length : inlineLength;
  }

  private byte locatorByte(int i) {
    if (spill != null) {
      return spill.bytes[i];
    }
    return (byte) ((i < 8 ? inline0 >>> (i << 3) : inline1 >>> ((i - 8) << 3)));
  }

  /** The last fragment's seq less the window's base: the sum of every varint. */
  private long lastRelativeSeq() {
    if (spill != null) {
      return spill.lastRelative;
    }
    long sum = 0;
    long v = 0;
    int shift = 0;
    for (int i = 0; i < inlineLength; i++) {
      byte b = locatorByte(i);
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
  private void appendVarint(long value, long relative) {
    int size = varintSize(value);
    if (spill == null && inlineLength + size > INLINE_SEQ_BYTES) {
      SeqSpill moved = new SeqSpill(Math.max(2 * INLINE_SEQ_BYTES, inlineLength + size));
      for (int i = 0; i < inlineLength; i++) {
        moved.bytes[i] = locatorByte(i);
      }
      moved.length = inlineLength;
      moved.lastRelative = lastRelativeSeq();
      spill = moved;
      inline0 = 0;
      inline1 = 0;
      inlineLength = 0;
    }
    while (true) {
      byte b = (byte) ((value & ~0x7FL) != 0 ? (value & 0x7F) | 0x80 : value);
      putLocatorByte(b);
      value >>>= 7;
      if (b >= 0) {
        break;
      }
    }
    if (spill != null) {
      spill.lastRelative = relative;
    }
  }

  private void putLocatorByte(byte b) {
    if (spill != null) {
      if (spill.length == spill.bytes.length) {
        spill.bytes = Arrays.copyOf(spill.bytes, spill.bytes.length + (spill.bytes.length >> 1));
      }
      spill.bytes[spill.length++] = b;
      return;
    }
    int i = inlineLength++;
    long bits = (long) (b & 0xFF);
    if (i < 8) {
      inline0 |= bits << (i << 3);
    } else {
      inline1 |= bits << ((i - 8) << 3);
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
  }
}

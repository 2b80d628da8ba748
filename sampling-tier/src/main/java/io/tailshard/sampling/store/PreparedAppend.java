package io.tailshard.sampling.store;

import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.tailshard.common.otlp.wire.TraceRequestWriter;

/**
 * One request's spans grouped per trace, ready for the writer thread: for each trace, the stored
 * value (header and a self-contained {@code ExportTraceServiceRequest} of that trace's spans with
 * their resource and scope) and the statistics its summary needs. Built on the caller's thread,
 * which owns the {@link TraceRequestIndex}, so the writer thread only builds keys and writes; the
 * index is not touched after {@link #of} returns. Arrays per request, no object per span.
 *
 * <p>Immutable after construction.
 */
final class PreparedAppend {
  final long arrivalMillis;
  final int traces;
  final int invalidSpans;
  final long[] high;
  final long[] low;
  final byte[][] values;
  final int[] spans;
  final int[] statusMask;
  final boolean[] root;
  final long[] minStart;
  final long[] maxEnd;

  private PreparedAppend(long arrivalMillis, int traces, int invalidSpans) {
    this.arrivalMillis = arrivalMillis;
    this.traces = traces;
    this.invalidSpans = invalidSpans;
    this.high = new long[traces];
    this.low = new long[traces];
    this.values = new byte[traces][];
    this.spans = new int[traces];
    this.statusMask = new int[traces];
    this.root = new boolean[traces];
    this.minStart = new long[traces];
    this.maxEnd = new long[traces];
  }

  /** Groups the indexed request's spans by trace id, keeping each group's order of arrival. */
  static PreparedAppend of(TraceRequestIndex idx, long arrivalMillis) {
    int n = idx.spanCount();
    // Group 0 collects spans with an invalid trace id; traces are groups 1..g.
    int[] groupOf = new int[n];
    long[] gHigh = new long[n + 1];
    long[] gLow = new long[n + 1];
    int tableSize = Integer.highestOneBit(Math.max(2, n) * 2 - 1) << 1;
    int[] table = new int[tableSize];
    int mask = tableSize - 1;
    int groups = 1;
    int invalid = 0;
    for (int i = 0; i < n; i++) {
      if (!idx.traceIdValid(i)) {
        groupOf[i] = 0;
        invalid++;
        continue;
      }
      long h = idx.traceIdHigh(i);
      long l = idx.traceIdLow(i);
      int slot = TraceTable.slot(h, l, mask);
      int g;
      while (true) {
        g = table[slot];
        if (g == 0) {
          g = groups++;
          table[slot] = g;
          gHigh[g] = h;
          gLow[g] = l;
          break;
        }
        if (gHigh[g] == h && gLow[g] == l) {
          break;
        }
        slot = (slot + 1) & mask;
      }
      groupOf[i] = g;
    }
    PreparedAppend p = new PreparedAppend(arrivalMillis, groups - 1, invalid);
    if (p.traces == 0) {
      return p;
    }
    for (int t = 0; t < p.traces; t++) {
      p.high[t] = gHigh[t + 1];
      p.low[t] = gLow[t + 1];
      p.minStart[t] = Long.MAX_VALUE;
      p.maxEnd[t] = Long.MIN_VALUE;
    }
    for (int i = 0; i < n; i++) {
      int t = groupOf[i] - 1;
      if (t < 0) {
        continue;
      }
      p.spans[t]++;
      p.statusMask[t] |= statusBit(idx.statusCode(i));
      p.root[t] |= idx.isRoot(i);
      p.minStart[t] = Math.min(p.minStart[t], idx.startTimeUnixNano(i));
      p.maxEnd[t] = Math.max(p.maxEnd[t], idx.endTimeUnixNano(i));
    }
    int[] counts = new int[groups];
    byte[][] fragments = new TraceRequestWriter().split(idx, groups, groupOf, counts);
    for (int t = 0; t < p.traces; t++) {
      p.values[t] = StoreKeys.spanValue(arrivalMillis, fragments[t + 1]);
    }
    return p;
  }

  int spanTotal() {
    int s = 0;
    for (int c : spans) {
      s += c;
    }
    return s;
  }

  /** Bit {@code 1 << code} for the three codes the protocol defines; unknown codes set no bit. */
  static int statusBit(int code) {
    return code >= 0 && code < 3 ? 1 << code : 0;
  }

  static int fragmentLength(byte[] value) {
    return value.length - StoreKeys.VALUE_HEADER_LENGTH;
  }
}

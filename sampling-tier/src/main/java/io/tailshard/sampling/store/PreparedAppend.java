package io.tailshard.sampling.store;

import io.tailshard.common.otlp.wire.ProtoWire;
import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.tailshard.common.otlp.wire.TraceRequestWriter;

/**
 * One request's spans grouped per trace, ready for the writer thread: for each trace, the stored
 * value (header and a self-contained {@code ExportTraceServiceRequest} of that trace's spans with
 * their resource and scope) and the statistics its summary needs. Built on the caller's thread,
 * which owns the {@link TraceRequestIndex}; the index is not touched after {@link #of} returns.
 * Arrays per request, no object per span.
 *
 * <p>The values are written straight into {@link #records}: the request's puts in RocksDB's
 * {@code WriteBatch} wire format, one record per trace, after {@link StoreBatch#HEADER_LENGTH}
 * bytes left for the batch header. Each key's window and seq are placeholders that only the writer
 * thread can fill in (the window is the trace's first window, known from the live summaries; the
 * seq is the store's counter): it patches them in place ({@link StoreBatch#patchKey}) and hands
 * the whole array to RocksDB in one call, instead of one JNI call per put.
 *
 * <p>Immutable after construction, except for those key placeholders, which only the writer
 * thread touches.
 */
final class PreparedAppend {
  final long arrivalMillis;
  final int traces;
  final int invalidSpans;
  final long[] high;
  final long[] low;
  /** Batch header space, then one put record per trace, in trace id order. */
  byte[] records;
  /** Where trace t's record starts in {@link #records}; {@code recordStart[traces]} is the end. */
  final int[] recordStart;
  /** Where trace t's 32-byte key starts in {@link #records}. */
  final int[] keyOffset;
  /** Where trace t's value (header and fragment) starts in {@link #records}. */
  final int[] valueOffset;
  /** Length of trace t's value, header included. */
  final int[] valueLength;
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
    this.recordStart = new int[traces + 1];
    this.keyOffset = new int[traces];
    this.valueOffset = new int[traces];
    this.valueLength = new int[traces];
    this.spans = new int[traces];
    this.statusMask = new int[traces];
    this.root = new boolean[traces];
    this.minStart = new long[traces];
    this.maxEnd = new long[traces];
  }

  /**
   * Groups the indexed request's spans by trace id, keeping each group's order of arrival, orders
   * the groups by trace id, and encodes the puts for the column family with id {@code spansCfId}.
   */
  static PreparedAppend of(TraceRequestIndex idx, long arrivalMillis, int spansCfId) {
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
    // Records in trace id order: all of them get the same seq, so their keys then ascend and
    // RocksDB's memtable inserts them one after the other (StoreCore#assemble).
    int[] rank = idOrderRanks(gHigh, gLow, groups);
    for (int i = 0; i < n; i++) {
      groupOf[i] = rank[groupOf[i]];
    }
    long[] sortedHigh = new long[groups];
    long[] sortedLow = new long[groups];
    for (int g = 1; g < groups; g++) {
      sortedHigh[rank[g]] = gHigh[g];
      sortedLow[rank[g]] = gLow[g];
    }
    gHigh = sortedHigh;
    gLow = sortedLow;
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
    int size = StoreBatch.HEADER_LENGTH;
    for (int t = 0; t < p.traces; t++) {
      size += StoreBatch.putRecordLength(spansCfId, StoreKeys.VALUE_HEADER_LENGTH + fragments[t + 1].length);
    }
    byte[] out = new byte[size];
    int pos = StoreBatch.HEADER_LENGTH;
    for (int t = 0; t < p.traces; t++) {
      byte[] fragment = fragments[t + 1];
      p.recordStart[t] = pos;
      int valueLength = StoreKeys.VALUE_HEADER_LENGTH + fragment.length;
      pos = StoreBatch.writePutPrefix(out, pos, spansCfId);
      p.keyOffset[t] = pos;
      StoreKeys.putLong(out, pos + StoreKeys.TRACE_ID_OFFSET, p.high[t]);
      StoreKeys.putLong(out, pos + StoreKeys.TRACE_ID_OFFSET + 8, p.low[t]);
      pos += StoreKeys.SPAN_KEY_LENGTH;
      pos = ProtoWire.writeVarint(out, pos, valueLength);
      p.valueOffset[t] = pos;
      p.valueLength[t] = valueLength;
      out[pos] = StoreKeys.VALUE_FORMAT;
      StoreKeys.putLong(out, pos + 1, arrivalMillis);
      System.arraycopy(fragment, 0, out, pos + StoreKeys.VALUE_HEADER_LENGTH, fragment.length);
      pos += valueLength;
    }
    p.recordStart[p.traces] = pos;
    if (pos != size) {
      throw new IllegalStateException("batch size pass and write pass disagree: " + size + " vs " + pos);
    }
    p.records = out;
    return p;
  }

  /**
   * For groups 1..groups-1, their place (from 1) in the key order of their trace ids: unsigned,
   * high word first, as RocksDB compares the big-endian bytes. Group 0 (invalid ids) stays 0. A
   * bottom-up merge sort over int indices: no boxing, no comparator object per request.
   */
  static int[] idOrderRanks(long[] high, long[] low, int groups) {
    int m = groups - 1;
    int[] order = new int[m];
    for (int k = 0; k < m; k++) {
      order[k] = k + 1;
    }
    int[] spare = new int[m];
    for (int width = 1; width < m; width <<= 1) {
      for (int from = 0; from < m; from += width << 1) {
        int mid = Math.min(from + width, m);
        int to = Math.min(from + (width << 1), m);
        int i = from;
        int j = mid;
        int k = from;
        while (i < mid && j < to) {
          spare[k++] = idBefore(high, low, order[j], order[i]) ? order[j++] : order[i++];
        }
        while (i < mid) {
          spare[k++] = order[i++];
        }
        while (j < to) {
          spare[k++] = order[j++];
        }
      }
      int[] t = order;
      order = spare;
      spare = t;
    }
    int[] rank = new int[groups];
    for (int k = 0; k < m; k++) {
      rank[order[k]] = k + 1;
    }
    return rank;
  }

  private static boolean idBefore(long[] high, long[] low, int a, int b) {
    int c = Long.compareUnsigned(high[a], high[b]);
    return c < 0 || (c == 0 && Long.compareUnsigned(low[a], low[b]) < 0);
  }

  /** Trace t's fragment (the stored value without its header), copied out. */
  byte[] fragment(int t) {
    int from = valueOffset[t] + StoreKeys.VALUE_HEADER_LENGTH;
    return java.util.Arrays.copyOfRange(records, from, valueOffset[t] + valueLength[t]);
  }

  /** Bytes of the records, batch header space excluded. */
  int recordBytes() {
    return recordStart[traces] - StoreBatch.HEADER_LENGTH;
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

  int fragmentLength(int t) {
    return valueLength[t] - StoreKeys.VALUE_HEADER_LENGTH;
  }
}

package io.tailshard.sampling.store;

/**
 * Byte layout of every key and value the store writes. Keys are compared by RocksDB's default
 * bytewise comparator, so all numbers are big-endian and non-negative: bytewise order is then
 * numeric order.
 *
 * <pre>
 * spans CF      key   = window(8) | seq(8) | trace_id(16)                    32 bytes
 *               value = format(1) = 1 | arrival_millis(8) | ExportTraceServiceRequest fragment
 * decisions CF  key   = kind(1) ('S' sampled, 'N' not sampled) | seq(8)       9 bytes
 *               value = trace_id(16) | decided_at_millis(8)                   24 bytes
 * default CF    key   = "meta.format" | "meta.window_granularity_ms" -> 8-byte big-endian number
 * </pre>
 *
 * <p>Window first: a window's traces are contiguous, so dropping a decided window is one range
 * delete {@code [window, window + 1)} and recovery reads windows oldest first. Seq second (a
 * store-wide counter of written requests; a request holds one value per trace, so the key stays
 * unique): within a window, every new key sorts after every key written before it, so
 * RocksDB's memtable inserts land at the end of one of the few live windows instead of at a random
 * place in a large skip list (format 1 put the trace id second; the random inserts were the largest
 * CPU cost of the sampling tier). Trace id last: recovery learns each value's trace from its key.
 * A trace's fragments are no longer adjacent: its summary keeps their seqs ({@link SummarySlab}),
 * and read-back is point lookups of {@code window | seq | trace_id}.
 */
final class StoreKeys {
  static final int WINDOW_LENGTH = 8;
  static final int TRACE_ID_LENGTH = 16;
  static final int SEQ_LENGTH = 8;
  static final int SEQ_OFFSET = WINDOW_LENGTH;
  static final int TRACE_ID_OFFSET = WINDOW_LENGTH + SEQ_LENGTH;
  static final int SPAN_KEY_LENGTH = WINDOW_LENGTH + SEQ_LENGTH + TRACE_ID_LENGTH;

  /** Version of the value layout; a reader that meets another version refuses to guess. */
  static final byte VALUE_FORMAT = 1;
  static final int VALUE_HEADER_LENGTH = 1 + 8;

  static final byte KIND_SAMPLED = 'S';
  static final byte KIND_NOT_SAMPLED = 'N';
  static final int DECISION_KEY_LENGTH = 1 + 8;
  static final int DECISION_VALUE_LENGTH = TRACE_ID_LENGTH + 8;

  static final byte[] META_FORMAT = ascii("meta.format");
  static final byte[] META_WINDOW_GRANULARITY = ascii("meta.window_granularity_ms");
  /**
   * On-disk format of the whole store; bumped when any layout above changes incompatibly. 2: span
   * keys are {@code window | seq | trace_id} (1 was {@code window | trace_id | seq}).
   */
  static final long STORE_FORMAT = 2;

  private StoreKeys() {}

  static byte[] spanKey(long window, long traceHigh, long traceLow, long seq) {
    byte[] k = new byte[SPAN_KEY_LENGTH];
    putLong(k, 0, window);
    putLong(k, SEQ_OFFSET, seq);
    putLong(k, TRACE_ID_OFFSET, traceHigh);
    putLong(k, TRACE_ID_OFFSET + 8, traceLow);
    return k;
  }

  /** The smallest key of {@code window}; {@code windowStart(w + 1)} is the exclusive end of w. */
  static byte[] windowStart(long window) {
    byte[] k = new byte[WINDOW_LENGTH];
    putLong(k, 0, window);
    return k;
  }

  static long window(byte[] spanKey) {
    return getLong(spanKey, 0);
  }

  static long traceHigh(byte[] spanKey) {
    return getLong(spanKey, TRACE_ID_OFFSET);
  }

  static long traceLow(byte[] spanKey) {
    return getLong(spanKey, TRACE_ID_OFFSET + 8);
  }

  static long seq(byte[] spanKey) {
    return getLong(spanKey, SEQ_OFFSET);
  }

  static long arrivalMillis(byte[] spanValue) {
    return getLong(spanValue, 1);
  }

  static byte[] decisionKey(byte kind, long seq) {
    byte[] k = new byte[DECISION_KEY_LENGTH];
    k[0] = kind;
    putLong(k, 1, seq);
    return k;
  }

  static byte[] decisionValue(long traceHigh, long traceLow, long decidedAtMillis) {
    byte[] v = new byte[DECISION_VALUE_LENGTH];
    putLong(v, 0, traceHigh);
    putLong(v, 8, traceLow);
    putLong(v, 16, decidedAtMillis);
    return v;
  }

  static byte[] longValue(long v) {
    byte[] b = new byte[8];
    putLong(b, 0, v);
    return b;
  }

  static void putLong(byte[] b, int off, long v) {
    for (int i = 7; i >= 0; i--) {
      b[off + i] = (byte) v;
      v >>>= 8;
    }
  }

  static long getLong(byte[] b, int off) {
    long v = 0;
    for (int i = 0; i < 8; i++) {
      v = (v << 8) | (b[off + i] & 0xFF);
    }
    return v;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }
}

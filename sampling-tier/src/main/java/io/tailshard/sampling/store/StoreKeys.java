package io.tailshard.sampling.store;

/**
 * Byte layout of every key and value the store writes. Keys are compared by RocksDB's default
 * bytewise comparator, so all numbers are big-endian and non-negative: bytewise order is then
 * numeric order.
 *
 * <pre>
 * spans CF      key   = window(8) | trace_id(16) | seq(8)                    32 bytes
 *               value = format(1) = 1 | arrival_millis(8) | ExportTraceServiceRequest fragment
 * decisions CF  key   = kind(1) ('S' sampled, 'N' not sampled) | seq(8)       9 bytes
 *               value = trace_id(16) | decided_at_millis(8)                   24 bytes
 * default CF    key   = "meta.format" | "meta.window_granularity_ms" -> 8-byte big-endian number
 * </pre>
 *
 * <p>Window first: a window's traces are contiguous, so dropping a decided window is one range
 * delete {@code [window, window + 1)} and recovery reads windows oldest first. Trace id second: a
 * trace's fragments are contiguous inside its window, so read-back is one seek to the 24-byte
 * {@code window | trace_id} prefix. Seq last: a store-wide counter that makes every key unique and
 * keeps a trace's fragments in arrival order.
 */
final class StoreKeys {
  static final int WINDOW_LENGTH = 8;
  static final int TRACE_ID_LENGTH = 16;
  static final int SEQ_LENGTH = 8;
  /** {@code window | trace_id}: the prefix of every fragment of one trace; the bloom filter's key. */
  static final int TRACE_PREFIX_LENGTH = WINDOW_LENGTH + TRACE_ID_LENGTH;
  static final int SPAN_KEY_LENGTH = TRACE_PREFIX_LENGTH + SEQ_LENGTH;

  /** Version of the value layout; a reader that meets another version refuses to guess. */
  static final byte VALUE_FORMAT = 1;
  static final int VALUE_HEADER_LENGTH = 1 + 8;

  static final byte KIND_SAMPLED = 'S';
  static final byte KIND_NOT_SAMPLED = 'N';
  static final int DECISION_KEY_LENGTH = 1 + 8;
  static final int DECISION_VALUE_LENGTH = TRACE_ID_LENGTH + 8;

  static final byte[] META_FORMAT = ascii("meta.format");
  static final byte[] META_WINDOW_GRANULARITY = ascii("meta.window_granularity_ms");
  /** On-disk format of the whole store; bumped when any layout above changes incompatibly. */
  static final long STORE_FORMAT = 1;

  private StoreKeys() {}

  static byte[] spanKey(long window, long traceHigh, long traceLow, long seq) {
    byte[] k = new byte[SPAN_KEY_LENGTH];
    putLong(k, 0, window);
    putLong(k, 8, traceHigh);
    putLong(k, 16, traceLow);
    putLong(k, 24, seq);
    return k;
  }

  /** The smallest key of {@code window}; {@code windowStart(w + 1)} is the exclusive end of w. */
  static byte[] windowStart(long window) {
    byte[] k = new byte[WINDOW_LENGTH];
    putLong(k, 0, window);
    return k;
  }

  static byte[] tracePrefix(long window, long traceHigh, long traceLow) {
    byte[] k = new byte[TRACE_PREFIX_LENGTH];
    putLong(k, 0, window);
    putLong(k, 8, traceHigh);
    putLong(k, 16, traceLow);
    return k;
  }

  /** The first 24-byte prefix after {@code prefix}: the exclusive upper bound of one trace's keys. */
  static byte[] prefixSuccessor(byte[] prefix) {
    byte[] k = prefix.clone();
    for (int i = k.length - 1; i >= 0; i--) {
      if (++k[i] != 0) {
        return k;
      }
    }
    throw new IllegalArgumentException("no successor of an all-0xFF prefix");
  }

  static long window(byte[] spanKey) {
    return getLong(spanKey, 0);
  }

  static long traceHigh(byte[] spanKey) {
    return getLong(spanKey, 8);
  }

  static long traceLow(byte[] spanKey) {
    return getLong(spanKey, 16);
  }

  static long seq(byte[] spanKey) {
    return getLong(spanKey, 24);
  }

  /** The value header and fragment in one array, written once on the caller's thread. */
  static byte[] spanValue(long arrivalMillis, byte[] fragment) {
    byte[] v = new byte[VALUE_HEADER_LENGTH + fragment.length];
    v[0] = VALUE_FORMAT;
    putLong(v, 1, arrivalMillis);
    System.arraycopy(fragment, 0, v, VALUE_HEADER_LENGTH, fragment.length);
    return v;
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

package io.tailshard.sampling.connector.spanmetrics;

import java.util.Arrays;

/**
 * The series of one metric family (calls and duration share one set; events have their own): a
 * {@link SeriesTable} from key bytes to a dense series index, and per index the resource group,
 * the call count, when it was last seen, when it started, and optionally its histogram and
 * exemplars. Applies the cardinality limit per resource group: once a group has {@code limit}
 * series, spans of new series count in that group's one overflow series.
 *
 * <p>Key layout: the first 4 bytes are the group id (little-endian); an overflow series' key is the
 * group id followed by {@link #OVERFLOW_MARK}, 5 bytes, shorter than any other key. Not thread-safe.
 */
final class SeriesSet {
  static final byte OVERFLOW_MARK = (byte) 0xFF;
  static final int OVERFLOW_KEY_LENGTH = 5;

  final SeriesTable table;
  final ExplicitBuckets explicit;
  final ExponentialBuckets exponential;
  final Exemplars exemplars;
  private final int limit;
  private final byte[] overflowKey = new byte[OVERFLOW_KEY_LENGTH];

  private int[] group;
  private long[] calls;
  private long[] lastSeenNanos;
  private long[] startNanos;
  private int[] perGroup = new int[16];
  private long overflowedSpans;

  SeriesSet(int capacity, int limit, ExplicitBuckets explicit, ExponentialBuckets exponential, Exemplars exemplars) {
    this.table = new SeriesTable(capacity);
    this.limit = limit;
    this.explicit = explicit;
    this.exponential = exponential;
    this.exemplars = exemplars;
    int c = table.capacity();
    group = new int[c];
    calls = new long[c];
    lastSeenNanos = new long[c];
    startNanos = new long[c];
    overflowKey[4] = OVERFLOW_MARK;
  }

  int size() {
    return table.size();
  }

  /**
   * The series for {@code key} of group {@code g}, created when new (or the group's overflow series
   * once the group is at the limit). Allocates only when the arrays grow.
   */
  int series(byte[] key, int len, long hash, int g, long nowNanos) {
    int s = table.find(key, 0, len, hash);
    if (s >= 0) {
      return s;
    }
    if (limit > 0 && groupCount(g) >= limit) {
      writeInt(overflowKey, 0, g);
      long h = SeriesTable.hash(overflowKey, 0, OVERFLOW_KEY_LENGTH);
      s = table.find(overflowKey, 0, OVERFLOW_KEY_LENGTH, h);
      if (s < 0) {
        s = add(overflowKey, OVERFLOW_KEY_LENGTH, h, g, nowNanos);
      }
      overflowedSpans++;
      return s;
    }
    s = add(key, len, hash, g, nowNanos);
    perGroup[g]++;
    return s;
  }

  /** The existing series for {@code key}, or -1; creates nothing. */
  int find(byte[] key, int len, long hash) {
    return table.find(key, 0, len, hash);
  }

  private int add(byte[] key, int len, long hash, int g, long nowNanos) {
    int s = table.insert(key, 0, len, hash);
    int c = table.capacity();
    if (group.length < c) {
      group = Arrays.copyOf(group, c);
      calls = Arrays.copyOf(calls, c);
      lastSeenNanos = Arrays.copyOf(lastSeenNanos, c);
      startNanos = Arrays.copyOf(startNanos, c);
      if (explicit != null) {
        explicit.ensure(c);
      }
      if (exponential != null) {
        exponential.ensure(c);
      }
      if (exemplars != null) {
        exemplars.ensure(c);
      }
    }
    group[s] = g;
    calls[s] = 0;
    lastSeenNanos[s] = nowNanos;
    startNanos[s] = nowNanos;
    if (explicit != null) {
      explicit.clear(s);
    }
    if (exponential != null) {
      exponential.clear(s);
    }
    if (exemplars != null) {
      exemplars.clear(s);
    }
    return s;
  }

  /** Counts one call of series {@code s} with {@code value} in the histogram's unit. */
  void record(int s, double value, long nowNanos) {
    calls[s]++;
    lastSeenNanos[s] = nowNanos;
    if (explicit != null) {
      explicit.record(s, value);
    } else if (exponential != null) {
      exponential.record(s, value);
    }
  }

  boolean isOverflow(int s) {
    return table.keyLength(s) == OVERFLOW_KEY_LENGTH;
  }

  int group(int s) {
    return group[s];
  }

  long calls(int s) {
    return calls[s];
  }

  long lastSeenNanos(int s) {
    return lastSeenNanos[s];
  }

  long startNanos(int s) {
    return startNanos[s];
  }

  /** Spans counted in overflow series since creation (never reset), for self-metrics. */
  long overflowedSpans() {
    return overflowedSpans;
  }

  /** Starts a new delta interval for series {@code s}: counts to zero, start time {@code nowNanos}. */
  void resetCounts(int s, long nowNanos) {
    calls[s] = 0;
    startNanos[s] = nowNanos;
    if (explicit != null) {
      explicit.clear(s);
    }
    if (exponential != null) {
      exponential.clear(s);
    }
  }

  void remove(int s) {
    if (!isOverflow(s)) {
      perGroup[group[s]]--;
    }
    int moved = table.remove(s);
    if (moved < 0) {
      return;
    }
    group[s] = group[moved];
    calls[s] = calls[moved];
    lastSeenNanos[s] = lastSeenNanos[moved];
    startNanos[s] = startNanos[moved];
    if (explicit != null) {
      explicit.move(moved, s);
    }
    if (exponential != null) {
      exponential.move(moved, s);
    }
    if (exemplars != null) {
      exemplars.move(moved, s);
    }
  }

  /** Removes every series of group {@code g} (an evicted resource). */
  void removeGroup(int g) {
    for (int s = size() - 1; s >= 0; s--) {
      if (group[s] == g) {
        remove(s);
      }
    }
    if (g < perGroup.length) {
      perGroup[g] = 0;
    }
  }

  void clear() {
    table.clear();
    Arrays.fill(perGroup, 0);
  }

  int groupCount(int g) {
    if (g >= perGroup.length) {
      perGroup = Arrays.copyOf(perGroup, Math.max(g + 1, perGroup.length * 2));
    }
    return perGroup[g];
  }

  long footprintBytes() {
    long b = table.footprintBytes() + group.length * 28L;
    b += explicit == null ? 0 : explicit.footprintBytes();
    b += exponential == null ? 0 : exponential.footprintBytes();
    b += exemplars == null ? 0 : exemplars.footprintBytes();
    return b;
  }

  static void writeInt(byte[] b, int off, int v) {
    b[off] = (byte) v;
    b[off + 1] = (byte) (v >>> 8);
    b[off + 2] = (byte) (v >>> 16);
    b[off + 3] = (byte) (v >>> 24);
  }

  static int readInt(byte[] b, int off) {
    return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8 | (b[off + 2] & 0xFF) << 16 | (b[off + 3] & 0xFF) << 24;
  }
}

package io.tailshard.loadtest.sink;

/**
 * What the sink knows about one trace: the distinct span ids it received (an open-addressing set of
 * longs, allocated on the first span), how often spans came twice, and, once the ground truth
 * named the trace, how many spans it should have and whether it had an error. Guarded by the
 * {@link SpanLedger} lock.
 */
final class TraceRecord {
  /** Spans the generator had accepted; -1 until the truth line arrives. */
  int expected = -1;
  boolean truthError;
  int truthLate;
  int truthFailed;

  int distinct;
  int received;
  boolean sawError;
  long firstArrivalNanos;
  long lastArrivalNanos;
  int requests;
  long lastRequest = -1;
  /** One bit per connection (identity hash mod 64): enough to tell one connection from several. */
  long connections;

  private long[] ids;
  private int used;
  private boolean zeroId;

  /** Adds a span id; false when it was already there (a duplicate). */
  boolean addSpanId(long id) {
    if (id == 0) {
      // 0 marks free slots; an all-zero span id (invalid, but possible) is tracked apart.
      if (zeroId) {
        return false;
      }
      zeroId = true;
      return true;
    }
    if (ids == null) {
      ids = new long[8];
    } else if ((used + 1) * 4 > ids.length * 3) {
      grow();
    }
    int mask = ids.length - 1;
    int i = mix(id) & mask;
    while (ids[i] != 0) {
      if (ids[i] == id) {
        return false;
      }
      i = (i + 1) & mask;
    }
    ids[i] = id;
    used++;
    return true;
  }

  private void grow() {
    long[] old = ids;
    ids = new long[old.length * 2];
    int mask = ids.length - 1;
    for (long id : old) {
      if (id != 0) {
        int i = mix(id) & mask;
        while (ids[i] != 0) {
          i = (i + 1) & mask;
        }
        ids[i] = id;
      }
    }
  }

  private static int mix(long id) {
    long h = id * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }

  boolean hasTruth() {
    return expected >= 0;
  }

  boolean complete() {
    return expected >= 0 && distinct == expected;
  }

  @Override
  public String toString() {
    return "TraceRecord{expected=" + expected + ", distinct=" + distinct + ", received=" + received
        + ", requests=" + requests + "}";
  }
}

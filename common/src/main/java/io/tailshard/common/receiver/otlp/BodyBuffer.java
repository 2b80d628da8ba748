package io.tailshard.common.receiver.otlp;

import io.vertx.core.buffer.Buffer;

/**
 * A request body being assembled in one array, within a size limit and within the receiver's
 * in-flight byte budget. Sized up front from what the request announces (Content-Length, the gzip
 * trailer) so that the body is normally copied into the array once; it grows by doubling only
 * when the announcement was missing or wrong, and never past {@code limit + 1} bytes: one byte
 * more than allowed is how "too large" is seen without allocating for it.
 *
 * <p>Not thread-safe: owned by the request's event loop.
 */
final class BodyBuffer {
  private static final int MIN_CAPACITY = 256;
  private static final int DEFAULT_CAPACITY = 16 * 1024;

  private final long limit;
  private final InFlightLimiter.Lease lease;
  private final String what;
  private byte[] buf;
  private int len;

  /**
   * @param expected the announced size, or a negative number when unknown
   * @param limit the most bytes allowed
   * @param what the body's name in messages ("request body", "gRPC message")
   */
  BodyBuffer(long expected, long limit, InFlightLimiter.Lease lease, String what) throws Rejection {
    this.limit = limit;
    this.lease = lease;
    this.what = what;
    if (expected > limit) {
      throw tooLarge(expected);
    }
    long cap = expected < 0 ? Math.min(DEFAULT_CAPACITY, limit + 1) : Math.max(expected, Math.min(MIN_CAPACITY, limit + 1));
    allocate((int) cap);
  }

  byte[] array() {
    return buf;
  }

  int length() {
    return len;
  }

  /** Drops the array and gives its bytes back to the budget (the body was decoded into another). */
  void release() {
    if (buf != null) {
      lease.release(buf.length);
      buf = null;
    }
  }

  /** Free space in the array. */
  int room() {
    return buf.length - len;
  }

  /** Appends a received chunk. */
  void append(Buffer chunk) throws Rejection {
    int n = chunk.length();
    ensureRoom(n);
    chunk.getBytes(0, n, buf, len);
    len += n;
  }

  /** Marks {@code n} bytes written directly into {@link #array()} at {@link #length()}. */
  void advance(int n) throws Rejection {
    len += n;
    if (len > limit) {
      throw tooLarge(len);
    }
  }

  /**
   * Makes room for at least one more byte (for a decompressor that writes as much as fits): grows
   * when full, fails when the body is already at its limit.
   */
  void ensureSomeRoom() throws Rejection {
    if (room() == 0) {
      ensureRoom(1);
    }
  }

  /** Makes room for {@code n} more bytes, or fails with too-large / overloaded. */
  void ensureRoom(int n) throws Rejection {
    long need = (long) len + n;
    if (need > limit) {
      throw tooLarge(need);
    }
    if (need <= buf.length) {
      return;
    }
    long cap = Math.min(Math.max(need, (long) buf.length * 2), limit + 1);
    byte[] old = buf;
    allocate((int) cap);
    System.arraycopy(old, 0, buf, 0, len);
    lease.release(old.length);
  }

  private void allocate(int cap) throws Rejection {
    if (!lease.reserve(cap)) {
      throw new Rejection(Outcome.OVERLOADED, "receiver is at its in-flight byte limit; retry later");
    }
    buf = new byte[cap];
  }

  private Rejection tooLarge(long size) {
    return new Rejection(Outcome.TOO_LARGE, what + " is larger than the limit of " + limit + " bytes" + (size > limit + 1 ? " (" + size + " bytes)" : ""));
  }
}

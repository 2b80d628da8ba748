package io.tailshard.common.receiver.otlp;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Bounds what the receiver holds at once across all its event loops: requests between arrival and
 * the pipeline's answer, and the body bytes they keep (raw and decompressed). A limit of 0 is
 * off. Whatever the byte limit, a request is admitted when nothing else holds bytes, so one
 * request of any allowed size can always get through. Thread-safe (atomics; no locks).
 */
final class InFlightLimiter {
  private final int maxRequests;
  private final long maxBytes;
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicLong bytes = new AtomicLong();

  InFlightLimiter(int maxRequests, long maxBytes) {
    this.maxRequests = maxRequests;
    this.maxBytes = maxBytes;
  }

  /** A new lease, holding nothing yet. */
  Lease lease() {
    return new Lease();
  }

  long bytesInFlight() {
    return bytes.get();
  }

  private boolean tryAcquireRequest() {
    if (maxRequests == 0) {
      requests.incrementAndGet();
      return true;
    }
    while (true) {
      int n = requests.get();
      if (n >= maxRequests) {
        return false;
      }
      if (requests.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  private boolean tryAcquireBytes(long n) {
    if (maxBytes == 0) {
      bytes.addAndGet(n);
      return true;
    }
    while (true) {
      long held = bytes.get();
      if (held != 0 && held + n > maxBytes) {
        return false;
      }
      if (bytes.compareAndSet(held, held + n)) {
        return true;
      }
    }
  }

  /**
   * What one request holds. Used by the request's event loop while the body is read; closed once,
   * possibly from the thread that completes the pipeline's future (the close happens after the
   * last reservation, ordered by that future).
   */
  final class Lease {
    private boolean request;
    private long held;
    private boolean closed;

    private Lease() {}

    /** Takes a request slot; false when the receiver is at its request limit. */
    boolean acquireRequest() {
      request = tryAcquireRequest();
      return request;
    }

    /** Reserves {@code n} more bytes; false when that would go over the byte limit. */
    boolean reserve(long n) {
      if (n <= 0) {
        return true;
      }
      if (closed || !tryAcquireBytes(n)) {
        return false;
      }
      held += n;
      return true;
    }

    /** Gives back {@code n} of the bytes held (a buffer no longer needed). */
    void release(long n) {
      long r = Math.min(n, held);
      if (r > 0) {
        held -= r;
        bytes.addAndGet(-r);
      }
    }

    /** Gives everything back. Idempotent. */
    void close() {
      if (closed) {
        return;
      }
      closed = true;
      if (request) {
        requests.decrementAndGet();
        request = false;
      }
      release(held);
    }
  }
}

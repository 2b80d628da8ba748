package io.tailshard.loadtest.generate;

import io.tailshard.loadtest.truth.TraceId;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One generated trace: the shape and timing of its spans (columns indexed by span), and which of
 * them the receiver accepted. The planner thread fills it and reads it; event-loop threads mark
 * spans accepted and count down {@link #resolveOne}, which publishes their writes to the planner
 * when it sees the count reach zero.
 */
final class TracePlan {
  static final int KIND_INTERNAL = 1;
  static final int KIND_SERVER = 2;
  static final int KIND_CLIENT = 3;

  final TraceId id;
  final int spanCount;
  final int[] service;
  final int[] operation;
  final int[] kind;
  final int[] parent;
  final int[] variant;
  final long[] spanId;
  /** Start and end relative to the trace's start, in nanoseconds. */
  final long[] startOffset;
  final long[] endOffset;
  /** Emission offset from admission, in nanoseconds. */
  final long[] emitOffset;
  final boolean[] late;
  final int errorSpan;

  /** Wall-clock start of the root span, set at admission. */
  long startUnixNano;

  private final boolean[] accepted;
  private final AtomicInteger unresolved;

  TracePlan(TraceId id, int[] service, int[] operation, int[] kind, int[] parent, int[] variant, long[] spanId,
      long[] startOffset, long[] endOffset, long[] emitOffset, boolean[] late, int errorSpan) {
    this.id = id;
    this.spanCount = service.length;
    this.service = service;
    this.operation = operation;
    this.kind = kind;
    this.parent = parent;
    this.variant = variant;
    this.spanId = spanId;
    this.startOffset = startOffset;
    this.endOffset = endOffset;
    this.emitOffset = emitOffset;
    this.late = late;
    this.errorSpan = errorSpan;
    this.accepted = new boolean[spanCount];
    this.unresolved = new AtomicInteger(spanCount);
  }

  long startNanos(int i) {
    return startUnixNano + startOffset[i];
  }

  long endNanos(int i) {
    return startUnixNano + endOffset[i];
  }

  boolean error(int i) {
    return i == errorSpan;
  }

  /** Marks span {@code i} accepted (any thread), before its {@link #resolveOne}. */
  void accept(int i) {
    accepted[i] = true;
  }

  /** Counts one span answered; true for the call that answers the trace's last span. */
  boolean resolveOne() {
    return unresolved.decrementAndGet() == 0;
  }

  /** Valid on the planner once {@link #resolveOne} returned true (or after a forced stop). */
  boolean accepted(int i) {
    return accepted[i];
  }
}

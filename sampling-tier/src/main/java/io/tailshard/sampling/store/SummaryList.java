package io.tailshard.sampling.store;

/**
 * An intrusive doubly linked list of trace summaries through {@link TraceSummary#prev} and
 * {@link TraceSummary#next}: the one list mechanics behind a window's due list and the
 * {@link RootDueList}. A summary is on at most one list at a time, so the links cost nothing per
 * list and moving a trace allocates nothing. Writer thread only.
 */
final class SummaryList {
  TraceSummary head;
  TraceSummary tail;

  /** Inserts {@code s}, which is on no list, after {@code after}, or first when it is null. */
  void insertAfter(TraceSummary after, TraceSummary s) {
    s.prev = after;
    s.next = after == null ? head : after.next;
    if (s.next == null) {
      tail = s;
    } else {
      s.next.prev = s;
    }
    if (after == null) {
      head = s;
    } else {
      after.next = s;
    }
  }

  void append(TraceSummary s) {
    insertAfter(tail, s);
  }

  /** Removes {@code s}, which the caller knows is on this list, and clears its links. */
  void remove(TraceSummary s) {
    if (s.prev == null) {
      head = s.next;
    } else {
      s.prev.next = s.next;
    }
    if (s.next == null) {
      tail = s.prev;
    } else {
      s.next.prev = s.prev;
    }
    s.prev = null;
    s.next = null;
  }
}

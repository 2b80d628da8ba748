package io.tailshard.sampling.store;

/**
 * Live traces that {@code decision_wait_after_root_received} made due before their window's
 * first-seen order would: their root span arrived, so they are due at root arrival +
 * {@code decision_wait_after_root_received} instead of first seen + {@code decision_wait}.
 * Ordered by {@link TraceSummary#dueMillis()}, ties in insertion order.
 *
 * <p>An intrusive list through the same {@link TraceSummary#prev} and {@link TraceSummary#next} as
 * the windows' due lists: a trace is on this list or on its window's, never both (its
 * {@link TraceSummary#onRootDueList()} flag says which), so moving a trace here allocates nothing
 * and costs no memory per trace. Due times are arrival + a constant and appends reach the writer
 * in nearly arrival order, so an insert walks back from the tail a step or two at most.
 *
 * <p>Writer thread only.
 */
final class RootDueList {
  private final SummaryList list = new SummaryList();
  private int size;

  /** Inserts {@code s}, which is on no list, in due order after every trace due at the same time. */
  void insert(TraceSummary s) {
    TraceSummary after = list.tail;
    while (after != null && after.dueMillis() > s.dueMillis()) {
      after = after.prev;
    }
    list.insertAfter(after, s);
    s.onRootDueList(true);
    size++;
  }

  /** The trace due first, or null. */
  TraceSummary head() {
    return list.head;
  }

  /** Removes {@code s} if it is on this list (a trace handed out or decided). */
  void unlink(TraceSummary s) {
    if (!s.onRootDueList()) {
      return;
    }
    list.remove(s);
    s.onRootDueList(false);
    size--;
  }

  int size() {
    return size;
  }
}

package io.tailshard.sampling.store;

import static io.tailshard.sampling.store.SummarySlab.NONE;

/**
 * Live traces that {@code decision_wait_after_root_received} made due before their window's
 * first-seen order would: their root span arrived, so they are due at root arrival +
 * {@code decision_wait_after_root_received} instead of first seen + {@code decision_wait}.
 * Ordered by {@link SummarySlab#dueMillis}, ties in insertion order.
 *
 * <p>An intrusive list through the same slab links as the windows' due lists: a trace is on this
 * list or on its window's, never both (its {@link SummarySlab#onRootDueList} flag says which), so
 * moving a trace here allocates nothing and costs no memory per trace. Due times are arrival + a
 * constant and appends reach the writer in nearly arrival order, so an insert walks back from the
 * tail a step or two at most.
 *
 * <p>Writer thread only.
 */
final class RootDueList {
  private final SummarySlab slab;
  private final SummaryList list;
  private int size;

  RootDueList(SummarySlab slab) {
    this.slab = slab;
    this.list = new SummaryList(slab);
  }

  /** Inserts {@code s}, which is on no list, in due order after every trace due at the same time. */
  void insert(int s) {
    int after = list.tail;
    long due = slab.dueMillis(s);
    while (after != NONE && slab.dueMillis(after) > due) {
      after = slab.prev(after);
    }
    list.insertAfter(after, s);
    slab.onRootDueList(s, true);
    size++;
  }

  /** The trace due first, or NONE. */
  int head() {
    return list.head;
  }

  /** Removes {@code s} if it is on this list (a trace handed out or decided). */
  void unlink(int s) {
    if (!slab.onRootDueList(s)) {
      return;
    }
    list.remove(s);
    slab.onRootDueList(s, false);
    size--;
  }

  int size() {
    return size;
  }
}

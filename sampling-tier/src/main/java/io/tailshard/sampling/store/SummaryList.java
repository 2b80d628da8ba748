package io.tailshard.sampling.store;

import static io.tailshard.sampling.store.SummarySlab.NONE;

/**
 * An intrusive doubly linked list of live traces through the {@link SummarySlab}'s prev and next
 * links: the one list mechanics behind a window's due list and the {@link RootDueList}. A trace is
 * on at most one list at a time, so the links cost nothing per list and moving a trace allocates
 * nothing. Writer thread only.
 */
final class SummaryList {
  private final SummarySlab slab;
  int head = NONE;
  int tail = NONE;

  SummaryList(SummarySlab slab) {
    this.slab = slab;
  }

  /** Inserts {@code s}, which is on no list, after {@code after}, or first when it is NONE. */
  void insertAfter(int after, int s) {
    int next = after == NONE ? head : slab.next(after);
    slab.prev(s, after);
    slab.next(s, next);
    if (next == NONE) {
      tail = s;
    } else {
      slab.prev(next, s);
    }
    if (after == NONE) {
      head = s;
    } else {
      slab.next(after, s);
    }
  }

  void append(int s) {
    insertAfter(tail, s);
  }

  /** Removes {@code s}, which the caller knows is on this list, and clears its links. */
  void remove(int s) {
    int prev = slab.prev(s);
    int next = slab.next(s);
    if (prev == NONE) {
      head = next;
    } else {
      slab.next(prev, next);
    }
    if (next == NONE) {
      tail = prev;
    } else {
      slab.prev(next, prev);
    }
    slab.prev(s, NONE);
    slab.next(s, NONE);
  }
}

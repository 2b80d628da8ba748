package io.tailshard.sampling.store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One time window of the spans column family: the traces first seen in it, in first-seen order
 * as a due list (an intrusive list through the {@link SummarySlab}'s links; a trace whose root span made it due
 * earlier waits on the {@link RootDueList} instead), how many of them are still undecided, and the
 * bytes its keys and values take. Writer thread only.
 */
final class Window {
  final long id;
  /**
   * The seq of the first request that wrote into this window (after recovery: its smallest stored
   * seq). Every fragment stored under the window has this seq or a later one, so summaries keep
   * their first fragment's seq as a small offset from it ({@link SummarySlab}).
   */
  final long baseSeq;
  /** Undecided traces whose window this is, handed out or not. At 0 the window can be dropped. */
  int undecided;
  /** Key and value bytes stored under the window, decided traces' included until the range delete. */
  long bytes;
  private final SummarySlab slab;
  private final SummaryList due;

  Window(long id, long baseSeq, SummarySlab slab) {
    this.id = id;
    this.baseSeq = baseSeq;
    this.slab = slab;
    this.due = new SummaryList(slab);
  }

  void enqueue(int s) {
    due.append(s);
  }

  /** The trace of this window's due list due first, or {@link SummarySlab#NONE}. */
  int head() {
    return due.head;
  }

  /**
   * True when {@code s}, a trace of this window that is not on the {@link RootDueList}, still waits
   * on this window's due list (it was neither handed out nor decided).
   */
  boolean holds(int s) {
    return slab.prev(s) != SummarySlab.NONE || due.head == s;
  }

  /** Removes {@code s} from the due list if it is on it (a trace decided before it was due). */
  void unlink(int s) {
    if (holds(s)) {
      due.remove(s);
    }
  }

  /**
   * Restores first-seen order after recovery, which meets a window's traces in key order: the seq
   * of their first stored fragment. Seqs are given on the writer thread, arrival times on the event
   * loops before it, so the two orders can differ by a few milliseconds between requests.
   */
  void sortByFirstSeen() {
    List<Integer> all = new ArrayList<>();
    for (int s = due.head; s != SummarySlab.NONE; s = slab.next(s)) {
      all.add(s);
    }
    all.sort(Comparator.comparingLong(slab::firstSeenMillis));
    for (int s : all) {
      due.remove(s);
    }
    for (int s : all) {
      enqueue(s);
    }
  }
}

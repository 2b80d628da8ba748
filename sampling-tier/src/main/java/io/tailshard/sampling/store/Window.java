package io.tailshard.sampling.store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One time window of the spans column family: the traces first seen in it, in first-seen order
 * as a due list (an intrusive list through {@link TraceSummary}; a trace whose root span made it due
 * earlier waits on the {@link RootDueList} instead), how many of them are still undecided, and the
 * bytes its keys and values take. Writer thread only.
 */
final class Window {
  final long id;
  /** Undecided traces whose window this is, handed out or not. At 0 the window can be dropped. */
  int undecided;
  /** Key and value bytes stored under the window, decided traces' included until the range delete. */
  long bytes;
  private TraceSummary head;
  private TraceSummary tail;

  Window(long id) {
    this.id = id;
  }

  void enqueue(TraceSummary s) {
    s.prev = tail;
    s.next = null;
    if (tail == null) {
      head = s;
    } else {
      tail.next = s;
    }
    tail = s;
  }

  TraceSummary head() {
    return head;
  }

  /**
   * True when {@code s}, a trace of this window that is not on the {@link RootDueList}, still waits
   * on this window's due list (it was neither handed out nor decided).
   */
  boolean holds(TraceSummary s) {
    return s.prev != null || head == s;
  }

  /** Removes {@code s} from the due list if it is on it (a trace decided before it was due). */
  void unlink(TraceSummary s) {
    if (s.prev == null && head != s) {
      return;
    }
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

  /**
   * Restores first-seen order after recovery, which meets a window's traces in key order: the seq
   * of their first stored fragment. Seqs are given on the writer thread, arrival times on the event
   * loops before it, so the two orders can differ by a few milliseconds between requests.
   */
  void sortByFirstSeen() {
    List<TraceSummary> all = new ArrayList<>();
    for (TraceSummary s = head; s != null; s = s.next) {
      all.add(s);
    }
    all.sort(Comparator.comparingLong(s -> s.firstSeenMillis));
    head = null;
    tail = null;
    for (TraceSummary s : all) {
      enqueue(s);
    }
  }
}

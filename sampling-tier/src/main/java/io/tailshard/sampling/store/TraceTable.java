package io.tailshard.sampling.store;

import java.util.function.Consumer;

/**
 * Live traces by id: an open-addressing hash table of {@link TraceSummary} references with linear
 * probing, keyed by the ids the summaries hold, so there is no key object and no entry object per
 * trace (4 to 8 bytes of table per trace against about 50 for a {@code HashMap} entry and boxed
 * key). Deletion shifts later entries back instead of leaving tombstones. Writer thread only.
 */
final class TraceTable {
  private static final int MIN_CAPACITY = 1024;
  /** Resize above 60% full: linear probing stays short while the array stays small. */
  private static final double MAX_LOAD = 0.6;

  private TraceSummary[] slots = new TraceSummary[MIN_CAPACITY];
  private int size;

  int size() {
    return size;
  }

  TraceSummary get(long high, long low) {
    int mask = slots.length - 1;
    for (int i = slot(high, low, mask); ; i = (i + 1) & mask) {
      TraceSummary s = slots[i];
      if (s == null || s.matches(high, low)) {
        return s;
      }
    }
  }

  /** Adds a summary whose id is not in the table. */
  void add(TraceSummary s) {
    if (size + 1 > slots.length * MAX_LOAD) {
      resize(slots.length * 2);
    }
    insert(slots, s);
    size++;
  }

  /** Removes the summary with this id; returns it, or null when absent. */
  TraceSummary remove(long high, long low) {
    int mask = slots.length - 1;
    int i = slot(high, low, mask);
    while (true) {
      TraceSummary s = slots[i];
      if (s == null) {
        return null;
      }
      if (s.matches(high, low)) {
        break;
      }
      i = (i + 1) & mask;
    }
    TraceSummary removed = slots[i];
    // Backward-shift deletion: move each later entry of the probe run into the hole when its home
    // slot does not lie cyclically between the hole and its current slot.
    int hole = i;
    for (int j = (i + 1) & mask; slots[j] != null; j = (j + 1) & mask) {
      int home = slot(slots[j].traceHigh, slots[j].traceLow, mask);
      boolean stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
      if (!stays) {
        slots[hole] = slots[j];
        hole = j;
      }
    }
    slots[hole] = null;
    size--;
    return removed;
  }

  /** Calls {@code action} for every live summary, in no particular order. */
  void forEach(Consumer<TraceSummary> action) {
    for (TraceSummary s : slots) {
      if (s != null) {
        action.accept(s);
      }
    }
  }

  private void resize(int capacity) {
    TraceSummary[] next = new TraceSummary[capacity];
    for (TraceSummary s : slots) {
      if (s != null) {
        insert(next, s);
      }
    }
    slots = next;
  }

  private static void insert(TraceSummary[] table, TraceSummary s) {
    int mask = table.length - 1;
    int i = slot(s.traceHigh, s.traceLow, mask);
    while (table[i] != null) {
      i = (i + 1) & mask;
    }
    table[i] = s;
  }

  /** Trace ids are usually random, but tests and some SDKs make sequential ones: mix anyway. */
  static int slot(long high, long low, int mask) {
    long h = high * 0x9E3779B97F4A7C15L ^ low;
    h ^= h >>> 33;
    h *= 0xFF51AFD7ED558CCDL;
    h ^= h >>> 33;
    return (int) h & mask;
  }
}

package io.tailshard.sampling.store;

import java.util.function.IntConsumer;

/**
 * Live traces by id: an open-addressing hash table of {@link SummarySlab} slots with linear
 * probing, keyed by the ids the slots hold, so there is no key object and no entry object per
 * trace (4 to 8 bytes of table per trace against about 50 for a {@code HashMap} entry and boxed
 * key). An entry is its slot + 1, so a new array is an empty table. Deletion shifts later entries
 * back instead of leaving tombstones. Writer thread only.
 */
final class TraceTable {
  private static final int MIN_CAPACITY = 1024;
  /** Resize above 60% full: linear probing stays short while the array stays small. */
  private static final double MAX_LOAD = 0.6;

  private final SummarySlab slab;
  private int[] entries = new int[MIN_CAPACITY];
  private int size;

  TraceTable(SummarySlab slab) {
    this.slab = slab;
  }

  int size() {
    return size;
  }

  /** The slot of the live trace with this id, or {@link SummarySlab#NONE}. */
  int get(long high, long low) {
    int mask = entries.length - 1;
    for (int i = slot(high, low, mask); ; i = (i + 1) & mask) {
      int e = entries[i];
      if (e == 0) {
        return SummarySlab.NONE;
      }
      if (slab.matches(e - 1, high, low)) {
        return e - 1;
      }
    }
  }

  /** Adds slot {@code s}, whose id is not in the table. */
  void add(int s) {
    if (size + 1 > entries.length * MAX_LOAD) {
      resize(entries.length * 2);
    }
    insert(entries, s);
    size++;
  }

  /** Removes the trace with this id; returns its slot, or {@link SummarySlab#NONE} when absent. */
  int remove(long high, long low) {
    int mask = entries.length - 1;
    int i = slot(high, low, mask);
    while (true) {
      int e = entries[i];
      if (e == 0) {
        return SummarySlab.NONE;
      }
      if (slab.matches(e - 1, high, low)) {
        break;
      }
      i = (i + 1) & mask;
    }
    int removed = entries[i] - 1;
    // Backward-shift deletion: move each later entry of the probe run into the hole when its home
    // slot does not lie cyclically between the hole and its current slot.
    int hole = i;
    for (int j = (i + 1) & mask; entries[j] != 0; j = (j + 1) & mask) {
      int s = entries[j] - 1;
      int home = slot(slab.traceHigh(s), slab.traceLow(s), mask);
      boolean stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
      if (!stays) {
        entries[hole] = entries[j];
        hole = j;
      }
    }
    entries[hole] = 0;
    size--;
    return removed;
  }

  /** Calls {@code action} for every live slot, in no particular order. */
  void forEach(IntConsumer action) {
    for (int e : entries) {
      if (e != 0) {
        action.accept(e - 1);
      }
    }
  }

  private void resize(int capacity) {
    int[] next = new int[capacity];
    for (int e : entries) {
      if (e != 0) {
        insert(next, e - 1);
      }
    }
    entries = next;
  }

  private void insert(int[] table, int s) {
    int mask = table.length - 1;
    int i = slot(slab.traceHigh(s), slab.traceLow(s), mask);
    while (table[i] != 0) {
      i = (i + 1) & mask;
    }
    table[i] = s + 1;
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

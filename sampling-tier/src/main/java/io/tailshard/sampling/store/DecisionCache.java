package io.tailshard.sampling.store;

import java.util.ArrayList;
import java.util.List;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * The bounded decision cache: the ids of recently decided traces, kept and dropped in two
 * separately sized FIFO rings (the Collector's {@code sampled_cache_size} and
 * {@code non_sampled_cache_size}), oldest evicted first. Every late-span lookup is answered from
 * memory: each ring is three primitive arrays plus an open-addressing index into them, 32 bytes per
 * id and no object per entry. The rings are persisted in the decisions column family (see
 * {@link StoreKeys}) so that late spans are routed after a restart too.
 *
 * <p>Writes are staged into the caller's {@link WriteBatch} and applied to memory by
 * {@link #commit()} only once the batch is durable, or forgotten by {@link #abort()}.
 * Writer thread only.
 */
final class DecisionCache {
  private final Ring sampled;
  private final Ring notSampled;
  private final List<Staged> staged = new ArrayList<>();

  DecisionCache(int sampledCapacity, int notSampledCapacity) {
    this.sampled = new Ring(StoreKeys.KIND_SAMPLED, sampledCapacity);
    this.notSampled = new Ring(StoreKeys.KIND_NOT_SAMPLED, notSampledCapacity);
  }

  /** The cached decision for a trace id, or null. Allocates only on a hit. */
  CachedDecision lookup(long high, long low) {
    int s = sampled.find(high, low);
    if (s >= 0) {
      return new CachedDecision(true, sampled.at[s]);
    }
    int n = notSampled.find(high, low);
    return n >= 0 ? new CachedDecision(false, notSampled.at[n]) : null;
  }

  boolean contains(long high, long low) {
    return sampled.find(high, low) >= 0 || notSampled.find(high, low) >= 0;
  }

  int size(boolean ofSampled) {
    return (ofSampled ? sampled : notSampled).size;
  }

  int capacity(boolean ofSampled) {
    return (ofSampled ? sampled : notSampled).capacity;
  }

  /** Stages one decision: its record goes into {@code batch}, memory changes at {@link #commit}. */
  void stage(long high, long low, boolean isSampled, long decidedAtMillis, WriteBatch batch, ColumnFamilyHandle cf)
      throws RocksDBException {
    Ring ring = isSampled ? sampled : notSampled;
    if (ring.capacity == 0) {
      return;
    }
    long seq = ring.stagedNextSeq++;
    batch.put(cf, StoreKeys.decisionKey(ring.kind, seq), StoreKeys.decisionValue(high, low, decidedAtMillis));
    staged.add(new Staged(ring, seq, high, low, decidedAtMillis));
  }

  /**
   * Adds to {@code batch} one range delete per ring for the records the staged decisions push out
   * of it, contiguous with the previous one so tombstones never overlap.
   */
  void stageEvictions(WriteBatch batch, ColumnFamilyHandle cf) throws RocksDBException {
    for (Ring ring : new Ring[] {sampled, notSampled}) {
      long keepFrom = ring.stagedNextSeq - ring.capacity;
      if (ring.capacity > 0 && keepFrom > ring.deletedBelow) {
        batch.deleteRange(cf, StoreKeys.decisionKey(ring.kind, ring.deletedBelow),
            StoreKeys.decisionKey(ring.kind, keepFrom));
        ring.stagedDeletedBelow = keepFrom;
      }
    }
  }

  /** The staged batch is durable: apply it to memory. */
  void commit() {
    for (Staged s : staged) {
      Ring other = s.ring == sampled ? notSampled : sampled;
      int o = other.find(s.high, s.low);
      if (o >= 0) {
        // A newer decision replaces an older one of the other kind; its record ages out on disk.
        other.clearSlot(o);
      }
      s.ring.put(s.seq, s.high, s.low, s.at);
    }
    staged.clear();
    for (Ring ring : new Ring[] {sampled, notSampled}) {
      ring.nextSeq = ring.stagedNextSeq;
      ring.deletedBelow = Math.max(ring.deletedBelow, ring.stagedDeletedBelow);
    }
  }

  /** The staged batch was not written: forget it. */
  void abort() {
    staged.clear();
    for (Ring ring : new Ring[] {sampled, notSampled}) {
      ring.stagedNextSeq = ring.nextSeq;
      ring.stagedDeletedBelow = ring.deletedBelow;
    }
  }

  /**
   * Recovery: one persisted record, in key order (so seq order per kind). Records beyond a ring's
   * capacity (it may have shrunk since they were written) push older ones out as in operation.
   */
  void load(byte kind, long seq, long high, long low, long decidedAtMillis) {
    Ring ring = kind == StoreKeys.KIND_SAMPLED ? sampled : notSampled;
    if (ring.capacity == 0) {
      return;
    }
    Ring other = ring == sampled ? notSampled : sampled;
    int o = other.find(high, low);
    if (o >= 0) {
      if (other.at[o] > decidedAtMillis) {
        return;
      }
      other.clearSlot(o);
    }
    ring.put(seq, high, low, decidedAtMillis);
    ring.nextSeq = Math.max(ring.nextSeq, seq + 1);
    ring.stagedNextSeq = ring.nextSeq;
  }

  /**
   * After recovery: records older than what the rings hold (a ring made smaller, or a ring turned
   * off) are deleted in {@code batch}, and a turned-off ring's records entirely.
   */
  void stageLoadCleanup(WriteBatch batch, ColumnFamilyHandle cf) throws RocksDBException {
    for (Ring ring : new Ring[] {sampled, notSampled}) {
      long keepFrom = ring.capacity == 0 ? Long.MAX_VALUE : Math.max(0, ring.nextSeq - ring.capacity);
      if (keepFrom > 0) {
        batch.deleteRange(cf, StoreKeys.decisionKey(ring.kind, 0), StoreKeys.decisionKey(ring.kind, keepFrom));
      }
      if (ring.capacity > 0) {
        ring.deletedBelow = keepFrom;
        ring.stagedDeletedBelow = keepFrom;
      }
    }
  }

  private record Staged(Ring ring, long seq, long high, long low, long at) {}

  /**
   * A FIFO of trace ids with capacity {@code c}: the entry of seq {@code n} lives in slot
   * {@code n % c}, so a new entry evicts exactly the one {@code c} decisions older. An empty slot
   * has id 0/0 (never a valid trace id). {@code index} maps an id to its slot: open addressing with
   * linear probing, values {@code slot + 1}, 0 for empty.
   */
  private static final class Ring {
    final byte kind;
    final int capacity;
    final long[] high;
    final long[] low;
    final long[] at;
    final int[] index;
    final int mask;
    int size;
    long nextSeq;
    long stagedNextSeq;
    /** Records of seq below this have been range-deleted on disk. */
    long deletedBelow;
    long stagedDeletedBelow;

    Ring(byte kind, int capacity) {
      this.kind = kind;
      this.capacity = capacity;
      this.high = new long[capacity];
      this.low = new long[capacity];
      this.at = new long[capacity];
      // At most half full: short probe runs.
      int tableSize = Integer.highestOneBit(Math.max(2, capacity) * 2 - 1) << 1;
      this.index = new int[capacity == 0 ? 1 : tableSize];
      this.mask = index.length - 1;
    }

    int find(long h, long l) {
      if (capacity == 0) {
        return -1;
      }
      for (int i = TraceTable.slot(h, l, mask); ; i = (i + 1) & mask) {
        int v = index[i];
        if (v == 0) {
          return -1;
        }
        int s = v - 1;
        if (high[s] == h && low[s] == l) {
          return s;
        }
      }
    }

    void put(long seq, long h, long l, long decidedAt) {
      int dup = find(h, l);
      if (dup >= 0) {
        clearSlot(dup);
      }
      int s = (int) Long.remainderUnsigned(seq, capacity);
      if (high[s] != 0 || low[s] != 0) {
        clearSlot(s);
      }
      high[s] = h;
      low[s] = l;
      at[s] = decidedAt;
      int i = TraceTable.slot(h, l, mask);
      while (index[i] != 0) {
        i = (i + 1) & mask;
      }
      index[i] = s + 1;
      size++;
    }

    void clearSlot(int s) {
      int i = TraceTable.slot(high[s], low[s], mask);
      while (index[i] != s + 1) {
        i = (i + 1) & mask;
      }
      // Backward-shift deletion, as in TraceTable.
      int hole = i;
      for (int j = (i + 1) & mask; index[j] != 0; j = (j + 1) & mask) {
        int o = index[j] - 1;
        int home = TraceTable.slot(high[o], low[o], mask);
        boolean stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j);
        if (!stays) {
          index[hole] = index[j];
          hole = j;
        }
      }
      index[hole] = 0;
      high[s] = 0;
      low[s] = 0;
      at[s] = 0;
      size--;
    }
  }
}

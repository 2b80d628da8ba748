package io.tailshard.sampling.connector.spanmetrics;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A map from key bytes to a dense index {@code 0 .. size()-1}, built for the per-span path: open
 * addressing with linear probing over primitive arrays, the full 64-bit hash kept per slot so that
 * key bytes are compared only when two hashes are equal, and every key's bytes copied once, at
 * insertion, into one growing byte arena. Nothing is allocated on lookup.
 *
 * <p>Removal moves the last index into the removed one (so indexes stay dense) and reports the
 * move, so that the owner can move its per-index arrays the same way. Not thread-safe.
 */
final class SeriesTable {
  private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long M = 0x9E3779B97F4A7C15L;

  private long[] slotHash;
  private int[] slotIndex;
  private int mask;

  private int size;
  private long[] hashes;
  private int[] keyOff;
  private int[] keyLen;
  private int[] slotOf;
  private byte[] arena;
  private int arenaUsed;
  private int arenaDead;

  SeriesTable(int initialCapacity) {
    int slots = Integer.highestOneBit(Math.max(16, initialCapacity * 2 - 1)) << 1;
    slotHash = new long[slots];
    slotIndex = new int[slots];
    mask = slots - 1;
    int dense = Math.max(8, initialCapacity);
    hashes = new long[dense];
    keyOff = new int[dense];
    keyLen = new int[dense];
    slotOf = new int[dense];
    arena = new byte[dense * 32];
  }

  /** A well-mixed 64-bit hash of {@code b[off, off+len)}, never 0 (0 marks an empty slot). */
  static long hash(byte[] b, int off, int len) {
    long h = M ^ len;
    int i = off;
    int end = off + len;
    for (; i + 8 <= end; i += 8) {
      h = Long.rotateLeft((h ^ (long) LONG_LE.get(b, i)) * M, 31);
    }
    long tail = 0;
    for (int shift = 0; i < end; i++, shift += 8) {
      tail |= (b[i] & 0xFFL) << shift;
    }
    h = (h ^ tail) * M;
    h ^= h >>> 29;
    h *= 0xBF58476D1CE4E5B9L;
    h ^= h >>> 32;
    return h == 0 ? 1 : h;
  }

  int size() {
    return size;
  }

  /** Room for this many indexes without growing the dense arrays. */
  int capacity() {
    return hashes.length;
  }

  /** The index of the key, or -1. */
  int find(byte[] key, int off, int len, long hash) {
    int i = (int) hash & mask;
    while (true) {
      long h = slotHash[i];
      if (h == 0) {
        return -1;
      }
      if (h == hash) {
        int s = slotIndex[i];
        if (keyLen[s] == len && Arrays.equals(arena, keyOff[s], keyOff[s] + len, key, off, off + len)) {
          return s;
        }
      }
      i = (i + 1) & mask;
    }
  }

  /** Adds a key known to be absent and returns its index ({@code size()-1} after the call). */
  int insert(byte[] key, int off, int len, long hash) {
    if ((size + 1) * 2 > slotHash.length) {
      rehash(slotHash.length << 1);
    }
    int s = size;
    if (s == hashes.length) {
      int c = hashes.length << 1;
      hashes = Arrays.copyOf(hashes, c);
      keyOff = Arrays.copyOf(keyOff, c);
      keyLen = Arrays.copyOf(keyLen, c);
      slotOf = Arrays.copyOf(slotOf, c);
    }
    if (arenaUsed + len > arena.length) {
      arena = Arrays.copyOf(arena, Math.max(arena.length << 1, arenaUsed + len));
    }
    System.arraycopy(key, off, arena, arenaUsed, len);
    keyOff[s] = arenaUsed;
    keyLen[s] = len;
    hashes[s] = hash;
    arenaUsed += len;
    int i = (int) hash & mask;
    while (slotHash[i] != 0) {
      i = (i + 1) & mask;
    }
    slotHash[i] = hash;
    slotIndex[i] = s;
    slotOf[s] = i;
    size++;
    return s;
  }

  /**
   * Removes index {@code s}. The last index, if it is not {@code s}, moves to {@code s}; returns
   * that former last index (the caller moves its own arrays from it to {@code s}), or -1.
   */
  int remove(int s) {
    deleteSlot(slotOf[s]);
    arenaDead += keyLen[s];
    int last = size - 1;
    int moved = -1;
    if (s != last) {
      hashes[s] = hashes[last];
      keyOff[s] = keyOff[last];
      keyLen[s] = keyLen[last];
      slotOf[s] = slotOf[last];
      slotIndex[slotOf[s]] = s;
      moved = last;
    }
    size--;
    if (arenaDead > 4096 && arenaDead * 2 > arenaUsed) {
      compactArena();
    }
    return moved;
  }

  /** Forgets every key, keeping the arrays for reuse. */
  void clear() {
    Arrays.fill(slotHash, 0);
    size = 0;
    arenaUsed = 0;
    arenaDead = 0;
  }

  /** The arena holding the keys; read {@code [keyOffset(s), keyOffset(s) + keyLength(s))}. */
  byte[] arena() {
    return arena;
  }

  int keyOffset(int s) {
    return keyOff[s];
  }

  int keyLength(int s) {
    return keyLen[s];
  }

  /** Bytes held by this table's arrays, for the memory-bound tests and self-metrics. */
  long footprintBytes() {
    return slotHash.length * 12L + hashes.length * 20L + arena.length;
  }

  /** Backward-shift deletion: later entries of the probe run move up so that no tombstone is needed. */
  private void deleteSlot(int hole) {
    int j = hole;
    while (true) {
      j = (j + 1) & mask;
      long h = slotHash[j];
      if (h == 0) {
        break;
      }
      int home = (int) h & mask;
      // The entry at j may fill the hole when its home slot does not lie cyclically in (hole, j].
      boolean homeBetween = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
      if (!homeBetween) {
        slotHash[hole] = h;
        slotIndex[hole] = slotIndex[j];
        slotOf[slotIndex[hole]] = hole;
        hole = j;
      }
    }
    slotHash[hole] = 0;
  }

  private void rehash(int slots) {
    slotHash = new long[slots];
    slotIndex = new int[slots];
    mask = slots - 1;
    for (int s = 0; s < size; s++) {
      int i = (int) hashes[s] & mask;
      while (slotHash[i] != 0) {
        i = (i + 1) & mask;
      }
      slotHash[i] = hashes[s];
      slotIndex[i] = s;
      slotOf[s] = i;
    }
  }

  private void compactArena() {
    byte[] fresh = new byte[Math.max(256, arenaUsed - arenaDead + 256)];
    int p = 0;
    for (int s = 0; s < size; s++) {
      System.arraycopy(arena, keyOff[s], fresh, p, keyLen[s]);
      keyOff[s] = p;
      p += keyLen[s];
    }
    arena = fresh;
    arenaUsed = p;
    arenaDead = 0;
  }
}

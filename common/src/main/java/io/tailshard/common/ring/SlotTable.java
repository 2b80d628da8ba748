package io.tailshard.common.ring;

import java.util.Arrays;

/**
 * Builds the ring's slot table: for each of the 2^{@value #SLOT_BITS} slots, the endpoint that
 * ranks the slot highest in its own {@link SlotPermutation} (ties to the lower endpoint index).
 * This is rendezvous (highest random weight) hashing applied to slots instead of to trace ids, so
 * it keeps rendezvous hashing's two properties:
 *
 * <ul>
 *   <li>a slot's owner depends only on the endpoints present, never on their order or history;
 *   <li>removing an endpoint reassigns only its own slots; adding one takes only the slots it now
 *       ranks highest. No slot ever moves between two endpoints that stay. Because the endpoints'
 *       indexes are their sorted order, the tie rule is stable under additions and removals too.
 * </ul>
 *
 * <p>Computing every (slot, endpoint) rank would cost n * 2^20 steps. Instead each endpoint
 * enumerates its own most preferred slots by rank, round-robin, rank 0 first; the first endpoint
 * to reach a free slot has the lowest rank there (or the same rank and a lower index), so it is
 * the owner. After about {@value #ROUNDS_PER_SHARE} shares' worth of rounds only a fraction
 * e^-{@value #ROUNDS_PER_SHARE} of slots is still free; those are settled by computing their rank
 * at every endpoint. About 20 to 30 ms for any n on one core of the build machine.
 */
final class SlotTable {
  /** log2 of the number of slots. 2^20 slots of one byte fit in a core's 1 MiB L2 cache. */
  static final int SLOT_BITS = 20;

  static final int SLOTS = 1 << SLOT_BITS;
  /** The most endpoints a table can index (char entries, one value reserved for "free"). */
  static final int MAX_ENDPOINTS = 0xFFFF;

  private static final char FREE = 0xFFFF;
  /**
   * Rounds of enumeration per endpoint, in units of SLOTS / n. Fewer leave more free slots for the
   * per-slot pass (which costs n rank computations each); more make the enumeration rounds that
   * mostly hit taken slots. Six is near the minimum of the two costs measured for n from 3 to 300.
   */
  private static final int ROUNDS_PER_SHARE = 6;

  private SlotTable() {}

  /**
   * The owner index of every slot for endpoints whose hashes are {@code endpointHashes}, given in
   * the endpoints' index order (sorted endpoint text). At least one endpoint.
   */
  static char[] build(long[] endpointHashes) {
    int n = endpointHashes.length;
    if (n == 0 || n > MAX_ENDPOINTS) {
      throw new IllegalArgumentException("a ring needs 1 to " + MAX_ENDPOINTS + " endpoints, got " + n);
    }
    SlotPermutation[] perms = new SlotPermutation[n];
    for (int i = 0; i < n; i++) {
      perms[i] = new SlotPermutation(endpointHashes[i]);
    }
    char[] owner = new char[SLOTS];
    Arrays.fill(owner, FREE);
    int free = SLOTS;
    long rounds = Math.min(SLOTS, (long) ROUNDS_PER_SHARE * SLOTS / n + 1);
    for (int rank = 0; rank < rounds && free > 0; rank++) {
      for (int i = 0; i < n; i++) {
        int slot = perms[i].slot(rank);
        if (owner[slot] == FREE) {
          owner[slot] = (char) i;
          free--;
        }
      }
    }
    if (free > 0) {
      for (int slot = 0; slot < SLOTS; slot++) {
        if (owner[slot] == FREE) {
          owner[slot] = (char) bestOf(perms, slot);
        }
      }
    }
    return owner;
  }

  /** The endpoint with the lowest rank at {@code slot}, the lower index on a tie. */
  static int bestOf(SlotPermutation[] perms, int slot) {
    int best = 0;
    int bestRank = perms[0].rank(slot);
    for (int i = 1; i < perms.length; i++) {
      int r = perms[i].rank(slot);
      if (r < bestRank) {
        bestRank = r;
        best = i;
      }
    }
    return best;
  }
}

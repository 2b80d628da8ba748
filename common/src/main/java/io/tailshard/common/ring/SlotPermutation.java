package io.tailshard.common.ring;

/**
 * One endpoint's pseudo-random order of the ring's slots: a keyed bijection on
 * {@link SlotTable#SLOT_BITS}-bit integers. {@link #rank(int)} is where a slot stands in the
 * endpoint's order of preference (0 = most preferred); {@link #slot(int)} is the inverse, the slot
 * at a given rank. The table builder needs both directions: it walks each endpoint's most
 * preferred slots by rank, then asks for the rank of the few slots nobody claimed early.
 *
 * <p>Three rounds of xor-key, multiply by a keyed odd number, xor-shift. Each step is invertible
 * modulo 2^bits, so the whole is a permutation; the keys come from the endpoint's hash, so two
 * endpoints' orders look independent (the balance test measures that they are, in effect).
 * Immutable.
 */
final class SlotPermutation {
  private static final int BITS = SlotTable.SLOT_BITS;
  private static final int MASK = (1 << BITS) - 1;
  /** Shifts near half the width mix the high bits (which the multiply fills) into the low ones. */
  private static final int[] SHIFTS = {BITS / 2, BITS / 2 + 1, BITS / 2 - 1};
  /** Forcing the top and bottom bits keeps every keyed multiplier odd and far from trivial. */
  private static final int MULTIPLIER_BITS = 1 | (1 << (BITS - 1));

  private final int[] xor = new int[3];
  private final int[] mul = new int[3];
  private final int[] mulInverse = new int[3];

  SlotPermutation(long endpointHash) {
    for (int r = 0; r < 3; r++) {
      long k = Hashing.derive(endpointHash, r);
      xor[r] = (int) k & MASK;
      mul[r] = ((int) (k >>> 32) | MULTIPLIER_BITS) & MASK;
      mulInverse[r] = inverseOdd(mul[r]);
    }
  }

  /** The rank of {@code slot} in this endpoint's order, in [0, 2^bits). */
  int rank(int slot) {
    int x = slot;
    for (int r = 0; r < 3; r++) {
      x ^= xor[r];
      x = (x * mul[r]) & MASK;
      x ^= x >>> SHIFTS[r];
    }
    return x;
  }

  /** The slot at {@code rank}: the inverse of {@link #rank(int)}. */
  int slot(int rank) {
    int x = rank;
    for (int r = 2; r >= 0; r--) {
      x = undoShift(x, SHIFTS[r]);
      x = (x * mulInverse[r]) & MASK;
      x ^= xor[r];
    }
    return x;
  }

  /** Inverts {@code x ^= x >>> s} on BITS-bit values: each pass restores s more high bits. */
  private static int undoShift(int x, int s) {
    int y = x;
    for (int done = s; done < BITS; done += s) {
      y = x ^ (y >>> s);
    }
    return y;
  }

  /** The inverse of an odd number modulo 2^32 by Newton's iteration (each step doubles the correct bits). */
  private static int inverseOdd(int m) {
    int x = m; // correct to 3 bits for any odd m
    for (int i = 0; i < 4; i++) {
      x *= 2 - m * x;
    }
    return x & MASK;
  }
}

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
  // Shifts near half the width mix the high bits (which the multiply fills) into the low ones.
  private static final int SHIFT0 = BITS / 2;
  private static final int SHIFT1 = BITS / 2 + 1;
  private static final int SHIFT2 = BITS / 2 - 1;
  /** Forcing the top and bottom bits keeps every keyed multiplier odd and far from trivial. */
  private static final int MULTIPLIER_BITS = 1 | (1 << (BITS - 1));

  // Three rounds; plain fields rather than arrays so the JIT keeps them in registers in the build loop.
  private final int xor0;
  private final int xor1;
  private final int xor2;
  private final int mul0;
  private final int mul1;
  private final int mul2;
  private final int inv0;
  private final int inv1;
  private final int inv2;

  SlotPermutation(long endpointHash) {
    long k0 = Hashing.derive(endpointHash, 0);
    long k1 = Hashing.derive(endpointHash, 1);
    long k2 = Hashing.derive(endpointHash, 2);
    xor0 = (int) k0 & MASK;
    xor1 = (int) k1 & MASK;
    xor2 = (int) k2 & MASK;
    mul0 = ((int) (k0 >>> 32) | MULTIPLIER_BITS) & MASK;
    mul1 = ((int) (k1 >>> 32) | MULTIPLIER_BITS) & MASK;
    mul2 = ((int) (k2 >>> 32) | MULTIPLIER_BITS) & MASK;
    inv0 = inverseOdd(mul0);
    inv1 = inverseOdd(mul1);
    inv2 = inverseOdd(mul2);
  }

  /** The rank of {@code slot} in this endpoint's order, in [0, 2^bits). */
  int rank(int slot) {
    int x = ((slot ^ xor0) * mul0) & MASK;
    x ^= x >>> SHIFT0;
    x = ((x ^ xor1) * mul1) & MASK;
    x ^= x >>> SHIFT1;
    x = ((x ^ xor2) * mul2) & MASK;
    return x ^ (x >>> SHIFT2);
  }

  /** The slot at {@code rank}: the inverse of {@link #rank(int)}, the rounds undone in reverse. */
  int slot(int rank) {
    int x = undoShift(rank, SHIFT2);
    x = ((x * inv2) & MASK) ^ xor2;
    x = undoShift(x, SHIFT1);
    x = ((x * inv1) & MASK) ^ xor1;
    x = undoShift(x, SHIFT0);
    return ((x * inv0) & MASK) ^ xor0;
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

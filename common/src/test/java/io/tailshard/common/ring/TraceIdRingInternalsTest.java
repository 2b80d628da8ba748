package io.tailshard.common.ring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The pieces under the ring: the slot permutations, the table builder, the hashes. */
class TraceIdRingInternalsTest {

  @Test
  void slotPermutationIsABijectionAndSlotInvertsRank() {
    for (long key : new long[] {0, 1, 0xDEADBEEFL, Hashing.endpoint("10.0.0.1:4317")}) {
      SlotPermutation p = new SlotPermutation(key);
      BitSet seen = new BitSet(SlotTable.SLOTS);
      for (int s = 0; s < SlotTable.SLOTS; s++) {
        int r = p.rank(s);
        assertTrue(r >= 0 && r < SlotTable.SLOTS);
        assertFalse(seen.get(r), "rank " + r + " given twice");
        seen.set(r);
        assertEquals(s, p.slot(r));
      }
    }
  }

  /** The fast builder must agree with the definition: lowest rank wins, lower index on a tie. */
  @Test
  void tableEqualsTheRendezvousDefinitionSlotBySlot() {
    for (int n : new int[] {1, 2, 5, 40}) {
      long[] hashes = new long[n];
      SlotPermutation[] perms = new SlotPermutation[n];
      for (int i = 0; i < n; i++) {
        hashes[i] = Hashing.endpoint("10.1.0." + i + ":4317");
        perms[i] = new SlotPermutation(hashes[i]);
      }
      char[] table = SlotTable.build(hashes);
      int step = n > 5 ? 7 : 1; // every slot for small n, a spread of slots for n = 40
      for (int s = 0; s < SlotTable.SLOTS; s += step) {
        assertEquals(SlotTable.bestOf(perms, s), table[s], "n=" + n + " slot " + s);
      }
    }
  }

  /** One flipped input bit flips about half of the 64 output bits, whichever bit it is. */
  @Test
  void traceIdHashAvalanches() {
    SplittableRandom rnd = new SplittableRandom(11);
    int samples = 2000;
    double worstBit = 32;
    for (int bit = 0; bit < 128; bit++) {
      long flips = 0;
      for (int i = 0; i < samples; i++) {
        long hi = i % 2 == 0 ? 0 : rnd.nextLong(); // half the samples with a zero high half
        long lo = rnd.nextLong();
        long h = Hashing.traceId(hi, lo);
        long h2 = bit < 64 ? Hashing.traceId(hi ^ (1L << bit), lo) : Hashing.traceId(hi, lo ^ (1L << (bit - 64)));
        flips += Long.bitCount(h ^ h2);
      }
      double mean = flips / (double) samples;
      if (Math.abs(mean - 32) > Math.abs(worstBit - 32)) {
        worstBit = mean;
      }
      assertTrue(Math.abs(mean - 32) < 1.0, "input bit " + bit + " flips " + mean + " output bits on average");
    }
    System.out.printf("trace id hash avalanche: mean flipped output bits per input bit, worst %.2f of 64%n", worstBit);
  }

  @Test
  void endpointHashSeparatesSimilarEndpoints() {
    assertTrue(Hashing.endpoint("10.0.0.1:4317") != Hashing.endpoint("10.0.0.1:4318"));
    assertTrue(Hashing.endpoint("10.0.0.1:431") != Hashing.endpoint("10.0.0.1:4317"));
    assertTrue(Hashing.endpoint("") != Hashing.endpoint("\0"));
    assertEquals(Hashing.endpoint("a:1"), Hashing.endpoint(new String("a:1")));
  }
}

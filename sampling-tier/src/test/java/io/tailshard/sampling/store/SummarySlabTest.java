package io.tailshard.sampling.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.openjdk.jol.info.GraphLayout;

/**
 * The live-trace slab gives back each trace's fragment seqs exactly, whatever the steps between
 * them, inline and once they spill; a freed slot keeps nothing of its last trace; and a live trace
 * costs the bytes the heap criterion rests on.
 */
class SummarySlabTest {
  @Test
  void seqsComeBackInOrderForSmallHugeAndManySteps() {
    Random r = new Random(4);
    SummarySlab slab = new SummarySlab();
    for (int trial = 0; trial < 200; trial++) {
      int s = slab.allocate(1, trial, 0, 30_000);
      int n = trial == 0 ? 0 : 1 + r.nextInt(trial < 100 ? 20 : 300);
      long[] expected = new long[n];
      long base = trial % 2 == 0 ? r.nextInt(1000) : Long.MAX_VALUE / 4;
      long seq = base + (trial % 3 == 0 ? 0 : r.nextInt(5000));
      for (int i = 0; i < n; i++) {
        if (i > 0) {
          int kind = r.nextInt(10);
          seq += kind < 6 ? 1 + r.nextInt(3) : kind < 9 ? 1 + r.nextInt(100_000) : 1 + (r.nextLong() >>> 30);
        }
        expected[i] = seq;
        slab.add(s, 1, 0, false, 0, 0, 10, seq, base);
      }
      assertArrayEquals(expected, slab.seqs(s, base));
      assertEquals(n, slab.fragments(s));
      assertEquals(n, slab.spanCount(s));
      if (trial % 4 == 0) {
        slab.free(s);
      }
    }
  }

  @Test
  void aSeqThatDoesNotAscendIsABug() {
    SummarySlab slab = new SummarySlab();
    int s = slab.allocate(1, 2, 0, 30_000);
    slab.add(s, 1, 0, false, 0, 0, 10, 5, 0);
    assertThrows(IllegalStateException.class, () -> slab.add(s, 1, 0, false, 0, 0, 10, 5, 0));
    int t = slab.allocate(1, 3, 0, 30_000);
    assertThrows(IllegalStateException.class, () -> slab.add(t, 1, 0, false, 0, 0, 10, 4, 5));
  }

  @Test
  void aFreedSlotKeepsNothingOfItsLastTrace() {
    SummarySlab slab = new SummarySlab();
    int used = slab.allocate(1, 2, 1_000, 30_000);
    for (int i = 0; i < 40; i++) {
      slab.add(used, 3, 0b100, true, 5, 900, 70, 10 + 7L * i, 4);
    }
    slab.lowerDue(used, 2_000);
    slab.onRootDueList(used, true);
    slab.free(used);
    int again = slab.allocate(7, 8, 50_000, 10_000);
    assertEquals(used, again, "the freed slot is taken first");
    SummarySlab other = new SummarySlab();
    int fresh = other.allocate(7, 8, 50_000, 10_000);
    assertEquals(other.view(fresh, 1000), slab.view(again, 1000));
    assertEquals(SummarySlab.NONE, slab.next(again));
    assertEquals(false, slab.onRootDueList(again));
    slab.add(again, 1, 0, false, 0, 0, 10, 123, 100);
    other.add(fresh, 1, 0, false, 0, 0, 10, 123, 100);
    assertArrayEquals(other.seqs(fresh, 100), slab.seqs(again, 100));
    assertEquals(other.view(fresh, 1000), slab.view(again, 1000));
    assertEquals(1, slab.live());
  }

  @Test
  void aDrainedBurstGivesItsChunksBack() {
    // A burst of 100,000 live traces, then a steady 2,000: as the burst's traces are decided and new
    // ones arrive, the new ones take the lowest free slots and the burst's chunks empty and go.
    SummarySlab slab = new SummarySlab();
    java.util.ArrayDeque<Integer> liveSlots = new java.util.ArrayDeque<>();
    for (int t = 0; t < 100_000; t++) {
      liveSlots.add(slab.allocate(t, t, 0, 30_000));
    }
    assertEquals(25, slab.chunks());
    long id = 100_000;
    while (liveSlots.size() > 2_000) {
      // Each round the 2,000 oldest are decided and 1,000 new traces arrive.
      for (int k = 0; k < 2_000; k++) {
        slab.free(liveSlots.poll());
      }
      for (int k = 0; k < 1_000; k++) {
        liveSlots.add(slab.allocate(id, id, 0, 30_000));
        id++;
      }
    }
    for (int k = 0; k < 5; k++) {
      // A few more rounds of steady traffic: every slot of the burst is gone.
      for (int j = 0; j < 1_000; j++) {
        slab.free(liveSlots.poll());
        liveSlots.add(slab.allocate(id, id, 0, 30_000));
        id++;
      }
    }
    assertEquals(liveSlots.size(), slab.live());
    assertTrue(slab.chunks() <= 2, "chunks left: " + slab.chunks());
    for (int s : liveSlots) {
      assertTrue(s < 2 * SummarySlab.CHUNK, "slot " + s);
    }
    while (!liveSlots.isEmpty()) {
      slab.free(liveSlots.poll());
    }
    assertEquals(1, slab.chunks());
    assertEquals(0, slab.live());
  }

  @Test
  void dueTimeIsOnlyLowered() {
    SummarySlab slab = new SummarySlab();
    int s = slab.allocate(1, 2, 1_700_000_000_000L, 30_000);
    assertEquals(1_700_000_030_000L, slab.dueMillis(s));
    slab.lowerDue(s, 1_700_000_005_000L);
    assertEquals(1_700_000_005_000L, slab.dueMillis(s));
    assertThrows(IllegalStateException.class, () -> slab.lowerDue(s, 1_700_000_006_000L));
  }

  @Test
  void bytesSaturateInsteadOfWrapping() {
    SummarySlab slab = new SummarySlab();
    int s = slab.allocate(1, 2, 0, 30_000);
    slab.add(s, 1, 0, false, 0, 0, Integer.MAX_VALUE - 5, 1, 0);
    slab.add(s, 1, 0, false, 0, 0, 100, 2, 0);
    assertEquals(Integer.MAX_VALUE, slab.bytes(s));
  }

  @Test
  void aLiveTraceCostsItsSlotAndNothingElse() {
    // Every byte here is multiplied by the live traces a longer decision_wait holds. Measured on
    // the real object graph (JOL): 100,000 traces of 10 fragments each, one step a request apart.
    SummarySlab slab = new SummarySlab();
    int traces = 100_000;
    for (int t = 0; t < traces; t++) {
      int s = slab.allocate(t, ~t, 1_700_000_000_000L, 60_000);
      for (int f = 0; f < 10; f++) {
        slab.add(s, 1, 0, false, 0, 0, 100, 3L * f + (t & 7), 0);
      }
    }
    double perTrace = (double) GraphLayout.parseInstance(slab).totalSize() / traces;
    assertTrue(perTrace <= SummarySlab.BYTES_PER_SLOT * 1.05, "bytes per live trace: " + perTrace);
    assertEquals(78, SummarySlab.BYTES_PER_SLOT);
  }
}

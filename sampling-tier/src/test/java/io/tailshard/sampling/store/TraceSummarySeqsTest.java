package io.tailshard.sampling.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A summary gives back its fragments' seqs exactly, whatever the steps between them, inline and
 * once they spill to an array; and it stays 96 bytes, the figure the heap criterion rests on.
 */
class TraceSummarySeqsTest {
  @Test
  void seqsComeBackInOrderForSmallHugeAndManySteps() {
    Random r = new Random(4);
    for (int trial = 0; trial < 200; trial++) {
      TraceSummary s = new TraceSummary(1, 2, 0, 30_000);
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
        s.add(1, 0, false, 0, 0, 10, seq, base);
      }
      assertArrayEquals(expected, s.seqs(base));
      assertEquals(n, s.fragments());
      assertEquals(n, s.spanCount);
    }
  }

  @Test
  void aSeqThatDoesNotAscendIsABug() {
    TraceSummary s = new TraceSummary(1, 2, 0, 30_000);
    s.add(1, 0, false, 0, 0, 10, 5, 0);
    assertThrows(IllegalStateException.class, () -> s.add(1, 0, false, 0, 0, 10, 5, 0));
    TraceSummary t = new TraceSummary(1, 2, 0, 30_000);
    assertThrows(IllegalStateException.class, () -> t.add(1, 0, false, 0, 0, 10, 4, 5));
  }

  @Test
  void aSummaryTakesNinetySixBytes() {
    // With compressed references (heaps under 32 GiB), as the sampling tier runs. Every byte here
    // is multiplied by the live traces a longer decision_wait holds.
    org.junit.jupiter.api.Assumptions.assumeTrue(org.openjdk.jol.vm.VM.current().addressSize() == 8
        && org.openjdk.jol.vm.VM.current().objectHeaderSize() == 12, "compressed class pointers");
    assertEquals(96, org.openjdk.jol.info.ClassLayout.parseClass(TraceSummary.class).instanceSize(),
        () -> org.openjdk.jol.info.ClassLayout.parseClass(TraceSummary.class).toPrintable());
  }

  @Test
  void dueTimeIsOnlyLowered() {
    TraceSummary s = new TraceSummary(1, 2, 1_700_000_000_000L, 30_000);
    assertEquals(1_700_000_030_000L, s.dueMillis());
    s.lowerDue(1_700_000_005_000L);
    assertEquals(1_700_000_005_000L, s.dueMillis());
    assertThrows(IllegalStateException.class, () -> s.lowerDue(1_700_000_006_000L));
  }

  @Test
  void bytesSaturateInsteadOfWrapping() {
    TraceSummary s = new TraceSummary(1, 2, 0, 30_000);
    s.add(1, 0, false, 0, 0, Integer.MAX_VALUE - 5, 1, 0);
    s.add(1, 0, false, 0, 0, 100, 2, 0);
    assertEquals(Integer.MAX_VALUE, s.bytes());
  }
}

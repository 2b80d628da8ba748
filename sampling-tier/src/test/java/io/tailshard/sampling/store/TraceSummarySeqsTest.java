package io.tailshard.sampling.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** A summary gives back its fragments' seqs exactly, whatever the steps between them. */
class TraceSummarySeqsTest {
  @Test
  void seqsComeBackInOrderForSmallHugeAndManySteps() {
    Random r = new Random(4);
    for (int trial = 0; trial < 200; trial++) {
      TraceSummary s = new TraceSummary(1, 2, 0, 30_000);
      int n = trial == 0 ? 0 : 1 + r.nextInt(trial < 100 ? 12 : 300);
      long[] expected = new long[n];
      long seq = trial % 2 == 0 ? r.nextInt(1000) : Long.MAX_VALUE / 4;
      for (int i = 0; i < n; i++) {
        int kind = r.nextInt(10);
        seq += kind == 0 ? 1 : kind < 8 ? 1 + r.nextInt(100_000) : 1 + (r.nextLong() >>> 30);
        expected[i] = seq;
        s.add(1, 0, false, 0, 0, 10, seq);
      }
      assertArrayEquals(expected, s.seqs());
    }
  }

  @Test
  void aSeqThatDoesNotAscendIsABug() {
    TraceSummary s = new TraceSummary(1, 2, 0, 30_000);
    s.add(1, 0, false, 0, 0, 10, 5);
    assertThrows(IllegalStateException.class, () -> s.add(1, 0, false, 0, 0, 10, 5));
  }
}

package io.tailshard.loadtest.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tailshard.loadtest.cli.CommandLine;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Trace shapes and the rate schedule, as the options ask for them. */
class TraceFactoryTest {
  private static GeneratorOptions options(String... args) throws Exception {
    return GenerateCommand.options(GenerateCommand.commandLine().parse(args));
  }

  @Test
  void rateStepsChangeTheTargetAtTheirOffsets() throws Exception {
    GeneratorOptions o = options("--rate", "100", "--rate-steps", "2s:500,5s:50");
    assertEquals(100, o.rateAt(0));
    assertEquals(100, o.rateAt(1_999_999_999L));
    assertEquals(500, o.rateAt(2_000_000_000L));
    assertEquals(50, o.rateAt(60_000_000_000L));
    assertThrows(CommandLine.UsageException.class,
        () -> options("--rate-steps", "5s:10,2s:20"));
  }

  @Test
  void tracesHaveOneRootTheDepthLimitAndLateSpansAfterTheDelay() throws Exception {
    GeneratorOptions o = options("--depth", "3", "--spans-per-trace", "30", "--late-ratio", "1",
        "--late-spans", "2", "--trace-spread", "2s", "--late-delay", "3s", "--seed", "9");
    TraceFactory f = new TraceFactory(o, new SplittableRandom(5));
    for (int n = 0; n < 50; n++) {
      TracePlan p = f.next();
      int roots = 0;
      int late = 0;
      for (int i = 0; i < p.spanCount; i++) {
        int depth = 0;
        for (int a = p.parent[i]; a >= 0; a = p.parent[a]) {
          depth++;
        }
        assertTrue(depth <= 2, "depth " + depth);
        roots += p.parent[i] < 0 ? 1 : 0;
        if (p.late[i]) {
          late++;
          assertEquals(5_000_000_000L, p.emitOffset[i]);
          assertTrue(i != 0 && i != p.errorSpan);
        } else {
          assertTrue(p.emitOffset[i] <= 2_000_000_000L);
        }
      }
      assertEquals(1, roots);
      assertEquals(2, late);
      assertEquals(2_000_000_000L, p.emitOffset[0]);
    }
  }

  @Test
  void distributionsParseAsTypedAndSampleInRange() {
    SplittableRandom r = new SplittableRandom(1);
    assertEquals("2..20", Distribution.parse("2..20").toString());
    assertEquals("lognormal:20,1", Distribution.parse("lognormal:20,1").toString());
    assertEquals("exp:8", Distribution.parse("exp:8").toString());
    for (int i = 0; i < 1000; i++) {
      double u = Distribution.parse("2..20").sample(r);
      assertTrue(u >= 2 && u <= 20);
      assertTrue(Distribution.parse("normal:10,3").sample(r) >= 0);
    }
    assertEquals(8.0, Distribution.parse("8").sample(r));
    assertThrows(IllegalArgumentException.class, () -> Distribution.parse("20..2"));
    assertThrows(IllegalArgumentException.class, () -> Distribution.parse("gauss:1"));
  }
}

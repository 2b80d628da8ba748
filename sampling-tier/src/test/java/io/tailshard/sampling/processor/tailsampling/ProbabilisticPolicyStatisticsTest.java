package io.tailshard.sampling.processor.tailsampling;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.Probabilistic;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The probabilistic policy keeps the configured fraction of random trace ids. */
class ProbabilisticPolicyStatisticsTest {
  private static final int TRACES = 100_000;

  @Test
  void tenPercentKeepsATenthWithinThreeSigma() {
    assertKeptFraction(10, "");
  }

  @Test
  void aSaltedPolicyKeepsTheSameFraction() {
    assertKeptFraction(10, "tier-2");
  }

  private static void assertKeptFraction(double percentage, String salt) {
    Policy policy = PolicyEvaluator.build(new Probabilistic("p", percentage, salt));
    SplittableRandom random = new SplittableRandom(0x7a11_5a3dL); // fixed: a failure reproduces
    TestTrace trace = TestTrace.trace();
    int kept = 0;
    for (int i = 0; i < TRACES; i++) {
      trace.id(random.nextLong(), random.nextLong());
      if (policy.evaluate(trace) == Decision.SAMPLED) {
        kept++;
      }
    }
    double p = percentage / 100;
    double expected = TRACES * p;
    double sigma = Math.sqrt(TRACES * p * (1 - p));
    assertTrue(
        Math.abs(kept - expected) <= 3 * sigma,
        "kept " + kept + " of " + TRACES + ", expected " + expected + " +- " + 3 * sigma);
  }
}

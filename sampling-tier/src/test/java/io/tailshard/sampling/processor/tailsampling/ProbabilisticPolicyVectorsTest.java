package io.tailshard.sampling.processor.tailsampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.Probabilistic;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The probabilistic policy against vectors computed by an independent Go peer that uses Go's own
 * {@code hash/fnv} and {@code math/big} the way the Collector does: same hash, same threshold,
 * same decision, for every row.
 *
 * <p>The vectors are {@code src/test/resources/tailsampling/probabilistic-vectors.csv}, written by
 * {@code src/test/go/probvectors}. To regenerate them (Go 1.21 or later), from the repository root:
 *
 * <pre>
 * (cd sampling-tier/src/test/go/probvectors &amp;&amp; go run .) \
 *   &gt; sampling-tier/src/test/resources/tailsampling/probabilistic-vectors.csv
 * </pre>
 *
 * The generator is deterministic, so regenerating an unchanged program changes nothing.
 */
class ProbabilisticPolicyVectorsTest {

  /** One CSV row: trace_id,salt,percentage,hash,threshold,sampled. */
  private record Row(int line, long high, long low, String salt, double percentage, long hash, long threshold, boolean sampled) {}

  @Test
  void everyVectorHashesThresholdsAndDecidesAsTheCollector() {
    List<Row> rows = rows();
    int sampled = 0;
    for (Row r : rows) {
      String where = "line " + r.line + " " + r;
      assertEquals(r.hash, ProbabilisticPolicy.hash(r.salt, r.high, r.low), "hash, " + where);
      assertEquals(r.threshold, ProbabilisticPolicy.threshold(r.percentage), "threshold, " + where);
      // The decision goes through the config record and the built policy, as in production.
      Policy policy = PolicyEvaluator.build(new Probabilistic("p", r.percentage, r.salt));
      Decision expected = r.sampled ? Decision.SAMPLED : Decision.NOT_SAMPLED;
      assertEquals(expected, policy.evaluate(TestTrace.trace().id(r.high, r.low)), "decision, " + where);
      sampled += r.sampled ? 1 : 0;
    }
    assertTrue(rows.size() >= 300, "a few hundred vectors, found " + rows.size());
    assertTrue(sampled > 50 && sampled < rows.size() - 50, "both outcomes well covered: " + sampled + " sampled");
  }

  @Test
  void vectorsCoverThePercentagesWhereRoundingMatters() {
    Set<Double> percentages = new HashSet<>();
    for (Row r : rows()) {
      percentages.add(r.percentage);
    }
    // Above 50% the 64-bit rounding decides the last unit; near 0 the subnormal and tiny ratios.
    for (double p : new double[] {0, 5e-324, 1e-9, 0.1, 50, 66.6, 99.99999999999999, 100}) {
      assertTrue(percentages.contains(p), "no vector at " + p + "%");
    }
  }

  @Test
  void percentagesFromYamlParseToTheSameDoubleAsGo() {
    // Both sides parse decimal text with correct rounding; the seed's 0.1% is the case that counts.
    Probabilistic seed =
        (Probabilistic)
            Yaml.parse("policies: [{name: r, type: probabilistic, probabilistic: { sampling_percentage: 0.1 }}]")
                .policies()
                .get(0);
    assertEquals(0x004189374bc6a7efL, ProbabilisticPolicy.threshold(seed.samplingPercentage()));
  }

  private static List<Row> rows() {
    String[] lines = Yaml.resource("tailsampling/probabilistic-vectors.csv").split("\n");
    assertEquals("trace_id,salt,percentage,hash,threshold,sampled", lines[0]);
    List<Row> rows = new ArrayList<>();
    for (int i = 1; i < lines.length; i++) {
      if (lines[i].isEmpty()) {
        continue;
      }
      String[] f = lines[i].split(",", -1);
      assertEquals(6, f.length, "line " + (i + 1));
      rows.add(
          new Row(
              i + 1,
              Long.parseUnsignedLong(f[0].substring(0, 16), 16),
              Long.parseUnsignedLong(f[0].substring(16, 32), 16),
              f[1],
              Double.parseDouble(f[2]),
              Long.parseUnsignedLong(f[3], 16),
              Long.parseUnsignedLong(f[4], 16),
              Boolean.parseBoolean(f[5])));
    }
    return rows;
  }
}

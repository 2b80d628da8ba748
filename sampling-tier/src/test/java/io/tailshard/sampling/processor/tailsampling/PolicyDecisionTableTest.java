package io.tailshard.sampling.processor.tailsampling;

import static io.tailshard.sampling.processor.tailsampling.Decision.DROPPED;
import static io.tailshard.sampling.processor.tailsampling.Decision.INVERT_NOT_SAMPLED;
import static io.tailshard.sampling.processor.tailsampling.Decision.INVERT_SAMPLED;
import static io.tailshard.sampling.processor.tailsampling.Decision.NOT_SAMPLED;
import static io.tailshard.sampling.processor.tailsampling.Decision.SAMPLED;
import static io.tailshard.sampling.processor.tailsampling.TestTrace.trace;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tailshard.sampling.processor.tailsampling.TailSamplingConfig.PolicyConfig;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

/** Each built policy type against a table of traces, as the Collector decides them. */
class PolicyDecisionTableTest {

  @Test
  void alwaysSampleSamplesEverything() {
    Policy p = policy("{name: a, type: always_sample}");
    assertEquals(SAMPLED, p.evaluate(trace()));
    assertEquals(SAMPLED, p.evaluate(trace().spans(0).statuses()));
  }

  @Test
  void statusCodeMatchesWhenAnySpanHasAListedCode() {
    Policy errors = policy("{name: e, type: status_code, status_code: {status_codes: [ERROR]}}");
    assertEquals(SAMPLED, errors.evaluate(trace().statuses(SpanStatus.ERROR)));
    assertEquals(SAMPLED, errors.evaluate(trace().statuses(SpanStatus.OK, SpanStatus.UNSET, SpanStatus.ERROR)));
    assertEquals(NOT_SAMPLED, errors.evaluate(trace().statuses(SpanStatus.OK, SpanStatus.UNSET)));
    assertEquals(NOT_SAMPLED, errors.evaluate(trace().statuses()));

    Policy errorOrUnset = policy("{name: e, type: status_code, status_code: {status_codes: [ERROR, UNSET]}}");
    assertEquals(SAMPLED, errorOrUnset.evaluate(trace().statuses(SpanStatus.UNSET)));
    assertEquals(SAMPLED, errorOrUnset.evaluate(trace().statuses(SpanStatus.OK, SpanStatus.ERROR)));
    assertEquals(NOT_SAMPLED, errorOrUnset.evaluate(trace().statuses(SpanStatus.OK)));
  }

  @Test
  void statusBitsFollowOtlpNumbers() {
    assertEquals(1, SpanStatus.bitOfProtoCode(0));
    assertEquals(SpanStatus.OK.bit(), SpanStatus.bitOfProtoCode(1));
    assertEquals(SpanStatus.ERROR.bit(), SpanStatus.bitOfProtoCode(2));
    assertEquals(0, SpanStatus.bitOfProtoCode(3), "an undefined code matches no status_code policy");
    assertEquals(0, SpanStatus.bitOfProtoCode(-1));
  }

  @Test
  void latencyWithoutUpperBoundSamplesAboveTheThreshold() {
    Policy p = policy("{name: l, type: latency, latency: {threshold_ms: 5000}}");
    assertEquals(NOT_SAMPLED, p.evaluate(trace().durationMillis(4500)));
    // Collector 0.157+: the threshold itself is not enough (it used to be, before 0.157).
    assertEquals(NOT_SAMPLED, p.evaluate(trace().durationMillis(5000)));
    // Whole milliseconds, truncated: 5000.999 ms is 5000 ms.
    assertEquals(NOT_SAMPLED, p.evaluate(trace().durationNanos(5_000_999_999L)));
    assertEquals(SAMPLED, p.evaluate(trace().durationMillis(5001)));
    assertEquals(SAMPLED, p.evaluate(trace().durationMillis(3_600_000)));
  }

  @Test
  void latencyWithUpperBoundSamplesInsideTheHalfOpenRange() {
    Policy p = policy("{name: l, type: latency, latency: {threshold_ms: 5000, upper_threshold_ms: 10000}}");
    assertEquals(NOT_SAMPLED, p.evaluate(trace().durationMillis(5000)));
    assertEquals(SAMPLED, p.evaluate(trace().durationMillis(5001)));
    assertEquals(SAMPLED, p.evaluate(trace().durationMillis(10000)));
    assertEquals(SAMPLED, p.evaluate(trace().durationNanos(10_000_999_999L)), "10000.999 ms is 10000 ms");
    assertEquals(NOT_SAMPLED, p.evaluate(trace().durationMillis(10001)));
  }

  @Test
  void latencyOfZeroSamplesAnyTraceLongerThanAMillisecond() {
    Policy p = policy("{name: l, type: latency, latency: {threshold_ms: 0}}");
    assertEquals(NOT_SAMPLED, p.evaluate(trace().durationNanos(999_999)));
    assertEquals(SAMPLED, p.evaluate(trace().durationMillis(1)));
    assertEquals(NOT_SAMPLED, p.evaluate(trace().durationNanos(-5_000_000)), "end before start");
  }

  @Test
  void spanCountBoundsAreInclusiveAndMaxZeroIsUnbounded() {
    Policy range = policy("{name: s, type: span_count, span_count: {min_spans: 2, max_spans: 20}}");
    assertEquals(NOT_SAMPLED, range.evaluate(trace().spans(1)));
    assertEquals(SAMPLED, range.evaluate(trace().spans(2)));
    assertEquals(SAMPLED, range.evaluate(trace().spans(20)));
    assertEquals(NOT_SAMPLED, range.evaluate(trace().spans(21)));

    Policy atLeast = policy("{name: s, type: span_count, span_count: {min_spans: 2}}");
    assertEquals(NOT_SAMPLED, atLeast.evaluate(trace().spans(1)));
    assertEquals(SAMPLED, atLeast.evaluate(trace().spans(1_000_000)));

    Policy atMost = policy("{name: s, type: span_count, span_count: {max_spans: 3}}");
    assertEquals(SAMPLED, atMost.evaluate(trace().spans(0)));
    assertEquals(SAMPLED, atMost.evaluate(trace().spans(3)));
    assertEquals(NOT_SAMPLED, atMost.evaluate(trace().spans(4)));
  }

  @Test
  void probabilisticAtTheEnds() {
    Policy none = policy("{name: p, type: probabilistic, probabilistic: {sampling_percentage: 0}}");
    Policy all = policy("{name: p, type: probabilistic, probabilistic: {sampling_percentage: 100}}");
    for (long i = 0; i < 1000; i++) {
      TestTrace t = trace().id(i * 0x9E3779B97F4A7C15L, ~i);
      assertEquals(SAMPLED, all.evaluate(t));
      // 0% keeps only a trace whose hash is exactly 0, as the Collector's h <= 0 does.
      assertEquals(NOT_SAMPLED, none.evaluate(t));
    }
  }

  @Test
  void probabilisticSaltChangesWhichTracesAreKept() {
    Policy defaultSalt = policy("{name: p, type: probabilistic, probabilistic: {sampling_percentage: 50}}");
    Policy explicitDefault =
        policy("{name: p, type: probabilistic, probabilistic: {sampling_percentage: 50, hash_salt: default-hash-seed}}");
    Policy other = policy("{name: p, type: probabilistic, probabilistic: {sampling_percentage: 50, hash_salt: tier-2}}");
    int differ = 0;
    for (long i = 0; i < 1000; i++) {
      TestTrace t = trace().id(i * 0x9E3779B97F4A7C15L, i);
      assertEquals(defaultSalt.evaluate(t), explicitDefault.evaluate(t));
      if (defaultSalt.evaluate(t) != other.evaluate(t)) {
        differ++;
      }
    }
    assertEquals(500, differ, 100, "independent salts disagree on about half of the traces at 50%");
  }

  @Test
  void andSamplesOnlyWhenEverySubPolicySamples() {
    Policy p =
        policy(
            "{name: a, type: and, and: {and_sub_policy: ["
                + "{name: e, type: status_code, status_code: {status_codes: [ERROR]}},"
                + "{name: s, type: span_count, span_count: {min_spans: 3}}]}}");
    assertEquals(SAMPLED, p.evaluate(trace().statuses(SpanStatus.ERROR).spans(3)));
    assertEquals(NOT_SAMPLED, p.evaluate(trace().statuses(SpanStatus.ERROR).spans(2)));
    assertEquals(NOT_SAMPLED, p.evaluate(trace().statuses(SpanStatus.OK).spans(3)));
    assertEquals(NOT_SAMPLED, p.evaluate(trace().statuses(SpanStatus.OK).spans(1)));
  }

  @Test
  void notFlipsSampledAndNotSampled() {
    Policy p = policy("{name: n, type: not, not: {not_sub_policy: {name: e, type: status_code, status_code: {status_codes: [ERROR]}}}}");
    assertEquals(NOT_SAMPLED, p.evaluate(trace().statuses(SpanStatus.ERROR)));
    assertEquals(SAMPLED, p.evaluate(trace().statuses(SpanStatus.OK)));
  }

  @Test
  void notPassesOtherDecisionsThrough() {
    // As the Collector's code does: only SAMPLED and NOT_SAMPLED are flipped.
    assertEquals(INVERT_SAMPLED, new NotPolicy(t -> INVERT_SAMPLED).evaluate(trace()));
    assertEquals(INVERT_NOT_SAMPLED, new NotPolicy(t -> INVERT_NOT_SAMPLED).evaluate(trace()));
    assertEquals(DROPPED, new NotPolicy(t -> DROPPED).evaluate(trace()));
  }

  @Test
  void dropDropsOnlyWhenEverySubPolicySamples() {
    Policy p =
        policy(
            "{name: d, type: drop, drop: {drop_sub_policy: ["
                + "{name: tiny, type: span_count, span_count: {max_spans: 1}},"
                + "{name: ok, type: not, not: {not_sub_policy: {name: e, type: status_code, status_code: {status_codes: [ERROR]}}}}]}}");
    assertEquals(DROPPED, p.evaluate(trace().spans(1).statuses(SpanStatus.OK)));
    assertEquals(NOT_SAMPLED, p.evaluate(trace().spans(1).statuses(SpanStatus.ERROR)));
    assertEquals(NOT_SAMPLED, p.evaluate(trace().spans(2).statuses(SpanStatus.OK)));
  }

  @Test
  void andAndDropTreatInvertDecisionsLikeTheCollector() {
    Policy invertNot = t -> INVERT_NOT_SAMPLED;
    Policy invertSampled = t -> INVERT_SAMPLED;
    assertEquals(NOT_SAMPLED, new AndPolicy(new Policy[] {AlwaysSamplePolicy.INSTANCE, invertNot}).evaluate(trace()));
    assertEquals(SAMPLED, new AndPolicy(new Policy[] {AlwaysSamplePolicy.INSTANCE, invertSampled}).evaluate(trace()));
    assertEquals(NOT_SAMPLED, new DropPolicy(new Policy[] {invertNot}).evaluate(trace()));
    assertEquals(DROPPED, new DropPolicy(new Policy[] {invertSampled}).evaluate(trace()));
  }

  @Test
  void decisionsCarryTheCollectorsMetricLabels() {
    for (Decision d : EnumSet.allOf(Decision.class)) {
      String expectedSampled = d == SAMPLED || d == INVERT_SAMPLED ? "true" : "false";
      assertEquals(expectedSampled, d.sampledLabel(), d.name());
    }
    assertEquals("sampled", SAMPLED.decisionLabel());
    assertEquals("not_sampled", NOT_SAMPLED.decisionLabel());
    assertEquals("dropped", DROPPED.decisionLabel());
    assertEquals("sampled", INVERT_SAMPLED.decisionLabel());
    assertEquals("not_sampled", INVERT_NOT_SAMPLED.decisionLabel());
  }

  /** Builds the runtime policy from one policy written in YAML flow style, as operators do. */
  private static Policy policy(String flow) {
    PolicyConfig config = Yaml.parse("policies: [" + flow + "]").policies().get(0);
    return PolicyEvaluator.build(config);
  }
}

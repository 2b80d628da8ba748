package io.tailshard.sampling.processor.tailsampling;

import static io.tailshard.sampling.processor.tailsampling.Decision.DROPPED;
import static io.tailshard.sampling.processor.tailsampling.Decision.INVERT_NOT_SAMPLED;
import static io.tailshard.sampling.processor.tailsampling.Decision.INVERT_SAMPLED;
import static io.tailshard.sampling.processor.tailsampling.Decision.NOT_SAMPLED;
import static io.tailshard.sampling.processor.tailsampling.Decision.SAMPLED;
import static io.tailshard.sampling.processor.tailsampling.TestTrace.trace;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Collector's precedence across policies, and what the evaluation reports about each. */
class PolicyEvaluatorTest {
  private static final String ERRORS = "{name: errors, type: status_code, status_code: {status_codes: [ERROR]}}";
  private static final String ALL = "{name: all, type: always_sample}";
  private static final String DROP_SMALL =
      "{name: drop-small, type: drop, drop: {drop_sub_policy: [{name: s, type: span_count, span_count: {max_spans: 2}}]}}";

  @Test
  void dropBeatsSampledAndRunsFirst() {
    PolicyEvaluator evaluator = evaluator(ALL, ERRORS, DROP_SMALL);
    assertEquals(List.of("drop-small", "all", "errors"), evaluator.policyNames());

    Evaluation e = evaluator.newEvaluation();
    assertEquals(DROPPED, evaluator.evaluate(trace().spans(1).statuses(SpanStatus.ERROR), e));
    assertEquals(1, e.evaluatedCount(), "nothing outranks a drop, so nothing else runs");
    assertEquals(DROPPED, e.policyDecision(0));
    assertEquals(0, e.decidedBy());

    assertEquals(SAMPLED, evaluator.evaluate(trace().spans(3).statuses(SpanStatus.ERROR), e));
    assertEquals(3, e.evaluatedCount());
    assertEquals(NOT_SAMPLED, e.policyDecision(0));
    assertEquals(SAMPLED, e.policyDecision(1));
    assertEquals(SAMPLED, e.policyDecision(2));
    assertEquals("all", e.policyName(e.decidedBy()), "the first policy that sampled");
  }

  @Test
  void anySampledSamplesElseNotSampled() {
    PolicyEvaluator evaluator =
        evaluator(ERRORS, "{name: slow, type: latency, latency: {threshold_ms: 1000}}");
    Evaluation e = evaluator.newEvaluation();
    assertEquals(SAMPLED, evaluator.evaluate(trace().statuses(SpanStatus.OK).durationMillis(2000), e));
    assertEquals("slow", e.policyName(e.decidedBy()));
    assertEquals(NOT_SAMPLED, evaluator.evaluate(trace().statuses(SpanStatus.OK).durationMillis(10), e));
    assertEquals(-1, e.decidedBy());
    assertEquals(2, e.evaluatedCount());
    assertEquals(NOT_SAMPLED, e.policyDecision(0));
    assertEquals(NOT_SAMPLED, e.policyDecision(1));
  }

  @Test
  void sampleOnFirstMatchStopsAtTheFirstSamplingPolicy() {
    PolicyEvaluator evaluator =
        evaluator(true, ERRORS, ALL, "{name: p, type: probabilistic, probabilistic: {sampling_percentage: 100}}");
    Evaluation e = evaluator.newEvaluation();
    assertEquals(SAMPLED, evaluator.evaluate(trace().statuses(SpanStatus.ERROR), e));
    assertEquals(1, e.evaluatedCount());
    assertEquals(SAMPLED, evaluator.evaluate(trace().statuses(SpanStatus.OK), e));
    assertEquals(2, e.evaluatedCount(), "errors said no, always_sample said yes, probabilistic never ran");

    PolicyEvaluator withoutFirstMatch =
        evaluator(false, ERRORS, ALL, "{name: p, type: probabilistic, probabilistic: {sampling_percentage: 100}}");
    Evaluation all = withoutFirstMatch.newEvaluation();
    withoutFirstMatch.evaluate(trace().statuses(SpanStatus.ERROR), all);
    assertEquals(3, all.evaluatedCount(), "by default every policy runs and is counted");
  }

  @Test
  void sampleOnFirstMatchStillLetsDropPoliciesWin() {
    PolicyEvaluator evaluator = evaluator(true, ALL, DROP_SMALL);
    Evaluation e = evaluator.newEvaluation();
    assertEquals(DROPPED, evaluator.evaluate(trace().spans(1), e));
    assertEquals(SAMPLED, evaluator.evaluate(trace().spans(5), e));
  }

  @Test
  void andAndNotCombine() {
    // Keep errors of big traces, and everything that is not fast; drop single-span OK traces.
    PolicyEvaluator evaluator =
        evaluator(
            "{name: big-errors, type: and, and: {and_sub_policy: [" + ERRORS + ", {name: big, type: span_count, span_count: {min_spans: 10}}]}}",
            "{name: not-fast, type: not, not: {not_sub_policy: {name: fast, type: latency, latency: {threshold_ms: 0, upper_threshold_ms: 100}}}}",
            "{name: drop-lonely-ok, type: drop, drop: {drop_sub_policy: ["
                + "{name: one, type: span_count, span_count: {max_spans: 1}},"
                + "{name: no-error, type: not, not: {not_sub_policy: " + ERRORS + "}}]}}");
    Evaluation e = evaluator.newEvaluation();

    assertEquals(SAMPLED, evaluator.evaluate(trace().spans(10).statuses(SpanStatus.ERROR).durationMillis(50), e));
    assertEquals("big-errors", e.policyName(e.decidedBy()));
    assertEquals(NOT_SAMPLED, evaluator.evaluate(trace().spans(9).statuses(SpanStatus.ERROR).durationMillis(50), e));
    assertEquals(SAMPLED, evaluator.evaluate(trace().spans(2).statuses(SpanStatus.OK).durationMillis(500), e));
    assertEquals("not-fast", e.policyName(e.decidedBy()));
    assertEquals(DROPPED, evaluator.evaluate(trace().spans(1).statuses(SpanStatus.OK).durationMillis(500), e));
    assertEquals(
        SAMPLED,
        evaluator.evaluate(trace().spans(1).statuses(SpanStatus.ERROR).durationMillis(500), e),
        "the error escapes the drop, and the not-fast policy keeps it");
  }

  @Test
  void invertDecisionsFollowTheCollectorsPrecedence() {
    Policy sampled = t -> SAMPLED;
    Policy notSampled = t -> NOT_SAMPLED;
    Policy invertSampled = t -> INVERT_SAMPLED;
    Policy invertNot = t -> INVERT_NOT_SAMPLED;
    Policy dropped = t -> DROPPED;

    assertEquals(NOT_SAMPLED, decide(sampled, invertNot), "an inverted not-sampled vetoes a sample");
    assertEquals(DROPPED, decide(invertNot, dropped), "a drop outranks it");
    assertEquals(SAMPLED, decide(invertSampled), "an inverted sample keeps the trace alone");
    assertEquals(SAMPLED, decide(invertSampled, invertSampled));
    assertEquals(NOT_SAMPLED, decide(invertSampled, notSampled), "but not against a plain not-sampled");
    assertEquals(SAMPLED, decide(invertSampled, notSampled, sampled), "a plain sample still keeps it");
    assertEquals(NOT_SAMPLED, decide(notSampled, notSampled));

    PolicyEvaluator firstMatch = PolicyEvaluator.of(List.of(invertSampled, sampled, notSampled), List.of("a", "b", "c"), true);
    Evaluation e = firstMatch.newEvaluation();
    assertEquals(SAMPLED, firstMatch.evaluate(trace(), e));
    assertEquals(2, e.evaluatedCount(), "sample_on_first_match stops at SAMPLED, not at INVERT_SAMPLED");
    assertEquals(1, e.decidedBy());
  }

  @Test
  void anEvaluationBelongsToItsEvaluator() {
    PolicyEvaluator a = evaluator(ALL);
    PolicyEvaluator b = evaluator(ALL);
    Evaluation e = a.newEvaluation();
    assertThrows(IllegalArgumentException.class, () -> b.evaluate(trace(), e));
    a.evaluate(trace(), e);
    assertThrows(IndexOutOfBoundsException.class, () -> e.policyDecision(1));
  }

  @Test
  void evaluationAllocatesNothing() {
    PolicyEvaluator evaluator =
        evaluator(
            DROP_SMALL,
            ERRORS,
            "{name: p, type: probabilistic, probabilistic: {sampling_percentage: 10, hash_salt: s}}",
            "{name: l, type: latency, latency: {threshold_ms: 100, upper_threshold_ms: 5000}}",
            "{name: a, type: and, and: {and_sub_policy: [{name: s, type: span_count, span_count: {min_spans: 5}},"
                + " {name: n, type: not, not: {not_sub_policy: " + ERRORS + "}}]}}");
    Evaluation e = evaluator.newEvaluation();
    TestTrace[] traces = new TestTrace[64];
    for (int i = 0; i < traces.length; i++) {
      traces[i] =
          trace()
              .id(i * 0x9E3779B97F4A7C15L, ~i)
              .spans(i % 12)
              .durationMillis(i * 97L)
              .statuses(i % 3 == 0 ? SpanStatus.ERROR : SpanStatus.OK);
    }
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    int sampled = 0;
    for (int i = 0; i < 200_000; i++) { // warm up so the measured loop runs compiled code
      sampled += evaluator.evaluate(traces[i & 63], e) == SAMPLED ? 1 : 0;
    }
    long before = threads.getThreadAllocatedBytes(thread);
    for (int i = 0; i < 1_000_000; i++) {
      sampled += evaluator.evaluate(traces[i & 63], e) == SAMPLED ? 1 : 0;
    }
    long allocated = threads.getThreadAllocatedBytes(thread) - before;
    assertTrue(sampled > 0);
    // A million evaluations; anything per evaluation would be megabytes. The allowance covers
    // the measuring calls themselves.
    assertTrue(allocated < 64 * 1024, "allocated " + allocated + " bytes over 1,000,000 evaluations");
  }

  private static Decision decide(Policy... policies) {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < policies.length; i++) {
      names.add("p" + i);
    }
    PolicyEvaluator evaluator = PolicyEvaluator.of(List.of(policies), names, false);
    return evaluator.evaluate(trace(), evaluator.newEvaluation());
  }

  private static PolicyEvaluator evaluator(String... flowPolicies) {
    return evaluator(false, flowPolicies);
  }

  private static PolicyEvaluator evaluator(boolean sampleOnFirstMatch, String... flowPolicies) {
    String yaml =
        "sample_on_first_match: " + sampleOnFirstMatch + "\npolicies: [" + String.join(", ", flowPolicies) + "]";
    return PolicyEvaluator.create(Yaml.parse(yaml));
  }
}

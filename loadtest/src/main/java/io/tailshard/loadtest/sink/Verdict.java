package io.tailshard.loadtest.sink;

import io.tailshard.loadtest.truth.ProbabilisticRule;
import io.tailshard.loadtest.truth.SpanMetricsTable;
import io.tailshard.loadtest.truth.TraceId;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.HdrHistogram.Histogram;

/**
 * The sink's judgement of what arrived against the ground truth. A trace is "kept" when at least
 * one of its spans arrived. Traces whose spans were not all accepted by the product
 * (ground-truth {@code failed_spans > 0}) are uncertain and left out of every criterion.
 *
 * <p>Criteria, all required for a pass: a ground truth was read; every error trace kept; every
 * kept trace complete (all its accepted spans arrived); no duplicate span; no span of a trace the
 * truth does not know; the kept share of non-error traces within three standard deviations of the
 * sampling percentage (binomial); with {@code --exact-rule}, exactly the non-error traces the
 * probabilistic rule selects kept; with {@code --check-spanmetrics}, the span metrics equal to the
 * expectation in every series and bucket.
 */
final class Verdict {
  private static final int EXAMPLES = 5;
  /** Duplicated traces listed in the result, so a caller (cluster) can tell where duplicates come from. */
  static final int DUPLICATE_TRACES_LISTED = 10_000;

  /** One criterion: what was measured, what was required, and whether it held. */
  record Criterion(String name, String measured, String required, boolean pass) {}

  long truthTraces;
  long uncertainTraces;
  long errorTraces;
  long errorTracesKept;
  long nonErrorTraces;
  long nonErrorKept;
  long ruleSelected;
  long ruleMissed;
  long ruleExtra;
  long keptTraces;
  long completeTraces;
  long spansExpected;
  long spansLost;
  long spansExtra;
  long unknownTraces;
  long unknownSpans;
  long duplicates;
  long invalidSpans;
  long spansReceived;
  long lateSpansInKept;
  long splitOverRequests;
  long splitOverConnections;
  final Histogram arrivalSpreadMicros = new Histogram(3);
  double probabilisticLow;
  double probabilisticHigh;
  double probabilisticObserved;
  double probabilisticExpected;
  boolean spanmetricsChecked;
  long spanmetricsExpectedCalls;
  long spanmetricsActualCalls;
  long spanmetricsCallsDiff;
  long spanmetricsBucketsDiff;
  boolean spanmetricsForeignBounds;
  final List<String> spanmetricsMismatches = new ArrayList<>();
  final Set<String> incompleteExamples = new LinkedHashSet<>();
  /** Traces with a span received more than once: trace id -> repeated spans; the first {@link #DUPLICATE_TRACES_LISTED}. */
  final java.util.Map<String, Integer> duplicateTraces = new java.util.LinkedHashMap<>();
  long duplicateTracesTotal;
  final Set<String> missingErrorExamples = new LinkedHashSet<>();
  final Set<String> ruleMismatchExamples = new LinkedHashSet<>();
  final List<Criterion> criteria = new ArrayList<>();

  static Verdict judge(SpanLedger ledger, ProbabilisticRule rule, boolean exactRule, boolean truthRead,
      SpanMetricsTable expectedMetrics, MetricsLedger metrics) {
    Verdict v = new Verdict();
    v.duplicates = ledger.duplicates();
    v.invalidSpans = ledger.invalidSpans();
    v.spansReceived = ledger.spans();
    ledger.forEach((id, r) -> v.visit(id, r, rule));
    v.criteria(rule, exactRule, truthRead, expectedMetrics, metrics);
    return v;
  }

  private void visit(TraceId id, TraceRecord r, ProbabilisticRule rule) {
    boolean kept = r.distinct > 0;
    if (r.received > r.distinct) {
      duplicateTracesTotal++;
      if (duplicateTraces.size() < DUPLICATE_TRACES_LISTED) {
        duplicateTraces.put(id.hex(), r.received - r.distinct);
      }
    }
    if (!r.hasTruth()) {
      unknownTraces++;
      unknownSpans += r.received;
      return;
    }
    truthTraces++;
    if (r.truthFailed > 0) {
      uncertainTraces++;
      return;
    }
    if (r.truthError) {
      errorTraces++;
      if (kept) {
        errorTracesKept++;
      } else if (missingErrorExamples.size() < EXAMPLES) {
        missingErrorExamples.add(id.hex());
      }
    } else {
      nonErrorTraces++;
      boolean selected = rule.sampled(id.high(), id.low());
      if (selected) {
        ruleSelected++;
      }
      if (kept) {
        nonErrorKept++;
      }
      if (selected != kept) {
        if (selected) {
          ruleMissed++;
        } else {
          ruleExtra++;
        }
        if (ruleMismatchExamples.size() < EXAMPLES) {
          ruleMismatchExamples.add(id.hex() + (selected ? " selected, not kept" : " kept, not selected"));
        }
      }
    }
    if (!kept) {
      return;
    }
    keptTraces++;
    spansExpected += r.expected;
    lateSpansInKept += r.truthLate;
    if (r.requests > 1) {
      splitOverRequests++;
    }
    if (Long.bitCount(r.connections) > 1) {
      splitOverConnections++;
    }
    arrivalSpreadMicros.recordValue(Math.max(0, (r.lastArrivalNanos - r.firstArrivalNanos) / 1000));
    if (r.distinct == r.expected) {
      completeTraces++;
    } else if (r.distinct < r.expected) {
      spansLost += r.expected - r.distinct;
      if (incompleteExamples.size() < EXAMPLES) {
        incompleteExamples.add(id.hex() + " " + r.distinct + "/" + r.expected + " spans");
      }
    } else {
      spansExtra += r.distinct - r.expected;
      if (incompleteExamples.size() < EXAMPLES) {
        incompleteExamples.add(id.hex() + " " + r.distinct + "/" + r.expected + " spans (more than sent)");
      }
    }
  }

  private void criteria(ProbabilisticRule rule, boolean exactRule, boolean truthRead,
      SpanMetricsTable expectedMetrics, MetricsLedger metrics) {
    criteria.add(new Criterion("ground truth read", truthRead ? truthTraces + " traces" : "none",
        "a ground truth with traces", truthRead && truthTraces > 0));
    criteria.add(new Criterion("error traces kept", percent(errorTracesKept, errorTraces), "100%",
        errorTracesKept == errorTraces));
    criteria.add(new Criterion("kept traces complete", percent(completeTraces, keptTraces)
        + " (" + spansLost + " spans lost, " + spansExtra + " extra)", "100%", completeTraces == keptTraces));
    criteria.add(new Criterion("duplicate spans", Long.toString(duplicates), "0", duplicates == 0));
    criteria.add(new Criterion("spans of unknown traces", Long.toString(unknownSpans), "0", unknownSpans == 0));

    double p = rule.percentage() / 100;
    long n = nonErrorTraces;
    probabilisticExpected = p;
    probabilisticObserved = n == 0 ? p : (double) nonErrorKept / n;
    double sigma = n == 0 ? 0 : Math.sqrt(p * (1 - p) / n);
    probabilisticLow = Math.max(0, p - 3 * sigma);
    probabilisticHigh = Math.min(1, p + 3 * sigma);
    // A tiny tolerance so that p = 1 or 0 with sigma 0 compares exactly, not by rounding.
    boolean within = probabilisticObserved >= probabilisticLow - 1e-12 && probabilisticObserved <= probabilisticHigh + 1e-12;
    criteria.add(new Criterion("probabilistic kept fraction", String.format("%.4f of %d non-error traces", probabilisticObserved, n),
        String.format("%.4f, 3-sigma [%.4f, %.4f]", p, probabilisticLow, probabilisticHigh), within));
    if (exactRule) {
      criteria.add(new Criterion("probabilistic rule agreement",
          ruleMissed + " selected but dropped, " + ruleExtra + " kept but not selected", "0 and 0",
          ruleMissed == 0 && ruleExtra == 0));
    }
    if (expectedMetrics != null && metrics != null) {
      spanmetricsChecked = true;
      compareSpanMetrics(expectedMetrics, metrics);
      criteria.add(new Criterion("spanmetrics deviation",
          String.format("calls %d vs %d expected (|diff| %d), buckets |diff| %d%s", spanmetricsActualCalls,
              spanmetricsExpectedCalls, spanmetricsCallsDiff, spanmetricsBucketsDiff,
              spanmetricsForeignBounds ? ", non-default bounds" : ""),
          "0", spanmetricsCallsDiff == 0 && spanmetricsBucketsDiff == 0 && !spanmetricsForeignBounds));
    }
  }

  private void compareSpanMetrics(SpanMetricsTable expected, MetricsLedger metrics) {
    SpanMetricsTable actual = metrics.table();
    spanmetricsForeignBounds = metrics.foreignBounds();
    spanmetricsExpectedCalls = expected.totalCalls();
    spanmetricsActualCalls = actual.totalCalls();
    Set<SpanMetricsTable.Key> keys = new LinkedHashSet<>(expected.keys());
    keys.addAll(actual.keys());
    for (SpanMetricsTable.Key k : keys) {
      SpanMetricsTable.Cell e = expected.get(k);
      SpanMetricsTable.Cell a = actual.get(k);
      long callsDiff = Math.abs(e.calls() - a.calls());
      long bucketDiff = 0;
      for (int i = 0; i < SpanMetricsTable.BUCKETS; i++) {
        bucketDiff += Math.abs(e.buckets()[i] - a.buckets()[i]);
      }
      spanmetricsCallsDiff += callsDiff;
      spanmetricsBucketsDiff += bucketDiff;
      if ((callsDiff > 0 || bucketDiff > 0) && spanmetricsMismatches.size() < 10) {
        spanmetricsMismatches.add(k.service() + " | " + k.spanName() + " | " + k.spanKind() + " | " + k.statusCode()
            + ": calls " + a.calls() + " expected " + e.calls() + ", buckets |diff| " + bucketDiff);
      }
    }
  }

  boolean pass() {
    return criteria.stream().allMatch(Criterion::pass);
  }

  static String percent(long part, long whole) {
    return whole == 0 ? "n/a (none)" : String.format("%.3f%% (%d/%d)", 100.0 * part / whole, part, whole);
  }

  /** The verdict as the lines the sink prints at the end. */
  String text() {
    StringBuilder sb = new StringBuilder();
    sb.append("sink verdict: ").append(pass() ? "PASS" : "FAIL").append('\n');
    for (Criterion c : criteria) {
      sb.append(String.format("  %-4s %-30s %s (required %s)%n", c.pass ? "ok" : "FAIL", c.name, c.measured, c.required));
    }
    sb.append(String.format("  info spans received %d, kept traces %d, split over requests %d, over connections %d, "
            + "uncertain traces %d, late spans in kept traces %d, arrival spread p50 %.0f ms max %.0f ms%n",
        spansReceived, keptTraces, splitOverRequests, splitOverConnections, uncertainTraces, lateSpansInKept,
        arrivalSpreadMicros.getValueAtPercentile(50) / 1000.0, arrivalSpreadMicros.getMaxValue() / 1000.0));
    for (String s : incompleteExamples) {
      sb.append("  incomplete: ").append(s).append('\n');
    }
    for (String s : missingErrorExamples) {
      sb.append("  error trace not kept: ").append(s).append('\n');
    }
    for (String s : ruleMismatchExamples) {
      sb.append("  rule mismatch: ").append(s).append('\n');
    }
    for (String s : spanmetricsMismatches) {
      sb.append("  spanmetrics: ").append(s).append('\n');
    }
    return sb.toString();
  }

  private JsonArray duplicateTracesJson() {
    JsonArray a = new JsonArray();
    duplicateTraces.forEach((id, n) -> a.add(new JsonObject().put("trace_id", id).put("spans", n)));
    return a;
  }

  JsonObject toJson() {
    JsonArray cs = new JsonArray();
    for (Criterion c : criteria) {
      cs.add(new JsonObject().put("name", c.name).put("measured", c.measured).put("required", c.required)
          .put("pass", c.pass));
    }
    return new JsonObject()
        .put("pass", pass())
        .put("criteria", cs)
        .put("truth_traces", truthTraces)
        .put("uncertain_traces", uncertainTraces)
        .put("error_traces", errorTraces)
        .put("error_traces_kept", errorTracesKept)
        .put("error_traces_kept_pct", errorTraces == 0 ? 100.0 : 100.0 * errorTracesKept / errorTraces)
        .put("kept_traces", keptTraces)
        .put("complete_traces", completeTraces)
        .put("kept_traces_complete_pct", keptTraces == 0 ? 100.0 : 100.0 * completeTraces / keptTraces)
        .put("spans_received", spansReceived)
        .put("spans_expected_in_kept_traces", spansExpected)
        .put("spans_lost", spansLost)
        .put("spans_extra", spansExtra)
        .put("duplicates", duplicates)
        .put("duplicate_traces_total", duplicateTracesTotal)
        .put("duplicate_traces", duplicateTracesJson())
        .put("invalid_spans", invalidSpans)
        .put("unknown_traces", unknownTraces)
        .put("unknown_spans", unknownSpans)
        .put("late_spans_in_kept_traces", lateSpansInKept)
        .put("traces_split_over_requests", splitOverRequests)
        .put("traces_split_over_connections", splitOverConnections)
        .put("arrival_spread_ms", new JsonObject()
            .put("p50", arrivalSpreadMicros.getValueAtPercentile(50) / 1000.0)
            .put("p99", arrivalSpreadMicros.getValueAtPercentile(99) / 1000.0)
            .put("max", arrivalSpreadMicros.getMaxValue() / 1000.0))
        .put("probabilistic", new JsonObject()
            .put("non_error_traces", nonErrorTraces)
            .put("kept", nonErrorKept)
            .put("expected_fraction", probabilisticExpected)
            .put("observed_fraction", probabilisticObserved)
            .put("interval_low", probabilisticLow)
            .put("interval_high", probabilisticHigh)
            .put("rule_selected", ruleSelected)
            .put("rule_selected_but_dropped", ruleMissed)
            .put("kept_but_not_selected", ruleExtra))
        .put("spanmetrics", new JsonObject()
            .put("checked", spanmetricsChecked)
            .put("expected_calls", spanmetricsExpectedCalls)
            .put("actual_calls", spanmetricsActualCalls)
            .put("calls_abs_diff", spanmetricsCallsDiff)
            .put("buckets_abs_diff", spanmetricsBucketsDiff)
            .put("deviation", spanmetricsExpectedCalls == 0 ? 0.0
                : (double) (spanmetricsCallsDiff + spanmetricsBucketsDiff) / spanmetricsExpectedCalls)
            .put("foreign_bounds", spanmetricsForeignBounds)
            .put("mismatches", new JsonArray(spanmetricsMismatches)))
        .put("examples", new JsonObject()
            .put("incomplete", new JsonArray(new ArrayList<>(incompleteExamples)))
            .put("error_not_kept", new JsonArray(new ArrayList<>(missingErrorExamples)))
            .put("rule_mismatch", new JsonArray(new ArrayList<>(ruleMismatchExamples))));
  }
}

package io.tailshard.sampling.processor.tailsampling;

import io.tailshard.common.telemetry.MetricRegistry;
import java.util.function.DoubleSupplier;

/**
 * The Collector's {@code otelcol_processor_tail_sampling_*} metrics and tailshard's lag metric for
 * one processor ({@code tailshard_late_spans} and the buffer gauges are the store's). Per-policy counters are created up front, one per policy and
 * decision, so counting a decision is an array index, not a lookup.
 */
final class TailSamplingMetrics {
  private static final String P = "otelcol_processor_tail_sampling_";
  private static final double[] DECISION_LATENCY_US = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000, 10000};
  private static final double[] TIMER_LATENCY_MS = {1, 5, 10, 25, 50, 100, 250, 500, 1000, 5000, 10000, 30000};
  private static final double[] AGE_S = {1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600};

  final MetricRegistry.Counter[][] perPolicy;
  final MetricRegistry.Counter[] global;
  final MetricRegistry.Counter newTraces;
  final MetricRegistry.Counter earlyReleaseSampled;
  final MetricRegistry.Counter earlyReleaseNotSampled;
  final MetricRegistry.Counter droppedTooEarly;
  final MetricRegistry.Counter tooLarge;
  final MetricRegistry.Counter exportFailures;
  final MetricRegistry.Counter duplicateSpans;
  final MetricRegistry.Histogram decisionLatency;
  final MetricRegistry.Histogram timerLatency;
  final MetricRegistry.Histogram lateSpanAge;
  final MetricRegistry.Histogram removalAge;
  private final MetricRegistry registry;
  private final String processor;

  TailSamplingMetrics(MetricRegistry m, String processor, PolicyEvaluator evaluator) {
    this.registry = m;
    this.processor = processor;
    Decision[] decisions = Decision.values();
    perPolicy = new MetricRegistry.Counter[evaluator.policyCount()][decisions.length];
    for (int p = 0; p < evaluator.policyCount(); p++) {
      // The Collector labels a named processor's policies "<processor name>.<policy name>".
      String name = processor.contains("/")
          ? processor.substring(processor.indexOf('/') + 1) + "." + evaluator.policyName(p)
          : evaluator.policyName(p);
      for (Decision d : decisions) {
        perPolicy[p][d.ordinal()] = m.counter(P + "count_traces_sampled",
            "Count of traces that were sampled or not per sampling policy",
            "processor", processor, "policy", name, "sampled", d.sampledLabel(), "decision", d.decisionLabel());
      }
    }
    global = new MetricRegistry.Counter[decisions.length];
    for (Decision d : decisions) {
      global[d.ordinal()] = m.counter(P + "global_count_traces_sampled",
          "Global count of traces that were sampled or not by at least one policy",
          "processor", processor, "sampled", d.sampledLabel(), "decision", d.decisionLabel());
    }
    newTraces = m.counter(P + "new_trace_id_received", "Counts the arrival of new traces", "processor", processor);
    earlyReleaseSampled = m.counter(P + "early_releases_from_cache_decision",
        "Number of spans that were able to be immediately released due to a decision cache hit.",
        "processor", processor, "sampled", "true");
    earlyReleaseNotSampled = m.counter(P + "early_releases_from_cache_decision",
        "Number of spans that were able to be immediately released due to a decision cache hit.",
        "processor", processor, "sampled", "false");
    droppedTooEarly = m.counter(P + "sampling_trace_dropped_too_early",
        "Count of traces that needed to be dropped before the configured wait time", "processor", processor);
    tooLarge = m.counter("tailshard_tail_sampling_traces_over_max_size",
        "Traces dropped because they grew past maximum_trace_size_bytes", "processor", processor);
    exportFailures = m.counter("tailshard_tail_sampling_kept_export_retries",
        "Exports of kept traces refused downstream and retried (the traces stay buffered)", "processor", processor);
    duplicateSpans = m.counter("tailshard_tail_sampling_duplicate_spans",
        "Spans of kept traces received more than once (a sender's retry after a lost acknowledgement), exported once",
        "processor", processor);
    decisionLatency = m.histogram(P + "sampling_decision_latency",
        "Latency (in microseconds) of a given sampling policy", DECISION_LATENCY_US, "processor", processor);
    timerLatency = m.histogram(P + "sampling_decision_timer_latency",
        "Latency (in milliseconds) of each run of the sampling decision timer", TIMER_LATENCY_MS, "processor", processor);
    lateSpanAge = m.histogram(P + "sampling_late_span_age",
        "Time (in seconds) from the sampling decision to the arrival of a late span", AGE_S, "processor", processor);
    removalAge = m.histogram(P + "sampling_trace_removal_age",
        "Time (in seconds) from arrival of a new trace until its removal from memory", AGE_S, "processor", processor);
    m.counterFn(P + "sampling_policy_evaluation_error", "Count of sampling policy evaluation errors",
        () -> 0, "processor", processor);
  }

  void gauges(DoubleSupplier tracesInMemory, DoubleSupplier lagSeconds) {
    registry.gauge(P + "sampling_traces_on_memory", "Tracks the number of traces current on memory",
        tracesInMemory, "processor", processor);
    registry.gauge("tailshard_window_lag_seconds",
        "How far the decision loop is behind: now minus the earliest due time of the traces it decided last",
        lagSeconds, "processor", processor);
  }
}

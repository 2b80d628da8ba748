package io.tailshard.loadtest.generate;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * The outcome of a generate run: what was offered and accepted, the rates, request latency, CPU,
 * and whether the run had to be cut short. Written as {@code generate-summary.json}, the last file
 * of a run, so its presence tells the sink that the ground truth is complete.
 */
record GenerateSummary(
    GeneratorOptions options,
    Instant started,
    double runSeconds,
    double creationSeconds,
    double acceptingSeconds,
    long traces,
    long spansOffered,
    long spansAccepted,
    long spansFailed,
    long requests,
    long requestsFailed,
    long errorTraces,
    long lateSpans,
    long tracesWithFailures,
    double throttledSeconds,
    Histogram latencyMicros,
    double cpuSeconds,
    boolean forcedStop,
    String lastError,
    List<Generator.Second> seconds) {

  /** Accepted spans over the time from the start to the last accepted answer. */
  double achievedRate() {
    return spansAccepted / acceptingSeconds;
  }

  /**
   * The median of the per-second accepted rate while traces were being started, leaving out the
   * first trace spread (spans of the first traces are still on their way) : the sustained rate.
   */
  double steadyRate() {
    double skip = Math.ceil(options.traceSpread().toMillis() / 1000.0);
    double lastFull = Math.floor(creationSeconds);
    List<Long> perSecond = new ArrayList<>();
    long previous = 0;
    for (Generator.Second s : seconds) {
      long d = s.accepted() - previous;
      previous = s.accepted();
      if (s.t() > skip && s.t() <= lastFull) {
        perSecond.add(d);
      }
    }
    if (perSecond.isEmpty()) {
      return achievedRate();
    }
    Collections.sort(perSecond);
    return perSecond.get(perSecond.size() / 2);
  }

  boolean clean() {
    return spansFailed == 0 && !forcedStop;
  }

  JsonObject toJson() {
    GeneratorOptions o = options;
    JsonObject latency = new JsonObject();
    latency.put("p50", ms(50)).put("p90", ms(90)).put("p99", ms(99)).put("p99_9", ms(99.9));
    latency.put("max", latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getMaxValue() / 1000.0);
    latency.put("mean", latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getMean() / 1000.0);
    return new JsonObject()
        .put("command", "generate")
        .put("started", started.toString())
        .put("protocol", o.protocol().text)
        .put("compression", o.gzip() ? "gzip" : "none")
        .put("endpoints", new JsonArray(o.endpoints()))
        .put("connections", o.connections())
        .put("seed", o.seed())
        .put("target_spans_per_s", o.rate())
        .put("rate_steps", new JsonArray(o.rateSteps().stream()
            .map(st -> new JsonObject().put("at_ms", st.at().toMillis()).put("spans_per_s", st.rate())).toList()))
        .put("achieved_spans_per_s", achievedRate())
        .put("steady_spans_per_s", steadyRate())
        .put("run_seconds", runSeconds)
        .put("creation_seconds", creationSeconds)
        .put("throttled_seconds", throttledSeconds)
        .put("traces", traces)
        .put("spans_offered", spansOffered)
        .put("spans_accepted", spansAccepted)
        .put("spans_failed", spansFailed)
        .put("requests", requests)
        .put("requests_failed", requestsFailed)
        .put("error_traces", errorTraces)
        .put("late_spans", lateSpans)
        .put("traces_with_failures", tracesWithFailures)
        .put("latency_ms", latency)
        .put("cpu_seconds", cpuSeconds)
        .put("cpu_seconds_per_million_spans", spansAccepted == 0 || cpuSeconds < 0 ? null
            : cpuSeconds / (spansAccepted / 1e6))
        .put("forced_stop", forcedStop)
        .put("last_error", lastError)
        .put("shape", new JsonObject()
            .put("services", o.services())
            .put("operations", o.operations())
            .put("spans_per_trace", String.valueOf(o.spansPerTrace()))
            .put("depth", o.depth())
            .put("attributes", o.attributes())
            .put("attribute_size", o.attributeSize())
            .put("error_ratio", o.errorRatio())
            .put("span_duration_ms", String.valueOf(o.spanDurationMs()))
            .put("trace_spread_ms", o.traceSpread().toMillis())
            .put("late_ratio", o.lateRatio())
            .put("late_delay_ms", o.lateDelay().toMillis())
            .put("late_spans", o.lateSpans())
            .put("batch_spans", o.batchSpans())
            .put("batch_interval_ms", o.batchInterval().toMillis()));
  }

  private double ms(double percentile) {
    return latencyMicros.getTotalCount() == 0 ? 0 : latencyMicros.getValueAtPercentile(percentile) / 1000.0;
  }
}

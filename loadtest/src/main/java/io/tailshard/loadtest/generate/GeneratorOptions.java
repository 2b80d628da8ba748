package io.tailshard.loadtest.generate;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Everything {@code generate} was asked to do, validated by {@link GenerateCommand}. Durations are
 * never null; {@code maxTraces} 0 means "until {@code duration} is over".
 */
record GeneratorOptions(
    List<String> endpoints,
    Protocol protocol,
    boolean gzip,
    double rate,
    List<RateStep> rateSteps,
    Duration duration,
    long maxTraces,
    int connections,
    int workers,
    int maxInflight,
    int batchSpans,
    Duration batchInterval,
    Duration timeout,
    int services,
    int operations,
    Distribution spansPerTrace,
    int depth,
    int attributes,
    int attributeSize,
    double errorRatio,
    Distribution spanDurationMs,
    Duration traceSpread,
    double lateRatio,
    Duration lateDelay,
    int lateSpans,
    Duration drainTimeout,
    long seed,
    Path out,
    boolean quiet) {

  /** The wire protocol, named as {@code OTEL_EXPORTER_OTLP_PROTOCOL} names it. */
  enum Protocol {
    GRPC("grpc"),
    HTTP_PROTOBUF("http/protobuf"),
    HTTP_JSON("http/json");

    final String text;

    Protocol(String text) {
      this.text = text;
    }

    static Protocol of(String text) {
      for (Protocol p : values()) {
        if (p.text.equals(text)) {
          return p;
        }
      }
      throw new IllegalArgumentException(text);
    }
  }

  /** From {@code at} after the start on, the target is {@code rate} spans per second. */
  record RateStep(Duration at, double rate) {}

  GeneratorOptions {
    endpoints = List.copyOf(endpoints);
    rateSteps = List.copyOf(rateSteps);
  }

  /** The target rate {@code elapsedNanos} after the start: {@code rate}, then each step in turn. */
  double rateAt(long elapsedNanos) {
    double r = rate;
    for (RateStep step : rateSteps) {
      if (elapsedNanos >= step.at().toNanos()) {
        r = step.rate();
      }
    }
    return r;
  }

  /** Spans in the largest trace the factory makes; keeps span indices in 16 bits. */
  static final int MAX_SPANS_PER_TRACE = 10_000;
}

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

  GeneratorOptions {
    endpoints = List.copyOf(endpoints);
  }

  /** Spans in the largest trace the factory makes; keeps span indices in 16 bits. */
  static final int MAX_SPANS_PER_TRACE = 10_000;
}

package io.tailshard.common.receiver.otlp;

import io.tailshard.common.telemetry.MetricRegistry;
import java.util.EnumMap;
import java.util.Map;

/**
 * The receiver's counters for one transport, looked up once so that counting allocates nothing:
 * the Collector's {@code otelcol_receiver_accepted_spans} and {@code otelcol_receiver_refused_spans}
 * (labels {@code receiver}, {@code transport}), and {@code tailshard_receiver_requests} by
 * {@code outcome}, which also counts refusals whose spans could not be counted (a body never read
 * because of overload, a body too large or malformed). Thread-safe.
 */
final class ReceiverMetrics {
  static final String ACCEPTED_SPANS = "otelcol_receiver_accepted_spans";
  static final String REFUSED_SPANS = "otelcol_receiver_refused_spans";
  static final String REQUESTS = "tailshard_receiver_requests";

  private final MetricRegistry.Counter accepted;
  private final MetricRegistry.Counter refused;
  private final Map<Outcome, MetricRegistry.Counter> requests = new EnumMap<>(Outcome.class);

  ReceiverMetrics(MetricRegistry registry, String receiver, String transport) {
    accepted = registry.counter(ACCEPTED_SPANS,
        "Number of spans successfully pushed into the pipeline.", "receiver", receiver, "transport", transport);
    refused = registry.counter(REFUSED_SPANS,
        "Number of spans that could not be pushed into the pipeline.", "receiver", receiver, "transport", transport);
    for (Outcome o : Outcome.values()) {
      requests.put(o, registry.counter(REQUESTS, "OTLP export requests received, by outcome.",
          "receiver", receiver, "transport", transport, "outcome", o.label()));
    }
  }

  void accepted(long spans) {
    accepted.add(spans);
  }

  void refused(long spans) {
    refused.add(spans);
  }

  void request(Outcome outcome) {
    requests.get(outcome).inc();
  }
}

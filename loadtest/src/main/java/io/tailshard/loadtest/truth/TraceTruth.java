package io.tailshard.loadtest.truth;

import java.util.List;

/**
 * What the generator knows about one trace once every span of it was answered: the spans the
 * receiver accepted ({@code spans}), whether an accepted span has status ERROR, how many accepted
 * spans were sent late (after the trace's other spans plus the late delay), spans whose request
 * failed or was partially rejected ({@code failedSpans}: the receiver may or may not hold them, so
 * the sink does not judge such a trace), the trace's start time and its services.
 */
public record TraceTruth(
    TraceId traceId,
    int spans,
    boolean error,
    int lateSpans,
    int failedSpans,
    long startUnixNano,
    List<String> services) {

  public TraceTruth {
    services = List.copyOf(services);
  }

  /** True when every span of the trace was accepted, so the sink can judge it. */
  public boolean certain() {
    return failedSpans == 0;
  }
}

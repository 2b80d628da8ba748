package io.tailshard.common.testing;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What one or more test sinks received, in one place: how often each span arrived, where each
 * trace landed, spans per sink. Lets a test check "each span exactly once, each trace on one node".
 * Thread-safe.
 */
public final class SpanLedger {
  private final Map<String, Integer> timesSeen = new HashMap<>();
  private final Map<String, String> traceOwner = new HashMap<>();
  private final Map<String, Set<String>> spansOfTrace = new HashMap<>();
  private final Map<String, Integer> spansPerSink = new HashMap<>();
  private int splitTraces;
  private long spans;

  public synchronized void record(String sink, String traceHex, String spanHex) {
    timesSeen.merge(spanHex, 1, Integer::sum);
    spansPerSink.merge(sink, 1, Integer::sum);
    spansOfTrace.computeIfAbsent(traceHex, t -> new HashSet<>()).add(spanHex);
    String owner = traceOwner.putIfAbsent(traceHex, sink);
    if (owner != null && !owner.equals(sink) && !owner.contains(",")) {
      splitTraces++;
      traceOwner.put(traceHex, owner + "," + sink);
    }
    spans++;
  }

  /** Spans received, duplicates included. */
  public synchronized long spans() {
    return spans;
  }

  public synchronized int distinctSpans() {
    return timesSeen.size();
  }

  public synchronized long duplicates() {
    return timesSeen.values().stream().filter(n -> n > 1).mapToLong(n -> n - 1).sum();
  }

  /** Traces whose spans reached more than one sink. */
  public synchronized int splitTraces() {
    return splitTraces;
  }

  /** The sink a trace landed on ("a,b" when split), or null. */
  public synchronized String ownerOf(String traceHex) {
    return traceOwner.get(traceHex);
  }

  /** The distinct span ids received for a trace (empty when none). */
  public synchronized Set<String> spansOf(String traceHex) {
    return new HashSet<>(spansOfTrace.getOrDefault(traceHex, Set.of()));
  }

  public synchronized Set<String> traces() {
    return new HashSet<>(spansOfTrace.keySet());
  }

  public synchronized boolean sawSpan(String spanHex) {
    return timesSeen.containsKey(spanHex);
  }

  public synchronized Map<String, Integer> spansPerSink() {
    return new HashMap<>(spansPerSink);
  }
}

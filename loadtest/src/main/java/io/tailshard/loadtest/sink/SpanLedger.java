package io.tailshard.loadtest.sink;

import io.tailshard.common.otlp.wire.ProtoWire;
import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.tailshard.loadtest.truth.TraceId;
import io.tailshard.loadtest.truth.TraceTruth;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import org.HdrHistogram.Histogram;

/**
 * Every span the sink received, per trace, merged with the ground truth as it streams in. Keeps the
 * running counts the live line shows (spans, duplicates, traces complete) up to date on every
 * change, so the per-second line costs nothing. Thread-safe: every method takes the ledger's lock
 * (requests from several event loops, the truth from the command's thread); a request takes it once.
 */
final class SpanLedger {
  private final Map<TraceId, TraceRecord> traces = new HashMap<>();
  private long spans;
  private long requests;
  private long duplicates;
  private long invalidSpans;
  private long tracesWithTruth;
  private long tracesComplete;
  private long requestSeq;
  private final Histogram ageMicros = new Histogram(3);
  private Histogram ageInterval = new Histogram(3);

  /** Counts at one moment, for the live line and the series. */
  record Snapshot(long spans, long requests, long duplicates, long invalidSpans, long tracesSeen,
      long tracesWithTruth, long tracesComplete, Histogram ageInterval) {}

  /**
   * Records the spans of one indexed request that arrived at {@code arrivalUnixNano} on connection
   * {@code connection} (any stable number per connection).
   */
  synchronized void ingest(TraceRequestIndex idx, long arrivalUnixNano, int connection) {
    byte[] buf = idx.buffer();
    long seq = requestSeq++;
    requests++;
    int n = idx.spanCount();
    for (int i = 0; i < n; i++) {
      spans++;
      if (!idx.traceIdValid(i)) {
        invalidSpans++;
        continue;
      }
      TraceRecord r = traces.computeIfAbsent(TraceId.of(buf, idx.traceIdOffset(i)), k -> new TraceRecord());
      r.received++;
      if (r.lastRequest != seq) {
        r.lastRequest = seq;
        r.requests++;
      }
      r.connections |= 1L << (connection & 63);
      if (r.firstArrivalNanos == 0) {
        r.firstArrivalNanos = arrivalUnixNano;
      }
      r.lastArrivalNanos = arrivalUnixNano;
      long spanId = idx.spanIdLength(i) == 8 ? ProtoWire.readBigEndian64(buf, idx.spanIdOffset(i)) : 0;
      if (!r.addSpanId(spanId)) {
        duplicates++;
        continue;
      }
      boolean wasComplete = r.complete();
      r.distinct++;
      if (idx.statusCode(i) == 2) {
        r.sawError = true;
      }
      if (r.complete() != wasComplete) {
        tracesComplete += r.complete() ? 1 : -1;
      }
      long age = Math.max(1, (arrivalUnixNano - idx.endTimeUnixNano(i)) / 1000);
      ageMicros.recordValue(Math.min(age, 3_600_000_000L));
      ageInterval.recordValue(Math.min(age, 3_600_000_000L));
    }
  }

  /** Merges truth lines (each trace once). */
  synchronized void expect(List<TraceTruth> truths) {
    for (TraceTruth t : truths) {
      TraceRecord r = traces.computeIfAbsent(t.traceId(), k -> new TraceRecord());
      if (r.hasTruth()) {
        continue;
      }
      r.expected = t.spans();
      r.truthError = t.error();
      r.truthLate = t.lateSpans();
      r.truthFailed = t.failedSpans();
      tracesWithTruth++;
      if (r.complete()) {
        tracesComplete++;
      }
    }
  }

  /** Counts now; the age histogram covers the time since the previous snapshot. */
  synchronized Snapshot snapshot() {
    Histogram interval = ageInterval;
    ageInterval = new Histogram(3);
    return new Snapshot(spans, requests, duplicates, invalidSpans, traces.size(), tracesWithTruth, tracesComplete,
        interval);
  }

  /** Visits every trace under the lock (for the verdict, after the servers stopped). */
  synchronized void forEach(BiConsumer<TraceId, TraceRecord> visitor) {
    traces.forEach(visitor);
  }

  synchronized Histogram ageTotal() {
    return ageMicros.copy();
  }

  synchronized long duplicates() {
    return duplicates;
  }

  synchronized long spans() {
    return spans;
  }

  synchronized long invalidSpans() {
    return invalidSpans;
  }
}

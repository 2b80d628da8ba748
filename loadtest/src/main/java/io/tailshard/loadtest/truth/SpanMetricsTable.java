package io.tailshard.loadtest.truth;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Span metrics aggregated the way the Collector's spanmetrics connector does with its default
 * dimensions: per service, span name, span kind and status code, the number of calls and the
 * duration histogram over the default explicit buckets (milliseconds, a value v falls in the first
 * bucket whose bound is {@code >= v}, the last bucket is +Inf). The generator fills one with what it
 * sent; the sink fills one with what the product reported, and the two are compared.
 *
 * <p>Not thread-safe.
 */
public final class SpanMetricsTable {
  /** The spanmetrics connector's default histogram bounds, in milliseconds. */
  public static final double[] DEFAULT_BOUNDS_MS = {
      2, 4, 6, 8, 10, 50, 100, 200, 400, 800, 1000, 1400, 2000, 5000, 10000, 15000};
  /** Bucket counts per series: one per bound plus the +Inf bucket. */
  public static final int BUCKETS = DEFAULT_BOUNDS_MS.length + 1;

  private static final String[] KINDS = {
      "SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT",
      "SPAN_KIND_PRODUCER", "SPAN_KIND_CONSUMER"};
  private static final String[] STATUSES = {"STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"};

  /** One series: the connector's default dimensions, kind and status spelled as in its output. */
  public record Key(String service, String spanName, String spanKind, String statusCode) {}

  /** Calls and bucket counts of one series (bucket array owned by the table). */
  public record Cell(long calls, long[] buckets) {}

  private final Map<Key, long[]> cells = new HashMap<>();

  /** {@code SPAN_KIND_SERVER} for 2, and so on; the connector's label values. */
  public static String kindName(int kind) {
    return kind >= 0 && kind < KINDS.length ? KINDS[kind] : KINDS[0];
  }

  public static String statusName(int code) {
    return code >= 0 && code < STATUSES.length ? STATUSES[code] : STATUSES[0];
  }

  /** Index of the bucket holding a duration of {@code nanos}, measured in ms as a double like the connector. */
  public static int bucketOf(long nanos) {
    double ms = Math.max(0, nanos) / 1e6;
    for (int i = 0; i < DEFAULT_BOUNDS_MS.length; i++) {
      if (ms <= DEFAULT_BOUNDS_MS[i]) {
        return i;
      }
    }
    return DEFAULT_BOUNDS_MS.length;
  }

  /** Counts one span. */
  public void record(Key key, long durationNanos) {
    long[] c = cells.computeIfAbsent(key, k -> new long[1 + BUCKETS]);
    c[0]++;
    c[1 + bucketOf(durationNanos)]++;
  }

  /** Adds {@code calls} and {@code buckets} to a series. */
  public void add(Key key, long calls, long[] buckets) {
    long[] c = cells.computeIfAbsent(key, k -> new long[1 + BUCKETS]);
    c[0] += calls;
    for (int i = 0; i < BUCKETS && i < buckets.length; i++) {
      c[1 + i] += buckets[i];
    }
  }

  /** Adds calls only (a calls series seen without its histogram). */
  public void addCalls(Key key, long calls) {
    cells.computeIfAbsent(key, k -> new long[1 + BUCKETS])[0] += calls;
  }

  /** Adds bucket counts only. */
  public void addBuckets(Key key, long[] buckets) {
    long[] c = cells.computeIfAbsent(key, k -> new long[1 + BUCKETS]);
    for (int i = 0; i < BUCKETS && i < buckets.length; i++) {
      c[1 + i] += buckets[i];
    }
  }

  /** Keys sorted by service, name, kind, status, so files and reports are stable. */
  public List<Key> keys() {
    List<Key> keys = new ArrayList<>(cells.keySet());
    keys.sort((a, b) -> {
      int c = a.service.compareTo(b.service);
      if (c == 0) {
        c = a.spanName.compareTo(b.spanName);
      }
      if (c == 0) {
        c = a.spanKind.compareTo(b.spanKind);
      }
      return c != 0 ? c : a.statusCode.compareTo(b.statusCode);
    });
    return keys;
  }

  /** The series, or zero calls and empty buckets when absent. */
  public Cell get(Key key) {
    long[] c = cells.get(key);
    if (c == null) {
      return new Cell(0, new long[BUCKETS]);
    }
    long[] b = new long[BUCKETS];
    System.arraycopy(c, 1, b, 0, BUCKETS);
    return new Cell(c[0], b);
  }

  public boolean contains(Key key) {
    return cells.containsKey(key);
  }

  /** Total calls over every series. */
  public long totalCalls() {
    long n = 0;
    for (long[] c : cells.values()) {
      n += c[0];
    }
    return n;
  }

  public int size() {
    return cells.size();
  }
}

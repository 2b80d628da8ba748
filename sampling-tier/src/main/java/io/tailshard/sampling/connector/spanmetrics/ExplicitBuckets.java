package io.tailshard.sampling.connector.spanmetrics;

import io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import java.util.Arrays;

/**
 * Explicit-bucket histograms of every series in flat primitive arrays: {@code bounds.length + 1}
 * bucket counts per series and a sum. A value equal to a bound counts in that bound's bucket (the
 * upper bound is inclusive, as in OTLP and Prometheus' {@code le}). Not thread-safe.
 */
final class ExplicitBuckets {
  private final double[] bounds;
  private final int width;
  private long[] counts;
  private double[] sums;

  ExplicitBuckets(double[] bounds, int capacity) {
    this.bounds = bounds.clone();
    this.width = bounds.length + 1;
    this.counts = new long[capacity * width];
    this.sums = new double[capacity];
  }

  void ensure(int capacity) {
    if (sums.length < capacity) {
      counts = Arrays.copyOf(counts, capacity * width);
      sums = Arrays.copyOf(sums, capacity);
    }
  }

  void record(int s, double value) {
    // Binary search for the first bound >= value; 16 bounds take 4 or 5 steps.
    int lo = 0;
    int hi = bounds.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (bounds[mid] < value) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    counts[s * width + lo]++;
    sums[s] += value;
  }

  void clear(int s) {
    Arrays.fill(counts, s * width, s * width + width, 0);
    sums[s] = 0;
  }

  void move(int from, int to) {
    System.arraycopy(counts, from * width, counts, to * width, width);
    sums[to] = sums[from];
  }

  long bucket(int s, int b) {
    return counts[s * width + b];
  }

  /** Bounds, bucket counts and sum of series {@code s}; the count is the caller's. */
  void fill(int s, HistogramDataPoint.Builder dp) {
    for (double b : bounds) {
      dp.addExplicitBounds(b);
    }
    for (int b = 0; b < width; b++) {
      dp.addBucketCounts(counts[s * width + b]);
    }
    dp.setSum(sums[s]);
  }

  long footprintBytes() {
    return counts.length * 8L + sums.length * 8L;
  }
}

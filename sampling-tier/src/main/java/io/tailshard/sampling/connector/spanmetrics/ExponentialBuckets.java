package io.tailshard.sampling.connector.spanmetrics;

import io.opentelemetry.proto.metrics.v1.ExponentialHistogramDataPoint;
import java.util.Arrays;

/**
 * Base-2 exponential histograms (OTLP's {@code ExponentialHistogram}) of every series in flat
 * primitive arrays. Each series starts at scale 20 and lowers its scale when the range of its
 * values needs more than {@code maxSize} buckets, as the Collector's connector does. Bucket
 * {@code i} at scale {@code k} holds values in {@code (2^(i/2^k), 2^((i+1)/2^k)]}.
 *
 * <p>A series' buckets live in a ring of {@code maxSize} counters: while its indexes span at most
 * {@code maxSize}, {@code index mod maxSize} is unique, so growing the range at either end moves
 * nothing. Durations are never negative, so only the positive range and the zero count are kept.
 * Not thread-safe.
 */
final class ExponentialBuckets {
  static final int MAX_SCALE = 20;
  private static final double LN2_INV = 1 / Math.log(2);

  private final int maxSize;
  private long[] counts;
  private long[] zeroCount;
  private long[] count;
  private double[] sum;
  private double[] min;
  private double[] max;
  private int[] scale;
  private int[] lo;
  private int[] hi;
  private final long[] scratch;

  ExponentialBuckets(int maxSize, int capacity) {
    this.maxSize = maxSize;
    this.scratch = new long[maxSize];
    allocate(capacity);
  }

  private void allocate(int capacity) {
    counts = new long[capacity * maxSize];
    zeroCount = new long[capacity];
    count = new long[capacity];
    sum = new double[capacity];
    min = new double[capacity];
    max = new double[capacity];
    scale = new int[capacity];
    lo = new int[capacity];
    hi = new int[capacity];
  }

  void ensure(int capacity) {
    if (sum.length >= capacity) {
      return;
    }
    counts = Arrays.copyOf(counts, capacity * maxSize);
    zeroCount = Arrays.copyOf(zeroCount, capacity);
    count = Arrays.copyOf(count, capacity);
    sum = Arrays.copyOf(sum, capacity);
    min = Arrays.copyOf(min, capacity);
    max = Arrays.copyOf(max, capacity);
    scale = Arrays.copyOf(scale, capacity);
    lo = Arrays.copyOf(lo, capacity);
    hi = Arrays.copyOf(hi, capacity);
  }

  /** Index of the bucket holding {@code v > 0} at scale {@code k}. */
  static int index(double v, int k) {
    long bits = Double.doubleToRawLongBits(v);
    int exp = Math.getExponent(v);
    boolean powerOfTwo = (bits & 0x000F_FFFF_FFFF_FFFFL) == 0;
    if (k <= 0) {
      // Powers of two are the inclusive upper end of the bucket below.
      return (powerOfTwo ? exp - 1 : exp) >> -k;
    }
    if (powerOfTwo) {
      return (exp << k) - 1;
    }
    return (int) Math.floor(Math.log(v) * Math.scalb(LN2_INV, k));
  }

  void clear(int s) {
    Arrays.fill(counts, s * maxSize, s * maxSize + maxSize, 0);
    zeroCount[s] = 0;
    count[s] = 0;
    sum[s] = 0;
    min[s] = 0;
    max[s] = 0;
    scale[s] = MAX_SCALE;
    lo[s] = 0;
    hi[s] = -1;
  }

  void move(int from, int to) {
    System.arraycopy(counts, from * maxSize, counts, to * maxSize, maxSize);
    zeroCount[to] = zeroCount[from];
    count[to] = count[from];
    sum[to] = sum[from];
    min[to] = min[from];
    max[to] = max[from];
    scale[to] = scale[from];
    lo[to] = lo[from];
    hi[to] = hi[from];
  }

  void record(int s, double v) {
    if (count[s] == 0) {
      min[s] = v;
      max[s] = v;
    } else {
      min[s] = Math.min(min[s], v);
      max[s] = Math.max(max[s], v);
    }
    count[s]++;
    sum[s] += v;
    if (v <= 0) {
      zeroCount[s]++;
      return;
    }
    int i = index(v, scale[s]);
    boolean empty = hi[s] < lo[s];
    if (empty) {
      lo[s] = i;
      hi[s] = i;
    } else if (i < lo[s] || i > hi[s]) {
      int newLo = Math.min(lo[s], i);
      int newHi = Math.max(hi[s], i);
      int change = 0;
      while ((newHi >> change) - (newLo >> change) + 1 > maxSize) {
        change++;
      }
      if (change > 0) {
        downscale(s, change);
        i >>= change;
      }
      lo[s] = Math.min(lo[s], i);
      hi[s] = Math.max(hi[s], i);
    }
    counts[s * maxSize + Math.floorMod(i, maxSize)]++;
  }

  /** Lowers the scale by {@code change}: bucket {@code i} merges into bucket {@code i >> change}. */
  private void downscale(int s, int change) {
    int base = s * maxSize;
    int from = lo[s];
    int to = hi[s];
    for (int i = from; i <= to; i++) {
      scratch[i - from] = counts[base + Math.floorMod(i, maxSize)];
    }
    Arrays.fill(counts, base, base + maxSize, 0);
    for (int i = from; i <= to; i++) {
      counts[base + Math.floorMod(i >> change, maxSize)] += scratch[i - from];
    }
    scale[s] -= change;
    lo[s] = from >> change;
    hi[s] = to >> change;
  }

  int scale(int s) {
    return scale[s];
  }

  long count(int s) {
    return count[s];
  }

  void fill(int s, ExponentialHistogramDataPoint.Builder dp) {
    dp.setScale(scale[s]).setZeroCount(zeroCount[s]).setCount(count[s]).setSum(sum[s]);
    if (count[s] > 0) {
      dp.setMin(min[s]).setMax(max[s]);
    }
    if (hi[s] >= lo[s]) {
      ExponentialHistogramDataPoint.Buckets.Builder b = dp.getPositiveBuilder().setOffset(lo[s]);
      for (int i = lo[s]; i <= hi[s]; i++) {
        b.addBucketCounts(counts[s * maxSize + Math.floorMod(i, maxSize)]);
      }
    }
  }

  long footprintBytes() {
    return counts.length * 8L + sum.length * 56L;
  }
}

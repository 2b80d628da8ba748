package io.tailshard.loadtest.generate;

import io.tailshard.loadtest.truth.TraceId;
import java.util.SplittableRandom;

/**
 * Makes traces of the requested shape: a root SERVER span and a tree under it no deeper than
 * {@code depth} levels, where a child stays in its parent's service (INTERNAL or CLIENT) or calls
 * another service (SERVER); span durations from the duration distribution; one ERROR span in a
 * share of traces; late spans in another share; and an emission time for every span within the
 * trace spread, the root last (it ends last in a real service), late spans after the late delay.
 *
 * <p>Not thread-safe; the planner thread owns it. Reproducible for a given seed.
 */
final class TraceFactory {
  private final GeneratorOptions o;
  private final SplittableRandom random;

  TraceFactory(GeneratorOptions options, SplittableRandom random) {
    this.o = options;
    this.random = random;
  }

  TracePlan next() {
    int n = (int) Math.max(1, Math.min(GeneratorOptions.MAX_SPANS_PER_TRACE,
        Math.round(o.spansPerTrace().sample(random))));
    int[] service = new int[n];
    int[] operation = new int[n];
    int[] kind = new int[n];
    int[] parent = new int[n];
    int[] depth = new int[n];
    int[] variant = new int[n];
    long[] spanId = new long[n];
    long[] start = new long[n];
    long[] end = new long[n];
    long[] emit = new long[n];
    boolean[] late = new boolean[n];

    int maxDepth = Math.max(2, o.depth());
    for (int i = 0; i < n; i++) {
      spanId[i] = nonZero();
      operation[i] = random.nextInt(o.operations());
      variant[i] = random.nextInt(SpanTemplates.VARIANTS);
      long duration = durationNanos();
      if (i == 0) {
        service[0] = random.nextInt(o.services());
        kind[0] = TracePlan.KIND_SERVER;
        parent[0] = -1;
        start[0] = 0;
      } else {
        int p = random.nextInt(i);
        while (depth[p] >= maxDepth - 1) {
          p = parent[p];
        }
        parent[i] = p;
        depth[i] = depth[p] + 1;
        if (o.services() > 1 && random.nextBoolean()) {
          int s = random.nextInt(o.services() - 1);
          service[i] = s >= service[p] ? s + 1 : s;
          kind[i] = TracePlan.KIND_SERVER;
        } else {
          service[i] = service[p];
          kind[i] = random.nextBoolean() ? TracePlan.KIND_INTERNAL : TracePlan.KIND_CLIENT;
        }
        // Children start while the parent runs; they may outlive it (async work), as OTel allows.
        start[i] = start[p] + (long) (random.nextDouble() * (end[p] - start[p]));
      }
      end[i] = start[i] + duration;
    }

    int errorSpan = random.nextDouble() < o.errorRatio() ? random.nextInt(n) : -1;

    long spread = o.traceSpread().toNanos();
    for (int i = 1; i < n; i++) {
      emit[i] = spread == 0 ? 0 : (long) (random.nextDouble() * spread);
    }
    emit[0] = spread;
    if (o.lateSpans() > 0 && n > 1 && random.nextDouble() < o.lateRatio()) {
      // Never the root (its arrival often triggers the decision) nor the error span (an error seen
      // only after the decision cannot be decided on, so the verdict could not expect the trace kept).
      int wanted = o.lateSpans();
      long lateAt = spread + o.lateDelay().toNanos();
      for (int tries = 0; wanted > 0 && tries < 4 * n; tries++) {
        int i = 1 + random.nextInt(n - 1);
        if (!late[i] && i != errorSpan) {
          late[i] = true;
          emit[i] = lateAt;
          wanted--;
        }
      }
    }
    return new TracePlan(new TraceId(nonZero(), random.nextLong()), service, operation, kind, parent, variant,
        spanId, start, end, emit, late, errorSpan);
  }

  /**
   * A duration in nanoseconds from the distribution (milliseconds), made a little shorter than the
   * drawn value: a value drawn exactly on a histogram bound (say a fixed 50 ms) then lands strictly
   * inside the bucket whose upper bound it is, so an implementation that computes milliseconds a
   * little differently (integer or floating division) still puts it in the same bucket.
   */
  private long durationNanos() {
    long ns = Math.round(o.spanDurationMs().sample(random) * 1e6) - 1 - random.nextInt(999);
    return Math.max(1, ns);
  }

  private long nonZero() {
    long v;
    do {
      v = random.nextLong();
    } while (v == 0);
    return v;
  }
}

package io.tailshard.sampling.connector.spanmetrics;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.metrics.v1.Exemplar;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Up to {@code perSeries} exemplars per series (trace id, span id, value, time), newest replacing
 * oldest, in flat primitive arrays. Exemplars are recorded only for spans of traces the sampler
 * kept (see {@link SpanMetricsConnector#keptTraces}), and cleared at every flush, as the Collector
 * clears them. Not thread-safe.
 */
final class Exemplars {
  private final int perSeries;
  private long[] traceHi;
  private long[] traceLo;
  private long[] spanId;
  private double[] value;
  private long[] timeNanos;
  private int[] filled;
  private int[] next;

  Exemplars(int perSeries, int capacity) {
    this.perSeries = perSeries;
    traceHi = new long[capacity * perSeries];
    traceLo = new long[capacity * perSeries];
    spanId = new long[capacity * perSeries];
    value = new double[capacity * perSeries];
    timeNanos = new long[capacity * perSeries];
    filled = new int[capacity];
    next = new int[capacity];
  }

  void ensure(int capacity) {
    if (filled.length >= capacity) {
      return;
    }
    traceHi = Arrays.copyOf(traceHi, capacity * perSeries);
    traceLo = Arrays.copyOf(traceLo, capacity * perSeries);
    spanId = Arrays.copyOf(spanId, capacity * perSeries);
    value = Arrays.copyOf(value, capacity * perSeries);
    timeNanos = Arrays.copyOf(timeNanos, capacity * perSeries);
    filled = Arrays.copyOf(filled, capacity);
    next = Arrays.copyOf(next, capacity);
  }

  void record(int s, long hi, long lo, long span, double v, long nanos) {
    int slot = s * perSeries + next[s];
    traceHi[slot] = hi;
    traceLo[slot] = lo;
    spanId[slot] = span;
    value[slot] = v;
    timeNanos[slot] = nanos;
    next[s] = (next[s] + 1) % perSeries;
    filled[s] = Math.min(filled[s] + 1, perSeries);
  }

  int count(int s) {
    return filled[s];
  }

  void clear(int s) {
    filled[s] = 0;
    next[s] = 0;
  }

  void move(int from, int to) {
    System.arraycopy(traceHi, from * perSeries, traceHi, to * perSeries, perSeries);
    System.arraycopy(traceLo, from * perSeries, traceLo, to * perSeries, perSeries);
    System.arraycopy(spanId, from * perSeries, spanId, to * perSeries, perSeries);
    System.arraycopy(value, from * perSeries, value, to * perSeries, perSeries);
    System.arraycopy(timeNanos, from * perSeries, timeNanos, to * perSeries, perSeries);
    filled[to] = filled[from];
    next[to] = next[from];
  }

  /** Hands series {@code s}'s exemplars, oldest first, to {@code out}. */
  void forEach(int s, Consumer<Exemplar> out) {
    int n = filled[s];
    int start = n < perSeries ? 0 : next[s];
    for (int k = 0; k < n; k++) {
      int slot = s * perSeries + (start + k) % perSeries;
      out.accept(
          Exemplar.newBuilder()
              .setTraceId(ByteString.copyFrom(bigEndian(traceHi[slot], traceLo[slot])))
              .setSpanId(ByteString.copyFrom(bigEndian(spanId[slot])))
              .setAsDouble(value[slot])
              .setTimeUnixNano(timeNanos[slot])
              .build());
    }
  }

  private static byte[] bigEndian(long... words) {
    byte[] out = new byte[words.length * 8];
    for (int w = 0; w < words.length; w++) {
      for (int i = 0; i < 8; i++) {
        out[w * 8 + i] = (byte) (words[w] >>> (56 - 8 * i));
      }
    }
    return out;
  }

  long footprintBytes() {
    return traceHi.length * 40L + filled.length * 8L;
  }
}

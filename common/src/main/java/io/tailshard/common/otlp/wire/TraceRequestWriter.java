package io.tailshard.common.otlp.wire;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * Writes new {@code ExportTraceServiceRequest}s from spans of an indexed one, without decoding
 * them: each output keeps every chosen span byte for byte, under a copy of its original resource
 * and scope (and their schema URLs). Sizes are computed first, so each output is one exactly sized
 * array written once.
 *
 * <p>Used to drop invalid spans from a request (partial success) and to split a request by trace
 * owner (the lb-tier). Unknown fields at the ResourceSpans and ScopeSpans level are not carried
 * over; every field of the spans themselves is.
 *
 * <p>An instance keeps scratch arrays between calls; not thread-safe. The static
 * {@link #select} allocates its own and is safe anywhere.
 */
public final class TraceRequestWriter {
  // One byte each: field numbers 1..3 with wire type LEN fit in a single-byte tag.
  private static final byte TAG_REQUEST_RESOURCE_SPANS = 0x0A;
  private static final byte TAG_RS_SCOPE_SPANS = 0x12;
  private static final byte TAG_SS_SPANS = 0x12;

  private int[] order = new int[256];
  private int[] groupStart = new int[16];
  private int[] scopeRunSize = new int[16];
  private int[] resourceRunSize = new int[16];

  /** A new request with only the spans for which {@code keep} is true; null when none is kept. */
  public static byte[] select(TraceRequestIndex idx, IntPredicate keep) {
    TraceRequestWriter w = new TraceRequestWriter();
    int n = idx.spanCount();
    w.ensureOrder(n);
    int k = 0;
    for (int i = 0; i < n; i++) {
      if (keep.test(i)) {
        w.order[k++] = i;
      }
    }
    return k == 0 ? null : w.write(idx, w.order, 0, k);
  }

  /**
   * Splits the indexed request into {@code groups} requests: span {@code i} goes to group
   * {@code groupOf[i]}. Returns one array per group, null for a group that got no span, and fills
   * {@code spanCounts[g]} with each group's span count. Spans keep their original order.
   */
  public byte[][] split(TraceRequestIndex idx, int groups, int[] groupOf, int[] spanCounts) {
    int n = idx.spanCount();
    ensureOrder(n);
    if (groupStart.length < groups + 1) {
      groupStart = new int[Math.max(groups + 1, groupStart.length * 2)];
    }
    Arrays.fill(spanCounts, 0, groups, 0);
    for (int i = 0; i < n; i++) {
      spanCounts[groupOf[i]]++;
    }
    // Counting sort, stable: spans of each group in their original order.
    int acc = 0;
    for (int g = 0; g < groups; g++) {
      groupStart[g] = acc;
      acc += spanCounts[g];
    }
    groupStart[groups] = acc;
    int[] next = Arrays.copyOf(groupStart, groups);
    for (int i = 0; i < n; i++) {
      order[next[groupOf[i]]++] = i;
    }
    byte[][] out = new byte[groups][];
    for (int g = 0; g < groups; g++) {
      if (spanCounts[g] > 0) {
        out[g] = write(idx, order, groupStart[g], groupStart[g + 1]);
      }
    }
    return out;
  }

  /**
   * Writes a request holding spans {@code spans[from, to)}, which must ascend (the order of the
   * index). Public for callers that choose spans themselves, such as a sampler's read-back.
   */
  public byte[] write(TraceRequestIndex idx, int[] spans, int from, int to) {
    byte[] src = idx.buffer();
    // Pass 1: sizes of every scope run and resource run, innermost first.
    int scopeRuns = 0;
    int resourceRuns = 0;
    int total = 0;
    int i = from;
    while (i < to) {
      int resource = idx.resourceOf(spans[i]);
      int resourcePayload = fieldLen(idx.resourceFieldOffset(resource), idx.resourceFieldLength(resource))
          + fieldLen(idx.resourceSchemaFieldOffset(resource), idx.resourceSchemaFieldLength(resource));
      while (i < to && idx.resourceOf(spans[i]) == resource) {
        int scope = idx.scopeOf(spans[i]);
        int scopePayload = fieldLen(idx.scopeFieldOffset(scope), idx.scopeFieldLength(scope))
            + fieldLen(idx.scopeSchemaFieldOffset(scope), idx.scopeSchemaFieldLength(scope));
        while (i < to && idx.scopeOf(spans[i]) == scope) {
          int len = idx.spanLength(spans[i]);
          scopePayload += 1 + ProtoWire.varintSize(len) + len;
          i++;
        }
        scopeRunSize = grow(scopeRunSize, scopeRuns);
        scopeRunSize[scopeRuns++] = scopePayload;
        resourcePayload += 1 + ProtoWire.varintSize(scopePayload) + scopePayload;
      }
      resourceRunSize = grow(resourceRunSize, resourceRuns);
      resourceRunSize[resourceRuns++] = resourcePayload;
      total += 1 + ProtoWire.varintSize(resourcePayload) + resourcePayload;
    }

    // Pass 2: write, in field-number order within each message.
    byte[] out = new byte[total];
    int p = 0;
    int sr = 0;
    int rr = 0;
    i = from;
    while (i < to) {
      int resource = idx.resourceOf(spans[i]);
      out[p++] = TAG_REQUEST_RESOURCE_SPANS;
      p = ProtoWire.writeVarint(out, p, resourceRunSize[rr++]);
      p = copy(src, idx.resourceFieldOffset(resource), idx.resourceFieldLength(resource), out, p);
      while (i < to && idx.resourceOf(spans[i]) == resource) {
        int scope = idx.scopeOf(spans[i]);
        out[p++] = TAG_RS_SCOPE_SPANS;
        p = ProtoWire.writeVarint(out, p, scopeRunSize[sr++]);
        p = copy(src, idx.scopeFieldOffset(scope), idx.scopeFieldLength(scope), out, p);
        while (i < to && idx.scopeOf(spans[i]) == scope) {
          int s = spans[i];
          int len = idx.spanLength(s);
          out[p++] = TAG_SS_SPANS;
          p = ProtoWire.writeVarint(out, p, len);
          System.arraycopy(src, idx.spanOffset(s), out, p, len);
          p += len;
          i++;
        }
        p = copy(src, idx.scopeSchemaFieldOffset(scope), idx.scopeSchemaFieldLength(scope), out, p);
      }
      p = copy(src, idx.resourceSchemaFieldOffset(resource), idx.resourceSchemaFieldLength(resource), out, p);
    }
    if (p != total) {
      throw new IllegalStateException("size pass and write pass disagree: " + total + " vs " + p);
    }
    return out;
  }

  private static int fieldLen(int off, int len) {
    return off < 0 ? 0 : len;
  }

  private static int copy(byte[] src, int off, int len, byte[] out, int p) {
    if (off < 0) {
      return p;
    }
    System.arraycopy(src, off, out, p, len);
    return p + len;
  }

  private void ensureOrder(int n) {
    if (order.length < n) {
      order = new int[Math.max(n, order.length * 2)];
    }
  }

  private static int[] grow(int[] a, int used) {
    return used < a.length ? a : Arrays.copyOf(a, a.length * 2);
  }
}

package io.tailshard.loadtest.generate;

/**
 * Encodes a batch of spans (entry {@code k} is span {@code spans[k]} of {@code plans[k]}) into one
 * OTLP {@code ExportTraceServiceRequest} body, one ResourceSpans per service. Implementations copy
 * pre-encoded {@link SpanTemplates} and patch ids, times and status in; they build no message objects.
 * Not thread-safe (reused buffers); the planner thread owns them.
 */
interface RequestEncoder {
  byte[] encode(TracePlan[] plans, int[] spans, int count);

  /** The HTTP content type of the encoding. */
  String contentType();

  /** Orders batch entries by service: fills {@code order} and returns per-service starts (length services+1). */
  static int[] groupByService(TracePlan[] plans, int[] spans, int count, int services, int[] order) {
    int[] start = new int[services + 1];
    for (int k = 0; k < count; k++) {
      start[plans[k].service[spans[k]] + 1]++;
    }
    for (int s = 0; s < services; s++) {
      start[s + 1] += start[s];
    }
    int[] next = start.clone();
    for (int k = 0; k < count; k++) {
      order[next[plans[k].service[spans[k]]]++] = k;
    }
    return start;
  }
}

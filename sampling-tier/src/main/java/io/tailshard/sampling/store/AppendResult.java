package io.tailshard.sampling.store;

import java.util.List;

/**
 * The outcome of one accepted append.
 *
 * @param bufferedTraces traces of the request whose spans were stored
 * @param newTraces of those, traces the store had not seen (they start a new summary)
 * @param bufferedSpans spans stored
 * @param invalidSpans spans skipped because their trace id is missing, not 16 bytes, or all zeros
 * @param late spans of traces that were already decided, grouped per trace, not stored
 */
public record AppendResult(
    int bufferedTraces, int newTraces, int bufferedSpans, int invalidSpans, List<LateTrace> late) {
  public AppendResult {
    late = List.copyOf(late);
  }

  /** Spans of decided traces in the request, whatever the decision. */
  public int lateSpans() {
    int n = 0;
    for (LateTrace t : late) {
      n += t.spanCount();
    }
    return n;
  }
}

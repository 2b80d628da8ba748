package io.tailshard.common.component;

/**
 * Told about spans of traces a sampler decided to keep, after the decision. The span metrics
 * connector listens to attach exemplars that point only to kept traces.
 *
 * <p>Called on the sampler's thread, possibly several threads at once: implementations must be
 * thread-safe, must not block, and should return quickly (the sampler is on its decision path).
 */
@FunctionalInterface
public interface KeptTracesListener {
  /** {@code kept} holds spans of kept traces only; it is immutable and may be read after return. */
  void keptTraces(TraceData kept);
}

package io.tailshard.common.service;

import java.util.Objects;

/** A pipeline id as the Collector writes it: {@code traces}, {@code traces/sample}, {@code metrics/spanmetrics}. */
public record PipelineId(Signal signal, String name) {
  public PipelineId {
    Objects.requireNonNull(signal, "signal");
    if (name != null && (name.isEmpty() || name.contains("/"))) {
      throw new IllegalArgumentException("a pipeline name after '/' must be non-empty and contain no '/': '" + name + "'");
    }
  }

  @Override
  public String toString() {
    return name == null ? signal.word() : signal.word() + "/" + name;
  }
}

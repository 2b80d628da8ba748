package io.tailshard.common.service;

import java.util.Locale;
import java.util.Optional;

/** The kinds of telemetry a pipeline carries, named as in {@code service.pipelines} ids. */
public enum Signal {
  TRACES,
  METRICS,
  LOGS;

  /** The word in config: {@code traces}, {@code metrics}, {@code logs}. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Signal> parse(String word) {
    for (Signal s : values()) {
      if (s.word().equals(word)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}

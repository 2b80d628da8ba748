package io.tailshard.common.ottl;

import java.util.Locale;
import java.util.Optional;

/**
 * What a processor does when a statement or condition fails at run time, as the Collector's
 * {@code error_mode}: {@code ignore} logs the error and goes on with the next statement,
 * {@code silent} goes on without logging, {@code propagate} fails the whole request.
 */
public enum ErrorMode {
  IGNORE,
  SILENT,
  PROPAGATE;

  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<ErrorMode> parse(String word) {
    for (ErrorMode m : values()) {
      if (m.word().equals(word)) {
        return Optional.of(m);
      }
    }
    return Optional.empty();
  }
}

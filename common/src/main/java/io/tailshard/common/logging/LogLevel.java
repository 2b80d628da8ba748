package io.tailshard.common.logging;

import java.util.Locale;
import java.util.Optional;
import java.util.logging.Level;

/** The Collector's log levels ({@code service.telemetry.logs.level}) and the JUL levels they map to. */
public enum LogLevel {
  DEBUG(Level.FINE),
  INFO(Level.INFO),
  WARN(Level.WARNING),
  ERROR(Level.SEVERE);

  private final Level jul;

  LogLevel(Level jul) {
    this.jul = jul;
  }

  /** The java.util.logging level that lets this level and the ones above it through. */
  public Level julLevel() {
    return jul;
  }

  /** The word used in config and in log lines: {@code debug}, {@code info}, {@code warn}, {@code error}. */
  public String word() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Reads a level name as the Collector does: case-insensitive. */
  public static Optional<LogLevel> parse(String text) {
    for (LogLevel l : values()) {
      if (l.word().equalsIgnoreCase(text.trim())) {
        return Optional.of(l);
      }
    }
    return Optional.empty();
  }

  /** The word of a JUL level as it appears in a log line. */
  static String wordOf(Level level) {
    int v = level.intValue();
    if (v >= Level.SEVERE.intValue()) {
      return "error";
    }
    if (v >= Level.WARNING.intValue()) {
      return "warn";
    }
    if (v >= Level.INFO.intValue()) {
      return "info";
    }
    return "debug";
  }
}

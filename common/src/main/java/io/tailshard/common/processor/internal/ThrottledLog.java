package io.tailshard.common.processor.internal;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Logs a repeated failure at most once per interval, saying how many like it were not logged, so
 * that bad data arriving at line rate cannot flood the log. Thread-safe.
 */
public final class ThrottledLog {
  private static final long INTERVAL_NANOS = 10_000_000_000L;

  private final Logger log;
  private long lastNanos;
  private boolean logged;
  private long suppressed;

  public ThrottledLog(Logger log) {
    this.log = log;
  }

  public void warn(String message) {
    long now = System.nanoTime();
    long skipped;
    synchronized (this) {
      if (logged && now - lastNanos < INTERVAL_NANOS) {
        suppressed++;
        return;
      }
      logged = true;
      lastNanos = now;
      skipped = suppressed;
      suppressed = 0;
    }
    log.log(Level.WARNING, skipped == 0 ? message : message + " (" + skipped + " similar messages suppressed)");
  }
}

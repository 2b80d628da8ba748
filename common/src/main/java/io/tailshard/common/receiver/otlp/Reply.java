package io.tailshard.common.receiver.otlp;

import java.time.Duration;

/**
 * The answer to one export request, independent of transport: the outcome, the message shown to
 * the sender, the spans rejected through {@code partial_success}, and the delay a retryable
 * answer asks for.
 */
record Reply(Outcome outcome, String message, long rejectedSpans, Duration retryAfter) {
  private static final Reply ACCEPTED = new Reply(Outcome.ACCEPTED, "", 0, Duration.ZERO);

  static Reply accepted() {
    return ACCEPTED;
  }

  static Reply partial(long rejected, String message) {
    return new Reply(Outcome.PARTIAL, message, rejected, Duration.ZERO);
  }

  static Reply error(Outcome outcome, String message) {
    return new Reply(outcome, message, 0, Duration.ZERO);
  }

  static Reply retryLater(Outcome outcome, String message, Duration retryAfter) {
    return new Reply(outcome, message, 0, retryAfter);
  }

  /** Whole seconds for {@code Retry-After} / RetryInfo, rounded up, at least 1. */
  long retryAfterSeconds() {
    long s = (retryAfter.toMillis() + 999) / 1000;
    return Math.max(1, s);
  }
}

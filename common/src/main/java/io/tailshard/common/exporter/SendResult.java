package io.tailshard.common.exporter;

import java.time.Duration;

/**
 * What became of one send attempt to a destination. {@code rejectedSpans} counts spans the
 * destination accepted the request for but rejected through OTLP partial success: they are not
 * retried (the destination said they can never be taken) and are counted as failed.
 */
public record SendResult(Outcome outcome, long rejectedSpans, String message, Duration retryAfter) {

  /** The three outcomes that matter to a sender. */
  public enum Outcome {
    SENT,
    RETRYABLE,
    PERMANENT
  }

  public static SendResult sent(long rejectedSpans, String message) {
    return new SendResult(Outcome.SENT, rejectedSpans, message, Duration.ZERO);
  }

  public static SendResult retryable(String message, Duration retryAfter) {
    return new SendResult(Outcome.RETRYABLE, 0, message, retryAfter);
  }

  public static SendResult permanent(String message) {
    return new SendResult(Outcome.PERMANENT, 0, message, Duration.ZERO);
  }

  public boolean sent() {
    return outcome == Outcome.SENT;
  }
}

package io.tailshard.common.component;

import java.time.Duration;

/**
 * Data refused by a consumer. {@linkplain #retryable() Retryable} refusals (overload, memory limit,
 * no backend yet, store full) become gRPC {@code UNAVAILABLE} / HTTP 503 with {@code Retry-After},
 * so the sender keeps the data and tries again; permanent ones (data that can never be taken)
 * become {@code INVALID_ARGUMENT} / 400. Carries no stack trace: it is a normal outcome under load.
 */
public final class RefusedException extends RuntimeException {
  /** What the sender should do. */
  public enum Kind {
    RETRYABLE,
    PERMANENT
  }

  private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);

  private final Kind kind;
  private final Duration retryAfter;

  private RefusedException(Kind kind, String message, Duration retryAfter) {
    super(message, null, false, false);
    this.kind = kind;
    this.retryAfter = retryAfter;
  }

  /** A refusal the sender should retry after {@code retryAfter}. */
  public static RefusedException retryable(String message, Duration retryAfter) {
    return new RefusedException(Kind.RETRYABLE, message, retryAfter);
  }

  public static RefusedException retryable(String message) {
    return retryable(message, DEFAULT_RETRY_AFTER);
  }

  public static RefusedException permanent(String message) {
    return new RefusedException(Kind.PERMANENT, message, Duration.ZERO);
  }

  public Kind kind() {
    return kind;
  }

  public boolean retryable() {
    return kind == Kind.RETRYABLE;
  }

  public Duration retryAfter() {
    return retryAfter;
  }
}

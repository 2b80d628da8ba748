package io.tailshard.common.otlp.wire;

/**
 * The bytes are not a well-formed OTLP trace request. The message says what was wrong and at which
 * byte offset of the request, so a sender can be told precisely (HTTP 400 / INVALID_ARGUMENT).
 * Carries no stack trace: malformed input is an expected outcome, not a bug.
 */
public final class WireFormatException extends Exception {
  public WireFormatException(String message) {
    super(message, null, false, false);
  }
}

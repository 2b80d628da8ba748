package io.tailshard.common.receiver.otlp;

/**
 * A request refused while its body was read or decoded (too large, malformed, overloaded). Control
 * flow within one request, so it carries no stack trace.
 */
final class Rejection extends Exception {
  private final Outcome outcome;

  Rejection(Outcome outcome, String message) {
    super(message, null, false, false);
    this.outcome = outcome;
  }

  Outcome outcome() {
    return outcome;
  }
}

package io.tailshard.common.ottl;

/**
 * A statement or condition that failed while running against data (a value of the wrong type, a
 * limit out of range); the processor's {@link ErrorMode} decides what follows. No stack trace: it
 * is an outcome of the data, not a bug.
 */
public final class OttlException extends RuntimeException {
  OttlException(String message) {
    super(message, null, false, false);
  }
}

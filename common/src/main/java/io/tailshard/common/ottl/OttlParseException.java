package io.tailshard.common.ottl;

/**
 * A statement or condition that cannot be parsed. The message names the problem, the column
 * (1-based, in the text after YAML folded it onto one line) and shows the text, so a config
 * error points at the exact spot.
 */
public final class OttlParseException extends RuntimeException {
  private final int column;
  private final String problem;

  OttlParseException(String text, int offset, String problem) {
    super(problem + " at column " + (offset + 1) + " in: " + text);
    this.column = offset + 1;
    this.problem = problem;
  }

  /** 1-based column of the offending character. */
  public int column() {
    return column;
  }

  /** What is wrong, without the position. */
  public String problem() {
    return problem;
  }
}

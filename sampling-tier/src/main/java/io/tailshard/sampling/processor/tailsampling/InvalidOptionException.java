package io.tailshard.sampling.processor.tailsampling;

/**
 * Thrown by the config records' constructors: names the offending key relative to the record's
 * own YAML block, so the parser can report it at the right file, line and path. Callers that build
 * records in code see an {@link IllegalArgumentException} whose message starts with the key.
 */
final class InvalidOptionException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String key;
  private final String problem;

  InvalidOptionException(String key, String problem) {
    super(key + ": " + problem);
    this.key = key;
    this.problem = problem;
  }

  String key() {
    return key;
  }

  String problem() {
    return problem;
  }

  /** Throws unless {@code ok}. */
  static void check(boolean ok, String key, String problem) {
    if (!ok) {
      throw new InvalidOptionException(key, problem);
    }
  }
}

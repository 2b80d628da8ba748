package io.tailshard.common.config;

/**
 * A configuration error found at start-up. The message always names where the problem is: the
 * file, the line (when known) and the key path, then what is wrong and what is allowed, e.g.
 * {@code tailshard.yaml:12: receivers.otlp.protocols.grpc.endpoitn: unknown key; allowed: endpoint, ...}.
 */
public final class ConfigException extends RuntimeException {
  private final String file;
  private final int line;
  private final String path;
  private final String problem;

  public ConfigException(String file, int line, String path, String problem) {
    super(format(file, line, path, problem));
    this.file = file;
    this.line = line;
    this.path = path;
    this.problem = problem;
  }

  /** An error about a node: takes the file, line and path from it. */
  public static ConfigException at(ConfigNode node, String problem) {
    return new ConfigException(node.file(), node.line(), node.path(), problem);
  }

  private static String format(String file, int line, String path, String problem) {
    StringBuilder sb = new StringBuilder(file == null ? "<config>" : file);
    if (line > 0) {
      sb.append(':').append(line);
    }
    sb.append(": ");
    if (path != null && !path.isEmpty()) {
      sb.append(path).append(": ");
    }
    return sb.append(problem).toString();
  }

  public String file() {
    return file;
  }

  /** 1-based line of the offending node, or 0 when unknown. */
  public int line() {
    return line;
  }

  public String path() {
    return path;
  }

  /** What is wrong, without the location prefix. */
  public String problem() {
    return problem;
  }
}

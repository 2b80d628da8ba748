package io.tailshard.loadtest.cli;

import io.tailshard.common.config.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The options of one loadtest command: declared once (name, value, default, one-line help), parsed
 * from {@code --name value}, {@code --name=value} and bare {@code --flag}, and printed as the
 * command's {@code --help}. An unknown option, a missing value or a value of the wrong type is a
 * {@link UsageException} naming the option, so a typo never silently runs a different test.
 *
 * <p>Not thread-safe; build, parse and read on one thread.
 */
public final class CommandLine {
  private final String command;
  private final String summary;
  private final Map<String, Option> options = new LinkedHashMap<>();

  private record Option(String name, String valueName, String defaultValue, String help) {
    boolean isFlag() {
      return valueName == null;
    }
  }

  /** A bad command line; the message names the option and what was expected. */
  public static final class UsageException extends Exception {
    public UsageException(String message) {
      super(message);
    }
  }

  public CommandLine(String command, String summary) {
    this.command = command;
    this.summary = summary;
    flag("help", "print this help and exit");
  }

  /** Declares {@code --name VALUE}; {@code defaultValue} null means "not set unless given". */
  public CommandLine option(String name, String valueName, String defaultValue, String help) {
    options.put(name, new Option(name, valueName, defaultValue, help));
    return this;
  }

  /** Declares a boolean {@code --name} (false unless given). */
  public CommandLine flag(String name, String help) {
    options.put(name, new Option(name, null, null, help));
    return this;
  }

  /** The help text: usage line, summary, then one line per option with its default. */
  public String help() {
    StringBuilder sb = new StringBuilder();
    sb.append("usage: loadtest.jar ").append(command).append(" [options]\n");
    sb.append(summary).append("\n\noptions:\n");
    List<String> left = new ArrayList<>();
    int width = 0;
    for (Option o : options.values()) {
      String l = "  --" + o.name + (o.isFlag() ? "" : " " + o.valueName);
      left.add(l);
      width = Math.max(width, l.length());
    }
    int i = 0;
    for (Option o : options.values()) {
      String l = left.get(i++);
      sb.append(l).append(" ".repeat(width - l.length() + 2)).append(o.help);
      if (o.defaultValue != null) {
        sb.append(" (default ").append(o.defaultValue).append(')');
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** Parses {@code args}; see {@link Values#helpRequested()} for {@code --help}. */
  public Values parse(String[] args) throws UsageException {
    Map<String, String> given = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (!a.startsWith("--")) {
        throw new UsageException(command + ": unexpected argument '" + a + "' (options start with --)");
      }
      String name = a.substring(2);
      String value = null;
      int eq = name.indexOf('=');
      if (eq >= 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      }
      Option o = options.get(name);
      if (o == null) {
        throw new UsageException(command + ": unknown option --" + name + " (see --help)");
      }
      if (o.isFlag()) {
        if (value != null && !value.equals("true") && !value.equals("false")) {
          throw new UsageException(command + ": --" + name + " is a flag; it takes no value");
        }
        given.put(name, value == null ? "true" : value);
        continue;
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new UsageException(command + ": --" + name + " needs a value: " + o.valueName);
        }
        value = args[++i];
      }
      given.put(name, value);
    }
    return new Values(given);
  }

  /** Parsed option values with typed getters; defaults come from the declarations. */
  public final class Values {
    private final Map<String, String> given;

    private Values(Map<String, String> given) {
      this.given = given;
    }

    public boolean helpRequested() {
      return flag("help");
    }

    private Option declared(String name) {
      Option o = options.get(name);
      if (o == null) {
        throw new IllegalArgumentException("option --" + name + " is not declared by " + command);
      }
      return o;
    }

    /** True when the option was given on the command line. */
    public boolean has(String name) {
      declared(name);
      return given.containsKey(name);
    }

    /** The value as given, else the default (null when neither). */
    public String string(String name) {
      Option o = declared(name);
      return given.getOrDefault(name, o.defaultValue);
    }

    public boolean flag(String name) {
      declared(name);
      return Boolean.parseBoolean(given.getOrDefault(name, "false"));
    }

    /** Comma-separated list; empty when unset. */
    public List<String> list(String name) {
      String v = string(name);
      List<String> out = new ArrayList<>();
      if (v != null) {
        for (String p : v.split(",")) {
          if (!p.isBlank()) {
            out.add(p.trim());
          }
        }
      }
      return out;
    }

    public long longValue(String name, long min, long max) throws UsageException {
      String v = required(name);
      long x;
      try {
        x = Long.parseLong(v.replace("_", ""));
      } catch (NumberFormatException e) {
        throw new UsageException(command + ": --" + name + " expects a whole number, found '" + v + "'");
      }
      if (x < min || x > max) {
        throw new UsageException(command + ": --" + name + " must be in [" + min + ", " + max + "], found " + x);
      }
      return x;
    }

    public int intValue(String name, int min, int max) throws UsageException {
      return (int) longValue(name, min, max);
    }

    public double doubleValue(String name, double min, double max) throws UsageException {
      String v = required(name);
      double x;
      try {
        x = Double.parseDouble(v);
      } catch (NumberFormatException e) {
        throw new UsageException(command + ": --" + name + " expects a number, found '" + v + "'");
      }
      if (!(x >= min && x <= max)) {
        throw new UsageException(command + ": --" + name + " must be in [" + min + ", " + max + "], found " + v);
      }
      return x;
    }

    /** A Go-style duration ({@code 500ms}, {@code 30s}, {@code 1m}). */
    public Duration duration(String name) throws UsageException {
      String v = required(name);
      try {
        return Durations.parse(v);
      } catch (IllegalArgumentException e) {
        throw new UsageException(command + ": --" + name + ": " + e.getMessage());
      }
    }

    /** One of {@code allowed}. */
    public String oneOf(String name, String... allowed) throws UsageException {
      String v = required(name);
      for (String a : allowed) {
        if (a.equals(v)) {
          return v;
        }
      }
      throw new UsageException(command + ": --" + name + " must be one of " + String.join(", ", allowed)
          + ", found '" + v + "'");
    }

    private String required(String name) throws UsageException {
      String v = string(name);
      if (v == null) {
        throw new UsageException(command + ": --" + name + " is required");
      }
      return v;
    }
  }
}

package io.tailshard.common.logging;

import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Process-wide logging on java.util.logging: one handler on stderr (where the Collector logs too)
 * with {@link OneLineFormatter}, the level from {@code service.telemetry.logs.level}. Netty and
 * Vert.x are routed to JUL as well and held at {@code warn} unless the level is {@code debug}: at
 * {@code info} their start-up chatter would drown our own lines.
 *
 * <p>{@link #install} may be called again to change the level (the CLI installs {@code info}
 * before the config is read, then the configured level). Thread-safe.
 */
public final class Logging {
  private static final String VERTX_LOG_FACTORY = "vertx.logger-delegate-factory-class-name";

  private static final String LOG_MANAGER = "java.util.logging.manager";

  // JUL keeps loggers weakly: hold the ones we configure, or their levels vanish with a GC. Not
  // made in a static initializer: this class must be usable before the LogManager exists.
  private static Logger root;
  private static Logger netty;
  private static Logger vertx;

  private Logging() {}

  /**
   * Makes the JVM use {@link ServiceLogManager}, so that logging keeps working during shutdown
   * hooks. Only effective before the first logger of the process is created (the LogManager is
   * chosen once); a process entry point calls it first. A manager chosen by the operator with
   * {@code -Djava.util.logging.manager} is kept.
   */
  public static void useShutdownSafeLogManager() {
    if (System.getProperty(LOG_MANAGER) == null) {
      System.setProperty(LOG_MANAGER, ServiceLogManager.class.getName());
    }
  }

  /** Routes all logging through one-line stderr output at {@code level}. */
  public static synchronized void install(LogLevel level) {
    // Both libraries pick a backend once, when their first logger is made: set it before that.
    if (System.getProperty(VERTX_LOG_FACTORY) == null) {
      System.setProperty(VERTX_LOG_FACTORY, "io.vertx.core.logging.JULLogDelegateFactory");
    }
    InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);

    root = Logger.getLogger("");
    netty = Logger.getLogger("io.netty");
    vertx = Logger.getLogger("io.vertx");
    for (Handler h : root.getHandlers()) {
      root.removeHandler(h);
    }
    Handler stderr = new ConsoleHandler();
    stderr.setFormatter(new OneLineFormatter());
    stderr.setLevel(Level.ALL);
    root.addHandler(stderr);
    root.setLevel(level.julLevel());
    Level libraries = level == LogLevel.DEBUG ? Level.FINE : Level.WARNING;
    netty.setLevel(libraries);
    vertx.setLevel(libraries);
  }

  /**
   * A message followed by {@code key=value} pairs, values quoted when they hold spaces, quotes or
   * are empty: {@code kv("listening", "endpoint", "0.0.0.0:4317")} gives
   * {@code listening endpoint=0.0.0.0:4317}.
   */
  public static String kv(String message, Object... keyValues) {
    if (keyValues.length % 2 != 0) {
      throw new IllegalArgumentException("keyValues must alternate key and value");
    }
    StringBuilder sb = new StringBuilder(message);
    for (int i = 0; i < keyValues.length; i += 2) {
      String value = String.valueOf(keyValues[i + 1]);
      sb.append(' ').append(keyValues[i]).append('=');
      if (value.isEmpty() || value.chars().anyMatch(c -> c == ' ' || c == '"' || c == '=' || c < 0x20)) {
        sb.append('"')
            .append(value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\r", "\\r"))
            .append('"');
      } else {
        sb.append(value);
      }
    }
    return sb.toString();
  }
}

package io.tailshard.common.logging;

import java.util.logging.LogManager;

/**
 * A {@link LogManager} that survives the JVM's shutdown long enough to log it. The JDK's own
 * shutdown hook resets logging (detaching every handler) while the other hooks still run, so the
 * lines of a graceful stop on SIGTERM ("stopping", components flushing, "stopped") would be lost.
 * This manager ignores that one reset; every other reset behaves as usual. Handlers need no close
 * at exit: ours flushes each record as it is written.
 *
 * <p>Installed by {@link Logging#useShutdownSafeLogManager()}, before anything creates a logger.
 */
public final class ServiceLogManager extends LogManager {
  private static final String JDK_CLEANER = "java.util.logging.LogManager$Cleaner";

  public ServiceLogManager() {
    super();
  }

  @Override
  public void reset() {
    if (Thread.currentThread().getClass().getName().equals(JDK_CLEANER)) {
      return;
    }
    super.reset();
  }
}

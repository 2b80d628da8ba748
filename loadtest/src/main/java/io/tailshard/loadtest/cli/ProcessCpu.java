package io.tailshard.loadtest.cli;

import java.lang.management.ManagementFactory;

/** CPU time this JVM process used so far, for CPU-seconds per million spans. */
public final class ProcessCpu {
  private ProcessCpu() {}

  /** Process CPU time in nanoseconds, or -1 where the JVM does not report it. */
  public static long nanos() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }
}

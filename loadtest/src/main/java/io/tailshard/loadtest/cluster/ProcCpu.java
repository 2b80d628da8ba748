package io.tailshard.loadtest.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time of another process from Linux's {@code /proc/<pid>/stat}: user plus system time
 * ({@code utime}, {@code stime}, fields 14 and 15 of proc(5)), in clock ticks of
 * {@value #TICKS_PER_SECOND} per second ({@code USER_HZ}, which is 100 on every architecture Linux
 * builds for user space; {@code getconf CLK_TCK} prints it). Children's times are not included.
 */
final class ProcCpu {
  static final double TICKS_PER_SECOND = 100.0;

  private ProcCpu() {}

  /** CPU seconds used so far by {@code pid}, or -1 when it is gone or /proc cannot be read. */
  static double seconds(long pid) {
    String stat;
    try {
      stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return parse(stat);
  }

  /** utime + stime of one stat line, in seconds; -1 when it is not one. */
  static double parse(String stat) {
    // Field 2, the command name, is in parentheses and may hold spaces or ')': count fields from
    // the last ')'. After it come state (field 3), ppid (4), ..., utime (14), stime (15).
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      return -1;
    }
    String[] f = stat.substring(close + 1).trim().split(" ");
    if (f.length < 13) {
      return -1;
    }
    try {
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS_PER_SECOND;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}

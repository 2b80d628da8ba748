package io.tailshard.common.telemetry;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.RuntimeMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The Collector's process metrics, from the JVM's management beans, read when scraped:
 * <ul>
 *   <li>{@code otelcol_process_uptime} (counter, seconds since the JVM started);
 *   <li>{@code otelcol_process_cpu_seconds} (counter, user + system CPU of the process);
 *   <li>{@code otelcol_process_runtime_heap_alloc_bytes}: Go's live heap bytes; here the JVM's
 *       used heap;
 *   <li>{@code otelcol_process_runtime_total_alloc_bytes} (counter): bytes allocated on the heap
 *       since start, summed over threads (HotSpot's allocation counters);
 *   <li>{@code otelcol_process_runtime_total_sys_memory_bytes}: Go's memory obtained from the OS;
 *       the closest JVM figure is committed heap + committed non-heap (metaspace, code cache) +
 *       NIO direct and mapped buffers. Thread stacks and native libraries' own allocations
 *       (RocksDB) are not in it: {@code otelcol_process_memory_rss} shows those;
 *   <li>{@code otelcol_process_memory_rss}: resident set size from {@code /proc/self/status}
 *       (Linux only; not registered where that file cannot be read).
 * </ul>
 * Thread-safe.
 */
public final class ProcessMetrics {
  private static final Path PROC_STATUS = Path.of("/proc/self/status");

  private ProcessMetrics() {}

  /** Registers the process metrics in {@code registry}. */
  public static void register(MetricRegistry registry) {
    RuntimeMXBean runtime = ManagementFactory.getRuntimeMXBean();
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    List<BufferPoolMXBean> buffers = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class);

    registry.counterFn("otelcol_process_uptime", "Uptime of the process in seconds.", () -> runtime.getUptime() / 1000.0);
    if (os instanceof com.sun.management.OperatingSystemMXBean) {
      com.sun.management.OperatingSystemMXBean sunOs = (com.sun.management.OperatingSystemMXBean) os;
      if (sunOs.getProcessCpuTime() >= 0) {
        registry.counterFn(
            "otelcol_process_cpu_seconds", "Total CPU user and system time in seconds.", () -> sunOs.getProcessCpuTime() / 1e9);
      }
    }
    registry.gauge(
        "otelcol_process_runtime_heap_alloc_bytes",
        "Bytes of allocated heap objects (JVM: used heap).",
        () -> memory.getHeapMemoryUsage().getUsed());
    if (threads instanceof com.sun.management.ThreadMXBean) {
      com.sun.management.ThreadMXBean sunThreads = (com.sun.management.ThreadMXBean) threads;
      if (sunThreads.isThreadAllocatedMemorySupported() && sunThreads.isThreadAllocatedMemoryEnabled()) {
        registry.counterFn(
            "otelcol_process_runtime_total_alloc_bytes",
            "Cumulative bytes allocated for heap objects.",
            () -> sunThreads.getTotalThreadAllocatedBytes());
      }
    }
    registry.gauge(
        "otelcol_process_runtime_total_sys_memory_bytes",
        "Memory the JVM obtained from the OS: committed heap and non-heap plus NIO buffers.",
        () -> {
          double total = memory.getHeapMemoryUsage().getCommitted() + memory.getNonHeapMemoryUsage().getCommitted();
          for (BufferPoolMXBean b : buffers) {
            total += Math.max(0, b.getMemoryUsed());
          }
          return total;
        });
    if (readRssBytes() >= 0) {
      // /proc is served from kernel memory: reading it on the scraping event loop does not block on disk.
      registry.gauge("otelcol_process_memory_rss", "Total physical memory (resident set size).", ProcessMetrics::readRssBytes);
    }
  }

  /** The VmRSS line of {@code /proc/self/status} in bytes, or -1 where there is no such file. */
  static long readRssBytes() {
    try {
      for (String line : Files.readAllLines(PROC_STATUS, StandardCharsets.US_ASCII)) {
        if (line.startsWith("VmRSS:")) {
          return parseKiloBytes(line.substring("VmRSS:".length()));
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** {@code "   12345 kB"} to bytes (the kernel's kB is 1024 bytes). */
  static long parseKiloBytes(String text) {
    String t = text.trim();
    if (t.endsWith("kB")) {
      t = t.substring(0, t.length() - 2).trim();
    }
    return Long.parseLong(t) * 1024;
  }
}

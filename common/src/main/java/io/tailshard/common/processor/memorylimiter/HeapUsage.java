package io.tailshard.common.processor.memorylimiter;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads how much of the JVM heap is in use, as the memory limiter compares it to its limits.
 *
 * <p>The Collector compares Go's {@code MemStats.Alloc}: bytes of heap objects allocated and not
 * yet freed. The JVM's nearest equivalent, the heap in use right now, is a poor signal: with a
 * generational collector it swings between the live set and the whole young generation full of
 * garbage, so a limiter reading it would refuse data whenever eden happens to be full. What the
 * limiter wants to know is how much the process really holds, so it reads <em>the heap in use
 * just after the most recent collection</em> ({@code GcInfo.getMemoryUsageAfterGc()} of the
 * collector that ran last, summed over heap pools): the live set plus old-generation garbage not yet
 * collected, which is what Go's figure is too, seen at the moment it is most meaningful. Between
 * collections the reading does not move; allocation triggers collections, so under load it is
 * fresh, and when it is not (no allocation while refusing) the limiter forces one, which also
 * refreshes the reading.
 *
 * <p>Before the first collection, or on a JVM without the {@code com.sun.management} extension, it
 * falls back to the heap in use now, an upper bound of the same figure.
 *
 * <p>Thread-safe: it keeps no state that changes.
 */
final class HeapUsage {
  private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
  private final Set<String> heapPools = new HashSet<>();

  HeapUsage() {
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        heapPools.add(pool.getName());
      }
    }
  }

  /** Heap bytes in use after the most recent collection, or now when no collection is known. */
  long usedBytes() {
    long latestEnd = -1;
    Map<String, MemoryUsage> after = null;
    for (GarbageCollectorMXBean gc : collectors) {
      if (!(gc instanceof com.sun.management.GarbageCollectorMXBean)) {
        continue;
      }
      com.sun.management.GcInfo info = ((com.sun.management.GarbageCollectorMXBean) gc).getLastGcInfo();
      if (info != null && info.getEndTime() >= latestEnd) {
        latestEnd = info.getEndTime();
        after = info.getMemoryUsageAfterGc();
      }
    }
    if (after == null) {
      return currentBytes();
    }
    long sum = 0;
    for (Map.Entry<String, MemoryUsage> e : after.entrySet()) {
      if (heapPools.contains(e.getKey())) {
        sum += e.getValue().getUsed();
      }
    }
    return sum;
  }

  /** Heap bytes in use now, garbage included. */
  static long currentBytes() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}

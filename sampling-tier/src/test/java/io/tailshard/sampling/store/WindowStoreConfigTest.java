package io.tailshard.sampling.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class WindowStoreConfigTest {
  final WindowStoreConfig defaults = WindowStoreConfig.defaults(Path.of("data"));

  @Test
  void defaultsFollowTheCollectorWhereItHasTheOption() {
    assertEquals(Duration.ofSeconds(30), defaults.decisionWait());
    assertEquals(Duration.ofSeconds(1), defaults.windowGranularity());
    assertFalse(defaults.syncWrites());
    assertTrue(defaults.sampledCacheSize() > 0 && defaults.nonSampledCacheSize() > 0);
  }

  @Test
  void invalidValuesNameTheirKey() {
    assertMessage("decision_wait", () -> defaults.withDecisionWait(Duration.ZERO));
    assertMessage("max_size", () -> defaults.withMaxSizeBytes(0));
    assertMessage("max_traces", () -> defaults.withMaxTraces(-1));
    assertMessage("decision_cache.sampled_cache_size", () -> defaults.withDecisionCache(-1, 0));
    assertMessage("decision_cache.non_sampled_cache_size", () -> defaults.withDecisionCache(0, -1));
    assertMessage("queue_capacity", () -> defaults.withQueueCapacity(0));
    assertMessage("write_buffer_size", () -> defaults.withWriteBufferBytes(1000));
    assertMessage("window_granularity", () -> new WindowStoreConfig(Path.of("d"), Duration.ofSeconds(1),
        Duration.ofSeconds(5), 1, 1, 0, 0, 1, 1L << 20, false, Duration.ZERO));
  }

  private static void assertMessage(String key, org.junit.jupiter.api.function.Executable e) {
    IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
    assertTrue(ex.getMessage().startsWith(key), ex.getMessage());
  }
}

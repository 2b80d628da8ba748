package io.tailshard.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsAndSizesTest {
  @Test
  void durationsAreReadAsGoWritesThem() {
    assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
    assertEquals(Duration.ofSeconds(30), Durations.parse("30s"));
    assertEquals(Duration.ofSeconds(90), Durations.parse("1m30s"));
    assertEquals(Duration.ofMinutes(90), Durations.parse("1h30m"));
    assertEquals(Duration.ofNanos(1500), Durations.parse("1.5us"));
    assertEquals(Duration.ZERO, Durations.parse("0"));
  }

  @Test
  void aBareNumberIsNotADuration() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Durations.parse("30"));
    assertTrue(e.getMessage().contains("500ms, 30s, 1m"), e.getMessage());
  }

  @Test
  void durationsFormatBackToGoText() {
    assertEquals("1m30s", Durations.format(Duration.ofSeconds(90)));
    assertEquals("500ms", Durations.format(Duration.ofMillis(500)));
    assertEquals("0s", Durations.format(Duration.ZERO));
  }

  @Test
  void sizesTakeBinaryAndDecimalUnits() {
    assertEquals(512L << 20, ByteSizes.parse("512MiB"));
    assertEquals(4_000_000L, ByteSizes.parse("4MB"));
    assertEquals(1024L, ByteSizes.parse("1024"));
    assertEquals(2L << 30, ByteSizes.parse("2 gib"));
  }

  @Test
  void anUnknownSizeUnitListsTheAllowedOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSizes.parse("3 parsecs"));
    assertTrue(e.getMessage().contains("allowed: B, KB, MB, GB, TB, KiB, MiB, GiB, TiB"), e.getMessage());
  }

  @Test
  void hostPortsAcceptTheCollectorForms() {
    assertEquals(new HostPort("0.0.0.0", 4317), HostPort.parse("0.0.0.0:4317"));
    assertEquals(new HostPort("0.0.0.0", 8888), HostPort.parse(":8888"));
    assertEquals(new HostPort("::1", 13133), HostPort.parse("[::1]:13133"));
    assertEquals("[::1]:13133", HostPort.parse("[::1]:13133").toString());
    assertThrows(IllegalArgumentException.class, () -> HostPort.parse("localhost"));
    assertThrows(IllegalArgumentException.class, () -> HostPort.parse("localhost:http"));
    assertThrows(IllegalArgumentException.class, () -> HostPort.parse("localhost:70000"));
  }
}

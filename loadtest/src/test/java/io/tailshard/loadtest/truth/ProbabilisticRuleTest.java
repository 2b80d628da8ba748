package io.tailshard.loadtest.truth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The probabilistic rule against hand-checked vectors. The FNV-1a-64 vectors are the algorithm's
 * published ones; the thresholds and hashes were computed apart, with Go's math/big (a 64-bit-precision
 * big.Float times the ratio, then Uint64) and hash/fnv, as the rule's description says.
 */
class ProbabilisticRuleTest {
  private static long fnv(String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    return ProbabilisticRule.fnv1a64(b, 0, b.length);
  }

  @Test
  void fnv1a64MatchesPublishedVectors() {
    assertEquals(0xcbf29ce484222325L, fnv(""));
    assertEquals(0xaf63dc4c8601ec8cL, fnv("a"));
    assertEquals(0x85944171f73967e8L, fnv("foobar"));
  }

  @Test
  void thresholdIsTheRoundedProductOfMaxUint64AndTheRatio() {
    assertEquals("0", Long.toUnsignedString(ProbabilisticRule.threshold(0)));
    assertEquals("1844674407370955", Long.toUnsignedString(ProbabilisticRule.threshold(0.01)));
    assertEquals("184467440737095519", Long.toUnsignedString(ProbabilisticRule.threshold(1)));
    assertEquals("1844674407370955263", Long.toUnsignedString(ProbabilisticRule.threshold(10)));
    assertEquals("4611686018427387903", Long.toUnsignedString(ProbabilisticRule.threshold(25)));
    assertEquals("6142765776545279999", Long.toUnsignedString(ProbabilisticRule.threshold(33.3)));
    assertEquals("9223372036854775807", Long.toUnsignedString(ProbabilisticRule.threshold(50)));
    assertEquals("18444899399302178815", Long.toUnsignedString(ProbabilisticRule.threshold(99.99)));
    assertEquals("18446744073709551615", Long.toUnsignedString(ProbabilisticRule.threshold(100)));
  }

  @Test
  void hashIsOverTheSaltThenTheTraceIdBytes() {
    ProbabilisticRule rule = new ProbabilisticRule(10, "");
    byte[] a = HexFormat.of().parseHex("0102030405060708090a0b0c0d0e0f10");
    byte[] b = HexFormat.of().parseHex("ffffffffffffffffffffffffffffffff");
    byte[] c = HexFormat.of().parseHex("4bf92f3577b34da6a3ce929d0e0e4736");
    assertEquals(0xdbcf64d5420f4cadL, rule.hash(a, 0));
    assertEquals(0x17bec3739634fe2dL, rule.hash(b, 0));
    assertEquals(0xa54533ba2e4970b5L, rule.hash(c, 0));
    assertEquals(0x59bd5945c0a27676L, new ProbabilisticRule(10, "my-salt").hash(a, 0));

    // The same hash as FNV over the concatenated bytes.
    byte[] salted = new byte["default-hash-seed".length() + 16];
    System.arraycopy("default-hash-seed".getBytes(StandardCharsets.UTF_8), 0, salted, 0, 17);
    System.arraycopy(a, 0, salted, 17, 16);
    assertEquals(ProbabilisticRule.fnv1a64(salted, 0, salted.length), rule.hash(a, 0));
  }

  @Test
  void decisionsCompareTheHashUnsignedWithTheThreshold() {
    byte[] a = HexFormat.of().parseHex("0102030405060708090a0b0c0d0e0f10");
    byte[] b = HexFormat.of().parseHex("ffffffffffffffffffffffffffffffff");
    // b's hash 0x17bec3739634fe2d is below 10% of 2^64; a's 0xdbcf... is above half (negative as signed).
    assertTrue(new ProbabilisticRule(10, null).sampled(b, 0));
    assertFalse(new ProbabilisticRule(10, null).sampled(a, 0));
    assertFalse(new ProbabilisticRule(50, null).sampled(a, 0));
    assertTrue(new ProbabilisticRule(100, null).sampled(a, 0));
    assertFalse(new ProbabilisticRule(0, null).sampled(b, 0));
  }

  @Test
  void bothTraceIdFormsAgreeAndTheShareIsNearThePercentage() {
    ProbabilisticRule rule = new ProbabilisticRule(30, "salt");
    Random random = new Random(7);
    int kept = 0;
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      byte[] id = new byte[16];
      random.nextBytes(id);
      TraceId t = TraceId.of(id, 0);
      boolean s = rule.sampled(id, 0);
      assertEquals(s, rule.sampled(t.high(), t.low()));
      kept += s ? 1 : 0;
    }
    double share = kept / (double) n;
    assertTrue(Math.abs(share - 0.30) < 4 * Math.sqrt(0.3 * 0.7 / n), "share " + share);
  }

  @Test
  void refusesPercentagesOutsideZeroToHundred() {
    assertThrows(IllegalArgumentException.class, () -> new ProbabilisticRule(100.5, null));
    assertThrows(IllegalArgumentException.class, () -> new ProbabilisticRule(-1, null));
  }
}

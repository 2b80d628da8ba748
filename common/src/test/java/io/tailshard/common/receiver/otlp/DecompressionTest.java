package io.tailshard.common.receiver.otlp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.DeflaterOutputStream;
import org.junit.jupiter.api.Test;

class DecompressionTest {
  private final InFlightLimiter limiter = new InFlightLimiter(0, 0);

  private static byte[] random(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  private byte[] inflate(String encoding, byte[] in, long limit) throws Rejection {
    BodyBuffer out = Decompression.inflate(encoding, in, 0, in.length, limit, limiter.lease(), "body");
    return Arrays.copyOf(out.array(), out.length());
  }

  @Test
  void gzipAndZlibRoundTrip() throws Exception {
    for (int n : new int[] {0, 1, 1000, 300_000}) {
      byte[] data = random(n, n);
      assertArrayEquals(data, inflate("gzip", OtlpGrpcReceiverTest.gzip(data), 1 << 20));
      ByteArrayOutputStream z = new ByteArrayOutputStream();
      try (DeflaterOutputStream d = new DeflaterOutputStream(z)) {
        d.write(data);
      }
      assertArrayEquals(data, inflate("zlib", z.toByteArray(), 1 << 20));
    }
  }

  @Test
  void concatenatedGzipMembersAreOneBody() throws Exception {
    byte[] a = random(5000, 1);
    byte[] b = random(7000, 2);
    ByteArrayOutputStream both = new ByteArrayOutputStream();
    both.write(OtlpGrpcReceiverTest.gzip(a));
    both.write(OtlpGrpcReceiverTest.gzip(b));
    byte[] expected = new byte[a.length + b.length];
    System.arraycopy(a, 0, expected, 0, a.length);
    System.arraycopy(b, 0, expected, a.length, b.length);
    assertArrayEquals(expected, inflate("gzip", both.toByteArray(), 1 << 20));
  }

  @Test
  void aBombIsStoppedAtTheLimitWithoutAllocatingPastIt() throws Exception {
    byte[] bomb = OtlpGrpcReceiverTest.gzipOfZeros(256L << 20);
    InFlightLimiter budget = new InFlightLimiter(0, 0);
    InFlightLimiter.Lease lease = budget.lease();
    Rejection r = assertThrows(Rejection.class, () -> Decompression.inflate("gzip", bomb, 0, bomb.length, 1 << 20, lease, "body"));
    assertEquals(Outcome.TOO_LARGE, r.outcome());
    assertTrue(budget.bytesInFlight() <= (1 << 20) + 1, "never more than the limit + 1 byte: " + budget.bytesInFlight());
    lease.close();
    assertEquals(0, budget.bytesInFlight());
  }

  @Test
  void aLyingSizeTrailerIsNotTrusted() throws Exception {
    byte[] gz = OtlpGrpcReceiverTest.gzip(random(100, 3));
    byte[] lying = gz.clone();
    lying[lying.length - 1] = 0x7F; // claims about 2 GiB
    InFlightLimiter budget = new InFlightLimiter(0, 0);
    InFlightLimiter.Lease lease = budget.lease();
    Rejection r = assertThrows(Rejection.class, () -> Decompression.inflate("gzip", lying, 0, lying.length, 1 << 20, lease, "body"));
    assertEquals(Outcome.MALFORMED, r.outcome());
    assertTrue(budget.bytesInFlight() < 64 * 1024, "no up-front allocation from the claim");
  }

  @Test
  void corruptDataIsMalformed() throws Exception {
    byte[] gz = OtlpGrpcReceiverTest.gzip(random(1000, 4));
    byte[] badCrc = gz.clone();
    badCrc[gz.length - 8] ^= 1;
    assertEquals(Outcome.MALFORMED, assertThrows(Rejection.class, () -> inflate("gzip", badCrc, 1 << 20)).outcome());
    byte[] truncated = Arrays.copyOf(gz, gz.length / 2);
    assertEquals(Outcome.MALFORMED, assertThrows(Rejection.class, () -> inflate("gzip", truncated, 1 << 20)).outcome());
    assertEquals(Outcome.MALFORMED, assertThrows(Rejection.class, () -> inflate("gzip", new byte[] {1, 2, 3}, 1 << 20)).outcome());
    assertEquals(Outcome.MALFORMED, assertThrows(Rejection.class, () -> inflate("zlib", new byte[] {1, 2, 3}, 1 << 20)).outcome());
  }

  @Test
  void theByteBudgetRefusesBodiesWhenOthersHoldIt() throws Exception {
    InFlightLimiter budget = new InFlightLimiter(0, 1000);
    InFlightLimiter.Lease first = budget.lease();
    assertTrue(first.reserve(900));
    Rejection r = assertThrows(Rejection.class, () -> new BodyBuffer(500, 1 << 20, budget.lease(), "body"));
    assertEquals(Outcome.OVERLOADED, r.outcome());
    first.close();
    new BodyBuffer(5000, 1 << 20, budget.lease(), "body"); // alone, any allowed size fits
  }
}

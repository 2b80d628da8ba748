package io.tailshard.loadtest.truth;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * The Collector's probabilistic tail-sampling decision as a pure function, so the sink can name
 * exactly which traces a sampler had to keep: {@code h = FNV-1a-64(salt bytes, then the 16 trace-id
 * bytes)}, {@code threshold = (2^64-1) * percentage/100} rounded to 64 significant bits (half to
 * even), truncated to an integer and saturated at {@code 2^64-1}; sampled when {@code h <= threshold}
 * compared unsigned. An empty salt means the Collector's default, {@code default-hash-seed}.
 *
 * <p>Written from the rule's description, independently of the sampling tier's implementation, so
 * the two check each other. Immutable and thread-safe.
 */
public final class ProbabilisticRule {
  public static final String DEFAULT_SALT = "default-hash-seed";

  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;
  private static final BigInteger MAX_U64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);

  private final double percentage;
  private final byte[] salt;
  private final long threshold;
  private final long saltHash;

  public ProbabilisticRule(double percentage, String salt) {
    if (!(percentage >= 0 && percentage <= 100)) {
      throw new IllegalArgumentException("sampling percentage must be in [0, 100], found " + percentage);
    }
    this.percentage = percentage;
    this.salt = (salt == null || salt.isEmpty() ? DEFAULT_SALT : salt).getBytes(StandardCharsets.UTF_8);
    this.threshold = threshold(percentage);
    // The salt is a fixed prefix, so its part of the hash is computed once.
    this.saltHash = fnv1a64(FNV_OFFSET, this.salt, 0, this.salt.length);
  }

  public double percentage() {
    return percentage;
  }

  /** The unsigned threshold as a signed long's bits. */
  public long threshold() {
    return threshold;
  }

  /** True when a sampler following the rule keeps the trace {@code traceId[off, off+16)}. */
  public boolean sampled(byte[] traceId, int off) {
    return Long.compareUnsigned(fnv1a64(saltHash, traceId, off, 16), threshold) <= 0;
  }

  /** Like {@link #sampled(byte[], int)} for a trace id given as its two big-endian halves. */
  public boolean sampled(long high, long low) {
    long h = saltHash;
    for (int i = 56; i >= 0; i -= 8) {
      h = (h ^ ((high >>> i) & 0xFF)) * FNV_PRIME;
    }
    for (int i = 56; i >= 0; i -= 8) {
      h = (h ^ ((low >>> i) & 0xFF)) * FNV_PRIME;
    }
    return Long.compareUnsigned(h, threshold) <= 0;
  }

  /** The hash the rule compares: FNV-1a-64 over the salt then the 16 trace-id bytes. */
  public long hash(byte[] traceId, int off) {
    return fnv1a64(saltHash, traceId, off, 16);
  }

  /** FNV-1a-64 of {@code b[off, off+len)} starting from the standard offset basis. */
  public static long fnv1a64(byte[] b, int off, int len) {
    return fnv1a64(FNV_OFFSET, b, off, len);
  }

  private static long fnv1a64(long h, byte[] b, int off, int len) {
    for (int i = off; i < off + len; i++) {
      h = (h ^ (b[i] & 0xFF)) * FNV_PRIME;
    }
    return h;
  }

  /**
   * {@code (2^64-1) * (percentage/100)} as the Collector computes it: the ratio is a double, the
   * product is rounded to 64 significant bits (half to even, like a 64-bit-precision big float),
   * then truncated toward zero and saturated at {@code 2^64-1}. Returned as an unsigned long's bits.
   */
  public static long threshold(double percentage) {
    double ratio = percentage / 100;
    if (ratio <= 0) {
      return 0;
    }
    // ratio = mantissa * 2^exponent exactly (a double is a dyadic rational).
    long bits = Double.doubleToRawLongBits(ratio);
    int biased = (int) ((bits >>> 52) & 0x7FF);
    long mantissa = bits & ((1L << 52) - 1);
    int exponent;
    if (biased == 0) {
      exponent = -1074;
    } else {
      mantissa |= 1L << 52;
      exponent = biased - 1075;
    }
    BigInteger n = MAX_U64.multiply(BigInteger.valueOf(mantissa));
    int shift = Math.max(0, n.bitLength() - 64);
    if (shift > 0) {
      BigInteger q = n.shiftRight(shift);
      BigInteger rem = n.subtract(q.shiftLeft(shift));
      int cmp = rem.compareTo(BigInteger.ONE.shiftLeft(shift - 1));
      if (cmp > 0 || (cmp == 0 && q.testBit(0))) {
        q = q.add(BigInteger.ONE);
      }
      n = q;
    }
    int scale = shift + exponent;
    BigInteger value = scale >= 0 ? n.shiftLeft(scale) : n.shiftRight(-scale);
    if (value.compareTo(MAX_U64) > 0) {
      value = MAX_U64;
    }
    return value.longValue();
  }
}

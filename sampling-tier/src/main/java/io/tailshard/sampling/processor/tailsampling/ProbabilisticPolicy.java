package io.tailshard.sampling.processor.tailsampling;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * {@code probabilistic}: keeps a trace when a salted hash of its id falls at or below a threshold
 * derived from {@code sampling_percentage}. It decides exactly as the Collector does for the same
 * salt and percentage, so a trace kept by one system is kept by the other:
 *
 * <ul>
 *   <li>hash: FNV-1a 64 over the UTF-8 bytes of the salt ({@value #DEFAULT_HASH_SALT} when the
 *       salt is empty), continued over the 16 trace-id bytes;
 *   <li>threshold: {@code (2^64-1) * (percentage / 100)}, where the division is a float64
 *       division and the product is rounded to 64 significant bits, nearest-even, then truncated to
 *       an integer and capped at {@code 2^64-1} (what the Collector's {@code big.Float}
 *       arithmetic does);
 *   <li>sampled when {@code hash <= threshold}, both unsigned.
 * </ul>
 *
 * <p>The threshold and the hash state after the salt are computed once, here; a decision then
 * hashes 16 bytes and compares two longs.
 */
final class ProbabilisticPolicy implements Policy {
  /** The Collector's salt when {@code hash_salt} is empty or absent. */
  static final String DEFAULT_HASH_SALT = "default-hash-seed";

  private static final long FNV64_OFFSET_BASIS = 0xcbf29ce484222325L;
  private static final long FNV64_PRIME = 0x100000001b3L;
  private static final BigInteger MAX_UINT64 = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
  private static final int FLOAT64_FRACTION_BITS = 52;
  private static final int FLOAT64_EXPONENT_BIAS = 1075; // 1023 + 52: value = mantissa * 2^(e - 1075)

  private final long saltState;
  private final long threshold;

  ProbabilisticPolicy(double samplingPercentage, String hashSalt) {
    String salt = hashSalt.isEmpty() ? DEFAULT_HASH_SALT : hashSalt;
    this.saltState = fnv1a64(FNV64_OFFSET_BASIS, salt.getBytes(StandardCharsets.UTF_8));
    this.threshold = threshold(samplingPercentage);
  }

  @Override
  public Decision evaluate(TraceView trace) {
    long h = hashTraceId(saltState, trace.traceIdHigh(), trace.traceIdLow());
    return Long.compareUnsigned(h, threshold) <= 0 ? Decision.SAMPLED : Decision.NOT_SAMPLED;
  }

  /** The unsigned threshold this policy compares hashes with. */
  long threshold() {
    return threshold;
  }

  /** The Collector's hash of a trace id under a salt ({@code ""} meaning the default salt). */
  static long hash(String salt, long traceIdHigh, long traceIdLow) {
    String s = salt.isEmpty() ? DEFAULT_HASH_SALT : salt;
    return hashTraceId(fnv1a64(FNV64_OFFSET_BASIS, s.getBytes(StandardCharsets.UTF_8)), traceIdHigh, traceIdLow);
  }

  private static long hashTraceId(long state, long high, long low) {
    long h = state;
    // Big-endian: trace-id byte 0 is the top byte of high, as the id is written on the wire.
    for (int shift = 56; shift >= 0; shift -= 8) {
      h = (h ^ ((high >>> shift) & 0xff)) * FNV64_PRIME;
    }
    for (int shift = 56; shift >= 0; shift -= 8) {
      h = (h ^ ((low >>> shift) & 0xff)) * FNV64_PRIME;
    }
    return h;
  }

  private static long fnv1a64(long state, byte[] bytes) {
    long h = state;
    for (byte b : bytes) {
      h = (h ^ (b & 0xff)) * FNV64_PRIME;
    }
    return h;
  }

  /**
   * The unsigned threshold for a percentage, computed exactly as the Collector's
   * {@code big.Float} code: the float64 ratio {@code percentage / 100} is taken at its exact binary
   * value, multiplied by {@code 2^64-1}, the product rounded to 64 significant bits (nearest, ties
   * to even), truncated toward zero, and capped at {@code 2^64-1}. Config time only.
   */
  static long threshold(double percentage) {
    double ratio = percentage / 100; // a float64 division, like the Collector's
    if (!(ratio > 0)) {
      return 0; // big.Float gives 0 for a zero product and Uint64 gives 0 below zero
    }
    if (ratio == Double.POSITIVE_INFINITY) {
      return -1L; // Uint64 saturates above 2^64-1
    }
    long bits = Double.doubleToRawLongBits(ratio);
    int biasedExponent = (int) ((bits >>> FLOAT64_FRACTION_BITS) & 0x7ff);
    long mantissa = bits & ((1L << FLOAT64_FRACTION_BITS) - 1);
    int exponent;
    if (biasedExponent == 0) {
      exponent = 1 - FLOAT64_EXPONENT_BIAS; // subnormal: no implicit leading bit
    } else {
      mantissa |= 1L << FLOAT64_FRACTION_BITS;
      exponent = biasedExponent - FLOAT64_EXPONENT_BIAS;
    }
    // value = significand * 2^exponent, exactly
    BigInteger significand = MAX_UINT64.multiply(BigInteger.valueOf(mantissa));
    int excess = significand.bitLength() - 64;
    if (excess > 0) {
      BigInteger kept = significand.shiftRight(excess);
      BigInteger dropped = significand.subtract(kept.shiftLeft(excess));
      int vsHalf = dropped.compareTo(BigInteger.ONE.shiftLeft(excess - 1));
      if (vsHalf > 0 || (vsHalf == 0 && kept.testBit(0))) {
        kept = kept.add(BigInteger.ONE);
      }
      significand = kept;
      exponent += excess;
    }
    BigInteger integer = exponent >= 0 ? significand.shiftLeft(exponent) : significand.shiftRight(-exponent);
    return integer.compareTo(MAX_UINT64) > 0 ? -1L : integer.longValue();
  }
}

package io.tailshard.common.ring;

import java.nio.charset.StandardCharsets;

/**
 * The ring's hash functions. Every value here is a pure function of its input bytes, written out
 * in full so the ring is identical in every JVM, version and platform: no {@code String.hashCode},
 * no seeds drawn at run time, no library whose output could change with an upgrade.
 */
final class Hashing {
  /** 2^64 divided by the golden ratio, odd: the usual increment for deriving independent keys. */
  static final long GOLDEN = 0x9E3779B97F4A7C15L;

  private Hashing() {}

  /**
   * A bijective 64-bit finalizer (the variant of the MurmurHash3 finalizer known as Stafford's
   * mix 13, as used by SplitMix64): each input bit flips about half the output bits, so inputs
   * that differ in a few low bits (sequential ids) land far apart.
   */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /**
   * The 64-bit hash of a 16-byte trace id given as two big-endian halves. The low half goes
   * through a full mix before the high half is folded in and mixed again, so ids that vary only
   * in the low 8 bytes (64-bit ids padded with zeros, as some SDKs send) or only in a counter are
   * spread as well as random ids. Allocation-free; a few nanoseconds.
   */
  static long traceId(long hi, long lo) {
    return mix64(mix64(lo ^ GOLDEN) + hi);
  }

  /** A 64-bit hash of an endpoint's UTF-8 bytes, 8 bytes at a time, each step a full mix. */
  static long endpoint(String endpoint) {
    byte[] b = endpoint.getBytes(StandardCharsets.UTF_8);
    long h = mix64(b.length * GOLDEN);
    int i = 0;
    for (; i + 8 <= b.length; i += 8) {
      h = mix64(h ^ littleEndian(b, i, 8));
    }
    if (i < b.length) {
      h = mix64(h ^ littleEndian(b, i, b.length - i) ^ GOLDEN);
    }
    return mix64(h + GOLDEN);
  }

  /** The i-th key derived from {@code seed}; keys for different i are independent for practical purposes. */
  static long derive(long seed, int i) {
    return mix64(seed + (i + 1) * GOLDEN);
  }

  private static long littleEndian(byte[] b, int off, int len) {
    long v = 0;
    for (int k = len - 1; k >= 0; k--) {
      v = (v << 8) | (b[off + k] & 0xFF);
    }
    return v;
  }
}

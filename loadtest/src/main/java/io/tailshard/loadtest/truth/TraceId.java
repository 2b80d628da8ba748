package io.tailshard.loadtest.truth;

import io.tailshard.common.otlp.wire.ProtoWire;

/**
 * A 16-byte trace id as its two big-endian halves: small, hashable, comparable to the bytes on the
 * wire without copying them.
 */
public record TraceId(long high, long low) {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  /** The trace id at {@code b[off, off+16)}. */
  public static TraceId of(byte[] b, int off) {
    return new TraceId(ProtoWire.readBigEndian64(b, off), ProtoWire.readBigEndian64(b, off + 8));
  }

  /** Parses 32 hex digits. */
  public static TraceId parse(CharSequence hex) {
    if (hex.length() != 32) {
      throw new IllegalArgumentException("a trace id is 32 hex digits, found '" + hex + "'");
    }
    return new TraceId(Long.parseUnsignedLong(hex.subSequence(0, 16).toString(), 16),
        Long.parseUnsignedLong(hex.subSequence(16, 32).toString(), 16));
  }

  /** Writes the 16 bytes at {@code out[off]}. */
  public void write(byte[] out, int off) {
    for (int i = 0; i < 8; i++) {
      out[off + i] = (byte) (high >>> (56 - 8 * i));
      out[off + 8 + i] = (byte) (low >>> (56 - 8 * i));
    }
  }

  public byte[] bytes() {
    byte[] b = new byte[16];
    write(b, 0);
    return b;
  }

  /** 32 lowercase hex digits, as OTLP/JSON and the ground truth write it. */
  public String hex() {
    char[] c = new char[32];
    for (int i = 0; i < 16; i++) {
      c[i] = HEX[(int) (high >>> (60 - 4 * i)) & 0xF];
      c[16 + i] = HEX[(int) (low >>> (60 - 4 * i)) & 0xF];
    }
    return new String(c);
  }

  @Override
  public int hashCode() {
    // Trace ids are random: mixing the low half is enough and cheap.
    return (int) (low ^ (low >>> 32) ^ high);
  }

  @Override
  public String toString() {
    return hex();
  }
}

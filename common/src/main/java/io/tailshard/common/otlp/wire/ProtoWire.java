package io.tailshard.common.otlp.wire;

/**
 * Low-level protobuf wire encoding over byte arrays: varints, fixed-width numbers, tags and sizes.
 * Static, allocation-free helpers shared by the OTLP reader, writer and transcoders.
 */
public final class ProtoWire {
  public static final int VARINT = 0;
  public static final int FIXED64 = 1;
  public static final int LEN = 2;
  public static final int FIXED32 = 5;

  private ProtoWire() {}

  /** The tag of a field: number and wire type. */
  public static int tag(int field, int wireType) {
    return (field << 3) | wireType;
  }

  /** Bytes a varint of {@code v} takes (v read as unsigned). */
  public static int varintSize(long v) {
    if ((v & (~0L << 7)) == 0) {
      return 1;
    }
    if ((v & (~0L << 14)) == 0) {
      return 2;
    }
    if ((v & (~0L << 21)) == 0) {
      return 3;
    }
    if ((v & (~0L << 28)) == 0) {
      return 4;
    }
    int n = 5;
    v >>>= 35;
    while (v != 0) {
      n++;
      v >>>= 7;
    }
    return n;
  }

  /** Size of a length-delimited field with a payload of {@code len} bytes. */
  public static int lenFieldSize(int field, int len) {
    return varintSize(tag(field, LEN)) + varintSize(len) + len;
  }

  /** Writes a varint at {@code pos}; returns the position after it. */
  public static int writeVarint(byte[] out, int pos, long v) {
    while ((v & ~0x7FL) != 0) {
      out[pos++] = (byte) ((v & 0x7F) | 0x80);
      v >>>= 7;
    }
    out[pos++] = (byte) v;
    return pos;
  }

  /** Writes the tag and length of a length-delimited field; returns the position of the payload. */
  public static int writeLenHeader(byte[] out, int pos, int field, int len) {
    pos = writeVarint(out, pos, tag(field, LEN));
    return writeVarint(out, pos, len);
  }

  public static int writeFixed64(byte[] out, int pos, long v) {
    for (int i = 0; i < 8; i++) {
      out[pos++] = (byte) (v >>> (8 * i));
    }
    return pos;
  }

  public static int writeFixed32(byte[] out, int pos, int v) {
    for (int i = 0; i < 4; i++) {
      out[pos++] = (byte) (v >>> (8 * i));
    }
    return pos;
  }

  public static long readFixed64(byte[] buf, int pos) {
    return (buf[pos] & 0xFFL)
        | (buf[pos + 1] & 0xFFL) << 8
        | (buf[pos + 2] & 0xFFL) << 16
        | (buf[pos + 3] & 0xFFL) << 24
        | (buf[pos + 4] & 0xFFL) << 32
        | (buf[pos + 5] & 0xFFL) << 40
        | (buf[pos + 6] & 0xFFL) << 48
        | (buf[pos + 7] & 0xFFL) << 56;
  }

  public static int readFixed32(byte[] buf, int pos) {
    return (buf[pos] & 0xFF)
        | (buf[pos + 1] & 0xFF) << 8
        | (buf[pos + 2] & 0xFF) << 16
        | (buf[pos + 3] & 0xFF) << 24;
  }

  /** Reads 8 bytes as a big-endian long: the first half of a trace id as the ring hashes it. */
  public static long readBigEndian64(byte[] buf, int pos) {
    return (buf[pos] & 0xFFL) << 56
        | (buf[pos + 1] & 0xFFL) << 48
        | (buf[pos + 2] & 0xFFL) << 40
        | (buf[pos + 3] & 0xFFL) << 32
        | (buf[pos + 4] & 0xFFL) << 24
        | (buf[pos + 5] & 0xFFL) << 16
        | (buf[pos + 6] & 0xFFL) << 8
        | (buf[pos + 7] & 0xFFL);
  }
}

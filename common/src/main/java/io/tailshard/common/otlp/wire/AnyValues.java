package io.tailshard.common.otlp.wire;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Reads an OTLP {@code AnyValue} payload located by {@link TraceRequestIndex}'s attribute lookups,
 * given as {@code (offset << 32) | length} into the index's buffer. Only the scalar kinds are read
 * here; arrays, kvlists and bytes are reported by {@link #kind}, and {@link #asString} gives ""
 * for them.
 */
public final class AnyValues {
  public static final int NONE = 0;
  public static final int STRING = 1;
  public static final int BOOL = 2;
  public static final int INT = 3;
  public static final int DOUBLE = 4;
  public static final int ARRAY = 5;
  public static final int KVLIST = 6;
  public static final int BYTES = 7;

  private AnyValues() {}

  public static int offset(long position) {
    return (int) (position >>> 32);
  }

  public static int length(long position) {
    return (int) position;
  }

  /** Which value the AnyValue holds (its oneof field number, the last one set), or {@link #NONE}. */
  public static int kind(byte[] buf, long position) {
    int[] out = new int[2];
    return scan(buf, position, out);
  }

  /** For a string value: the offset of its UTF-8 bytes, or -1 when the value is not a string. */
  public static long stringRange(byte[] buf, long position) {
    int[] out = new int[2];
    if (scan(buf, position, out) != STRING) {
      return -1;
    }
    return ((long) out[0] << 32) | out[1];
  }

  /** True when the value is a string equal to {@code utf8}. */
  public static boolean stringEquals(byte[] buf, long position, byte[] utf8) {
    long r = stringRange(buf, position);
    if (r < 0) {
      return false;
    }
    int off = (int) (r >>> 32);
    int len = (int) r;
    return len == utf8.length && Arrays.equals(buf, off, off + len, utf8, 0, len);
  }

  /** The value as text: strings as they are, numbers and booleans printed; other kinds give "". */
  public static String asString(byte[] buf, long position) {
    int[] out = new int[2];
    int k = scan(buf, position, out);
    switch (k) {
      case STRING:
        return new String(buf, out[0], out[1], StandardCharsets.UTF_8);
      case BOOL:
        return Boolean.toString(readVarint(buf, out[0]) != 0);
      case INT:
        return Long.toString(readVarint(buf, out[0]));
      case DOUBLE: {
        double d = Double.longBitsToDouble(ProtoWire.readFixed64(buf, out[0]));
        return d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15
            ? Long.toString((long) d)
            : Double.toString(d);
      }
      default:
        return "";
    }
  }

  /** An int value, or a double truncated, or {@code fallback} for any other kind. */
  public static long asLong(byte[] buf, long position, long fallback) {
    int[] out = new int[2];
    int k = scan(buf, position, out);
    if (k == INT) {
      return readVarint(buf, out[0]);
    }
    if (k == DOUBLE) {
      return (long) Double.longBitsToDouble(ProtoWire.readFixed64(buf, out[0]));
    }
    return fallback;
  }

  /** A double value, or an int widened, or {@code fallback}. */
  public static double asDouble(byte[] buf, long position, double fallback) {
    int[] out = new int[2];
    int k = scan(buf, position, out);
    if (k == DOUBLE) {
      return Double.longBitsToDouble(ProtoWire.readFixed64(buf, out[0]));
    }
    if (k == INT) {
      return readVarint(buf, out[0]);
    }
    return fallback;
  }

  /** A bool value, or {@code fallback}. */
  public static boolean asBoolean(byte[] buf, long position, boolean fallback) {
    int[] out = new int[2];
    return scan(buf, position, out) == BOOL ? readVarint(buf, out[0]) != 0 : fallback;
  }

  /** Finds the last oneof field; out[0] = payload offset, out[1] = payload length (LEN kinds). */
  private static int scan(byte[] buf, long position, int[] out) {
    int p = offset(position);
    int to = p + length(position);
    int kind = NONE;
    while (p < to) {
      int tag = 0;
      int shift = 0;
      byte b;
      do {
        if (p >= to || shift > 28) {
          return kind;
        }
        b = buf[p++];
        tag |= (b & 0x7F) << shift;
        shift += 7;
      } while (b < 0);
      int field = tag >>> 3;
      switch (tag & 7) {
        case ProtoWire.VARINT: {
          int s = p;
          while (p < to && buf[p] < 0) {
            p++;
          }
          if (p >= to) {
            return kind;
          }
          p++;
          if (field == BOOL || field == INT) {
            kind = field;
            out[0] = s;
            out[1] = p - s;
          }
          break;
        }
        case ProtoWire.FIXED64:
          if (to - p < 8) {
            return kind;
          }
          if (field == DOUBLE) {
            kind = DOUBLE;
            out[0] = p;
            out[1] = 8;
          }
          p += 8;
          break;
        case ProtoWire.LEN: {
          long len = 0;
          shift = 0;
          do {
            if (p >= to || shift > 28) {
              return kind;
            }
            b = buf[p++];
            len |= (long) (b & 0x7F) << shift;
            shift += 7;
          } while (b < 0);
          if (len > to - p) {
            return kind;
          }
          if (field == STRING || field == ARRAY || field == KVLIST || field == BYTES) {
            kind = field;
            out[0] = p;
            out[1] = (int) len;
          }
          p += (int) len;
          break;
        }
        case ProtoWire.FIXED32:
          if (to - p < 4) {
            return kind;
          }
          p += 4;
          break;
        default:
          return kind;
      }
    }
    return kind;
  }

  private static long readVarint(byte[] buf, int p) {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      byte b = buf[p++];
      result |= (long) (b & 0x7F) << shift;
      if (b >= 0) {
        break;
      }
    }
    return result;
  }
}

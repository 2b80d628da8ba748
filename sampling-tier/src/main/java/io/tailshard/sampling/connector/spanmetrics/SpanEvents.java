package io.tailshard.sampling.connector.spanmetrics;

import java.util.Arrays;

/**
 * Finds attributes of a span in one pass, and walks the events of one span in the request bytes ({@code Span.events}, field 11) and finds an
 * event attribute by key, without objects: positions are {@code (offset << 32) | length}, as
 * {@link io.tailshard.common.otlp.wire.TraceRequestIndex} returns them. Malformed inner bytes end
 * the walk (the request's framing was checked when it was indexed). Stateless.
 */
final class SpanEvents {
  private static final int SPAN_EVENTS = 11;
  private static final int EVENT_ATTRIBUTES = 3;

  private SpanEvents() {}

  /** The position of the next event payload at or after {@code from} within {@code [from, to)}, or -1. */
  static long nextEvent(byte[] b, int from, int to) {
    int p = from;
    while (p < to) {
      long t = varint(b, p, to);
      if (t < 0) {
        return -1;
      }
      p += (int) (t >>> 40);
      int tag = (int) (t & 0xFF_FFFF_FFFFL);
      int wire = tag & 7;
      if (wire == 2) {
        long l = varint(b, p, to);
        if (l < 0) {
          return -1;
        }
        p += (int) (l >>> 40);
        int len = (int) (l & 0xFF_FFFF_FFFFL);
        if (len > to - p) {
          return -1;
        }
        if (tag >>> 3 == SPAN_EVENTS) {
          return ((long) p << 32) | len;
        }
        p += len;
      } else {
        p = skip(b, wire, p, to);
        if (p < 0) {
          return -1;
        }
      }
    }
    return -1;
  }

  /**
   * One pass over the repeated KeyValue field {@code field} of the message in {@code [from, to)}:
   * {@code out[k]} becomes the AnyValue position of {@code keys[k]} (the last one when repeated),
   * or -1. One walk for every dimension is what keeps extra dimensions cheap per span.
   */
  static void attributes(byte[] b, int from, int to, int field, byte[][] keys, long[] out) {
    java.util.Arrays.fill(out, 0, keys.length, -1L);
    int p = from;
    while (p < to) {
      long t = varint(b, p, to);
      if (t < 0) {
        return;
      }
      p += (int) (t >>> 40);
      int tag = (int) (t & 0xFF_FFFF_FFFFL);
      int wire = tag & 7;
      if (wire != 2) {
        p = skip(b, wire, p, to);
        if (p < 0) {
          return;
        }
        continue;
      }
      long l = varint(b, p, to);
      if (l < 0) {
        return;
      }
      p += (int) (l >>> 40);
      int len = (int) (l & 0xFF_FFFF_FFFFL);
      if (len > to - p) {
        return;
      }
      if (tag >>> 3 == field) {
        matchAny(b, p, p + len, keys, out);
      }
      p += len;
    }
  }

  /** For a KeyValue in [from, to): sets out[k] to its value position when its key is keys[k]. */
  private static void matchAny(byte[] b, int from, int to, byte[][] keys, long[] out) {
    int p = from;
    int matched = -1;
    long value = ((long) to << 32);
    while (p < to) {
      long t = varint(b, p, to);
      if (t < 0) {
        return;
      }
      p += (int) (t >>> 40);
      int tag = (int) (t & 0xFF_FFFF_FFFFL);
      if ((tag & 7) != 2) {
        p = skip(b, tag & 7, p, to);
        if (p < 0) {
          return;
        }
        continue;
      }
      long l = varint(b, p, to);
      if (l < 0) {
        return;
      }
      p += (int) (l >>> 40);
      int len = (int) (l & 0xFF_FFFF_FFFFL);
      if (len > to - p) {
        return;
      }
      if (tag >>> 3 == 1) {
        for (int k = 0; k < keys.length; k++) {
          if (keys[k].length == len && Arrays.equals(b, p, p + len, keys[k], 0, len)) {
            matched = k;
            break;
          }
        }
        if (matched < 0) {
          return;
        }
      } else if (tag >>> 3 == 2) {
        value = ((long) p << 32) | len;
      }
      p += len;
    }
    if (matched >= 0) {
      out[matched] = value;
    }
  }

  /** The AnyValue position of attribute {@code key} of the event at {@code event}, or -1. */
  static long attribute(byte[] b, long event, byte[] key) {
    int p = (int) (event >>> 32);
    int to = p + (int) event;
    long found = -1;
    while (p < to) {
      long t = varint(b, p, to);
      if (t < 0) {
        return found;
      }
      p += (int) (t >>> 40);
      int tag = (int) (t & 0xFF_FFFF_FFFFL);
      int wire = tag & 7;
      if (wire != 2) {
        p = skip(b, wire, p, to);
        if (p < 0) {
          return found;
        }
        continue;
      }
      long l = varint(b, p, to);
      if (l < 0) {
        return found;
      }
      p += (int) (l >>> 40);
      int len = (int) (l & 0xFF_FFFF_FFFFL);
      if (len > to - p) {
        return found;
      }
      if (tag >>> 3 == EVENT_ATTRIBUTES) {
        long v = keyValue(b, p, p + len, key);
        if (v != -1) {
          found = v;
        }
      }
      p += len;
    }
    return found;
  }

  private static long keyValue(byte[] b, int from, int to, byte[] key) {
    int p = from;
    boolean match = false;
    long value = ((long) to << 32);
    while (p < to) {
      long t = varint(b, p, to);
      if (t < 0) {
        return -1;
      }
      p += (int) (t >>> 40);
      int tag = (int) (t & 0xFF_FFFF_FFFFL);
      if ((tag & 7) != 2) {
        p = skip(b, tag & 7, p, to);
        if (p < 0) {
          return -1;
        }
        continue;
      }
      long l = varint(b, p, to);
      if (l < 0) {
        return -1;
      }
      p += (int) (l >>> 40);
      int len = (int) (l & 0xFF_FFFF_FFFFL);
      if (len > to - p) {
        return -1;
      }
      if (tag >>> 3 == 1) {
        match = len == key.length && Arrays.equals(b, p, p + len, key, 0, len);
        if (!match) {
          return -1;
        }
      } else if (tag >>> 3 == 2) {
        value = ((long) p << 32) | len;
      }
      p += len;
    }
    return match ? value : -1;
  }

  private static long varint(byte[] b, int p, int to) {
    long result = 0;
    int start = p;
    for (int shift = 0; shift < 40; shift += 7) {
      if (p >= to) {
        return -1;
      }
      byte x = b[p++];
      result |= (long) (x & 0x7F) << shift;
      if (x >= 0) {
        return ((long) (p - start) << 40) | result;
      }
    }
    return -1;
  }

  private static int skip(byte[] b, int wire, int p, int to) {
    switch (wire) {
      case 0:
        while (p < to && b[p] < 0) {
          p++;
        }
        return p < to ? p + 1 : -1;
      case 1:
        return to - p >= 8 ? p + 8 : -1;
      case 5:
        return to - p >= 4 ? p + 4 : -1;
      default:
        return -1;
    }
  }
}

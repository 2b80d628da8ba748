package io.tailshard.common.receiver.otlp;

import io.tailshard.common.otlp.wire.ProtoWire;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A protobuf writer into a growing array for messages whose sizes are not known in advance (the
 * JSON transcoder writes while it parses). A nested message is opened with a one-byte length
 * placeholder; when it is closed and its length needs more than one byte, its content is moved up
 * to make room. Most nested OTLP messages (attributes, values, status) are under 128 bytes and
 * never move; a span moves once, by a byte. The output is canonical protobuf, byte for byte what
 * the generated classes write for the same fields in the same order.
 *
 * <p>Not thread-safe.
 */
final class ProtoOutput {
  private byte[] buf;
  private int pos;
  private int[] open = new int[16];
  private int depth;

  ProtoOutput(int initialCapacity) {
    buf = new byte[Math.max(16, initialCapacity)];
  }

  byte[] array() {
    return buf;
  }

  int size() {
    return pos;
  }

  /** A copy of exactly the bytes written. */
  byte[] toByteArray() {
    return Arrays.copyOf(buf, pos);
  }

  void tag(int field, int wireType) {
    varint(ProtoWire.tag(field, wireType));
  }

  void varint(long v) {
    ensure(10);
    pos = ProtoWire.writeVarint(buf, pos, v);
  }

  void fixed32(int v) {
    ensure(4);
    pos = ProtoWire.writeFixed32(buf, pos, v);
  }

  void fixed64(long v) {
    ensure(8);
    pos = ProtoWire.writeFixed64(buf, pos, v);
  }

  /** Room for {@code n} raw bytes at {@link #size()}; write them into {@link #array()}, then {@link #skip}. */
  void ensure(int n) {
    if (buf.length - pos < n) {
      long want = Math.max((long) buf.length * 2, (long) pos + n);
      if (want > Integer.MAX_VALUE - 8) {
        want = Integer.MAX_VALUE - 8;
        if (want - pos < n) {
          throw new IllegalStateException("protobuf output over 2 GiB");
        }
      }
      buf = Arrays.copyOf(buf, (int) want);
    }
  }

  void skip(int n) {
    pos += n;
  }

  void bytes(int field, byte[] b, int off, int len) {
    tag(field, ProtoWire.LEN);
    varint(len);
    ensure(len);
    System.arraycopy(b, off, buf, pos, len);
    pos += len;
  }

  /** A string field from UTF-16 chars, written as UTF-8 (unpaired surrogates become '?', as in Java). */
  void string(int field, char[] c, int off, int len) {
    tag(field, ProtoWire.LEN);
    int size = utf8Length(c, off, len);
    varint(size);
    ensure(size);
    pos = encodeUtf8(c, off, len, buf, pos);
  }

  void string(int field, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    bytes(field, b, 0, b.length);
  }

  /** Opens a length-delimited field whose content follows; close it with {@link #close()}. */
  void open(int field) {
    tag(field, ProtoWire.LEN);
    ensure(1);
    pos++; // placeholder for a one-byte length
    if (depth == open.length) {
      open = Arrays.copyOf(open, depth * 2);
    }
    open[depth++] = pos;
  }

  /** Closes the innermost open field, writing its length. */
  void close() {
    int start = open[--depth];
    int len = pos - start;
    int size = ProtoWire.varintSize(len);
    if (size > 1) {
      ensure(size - 1);
      System.arraycopy(buf, start, buf, start + size - 1, len);
      pos += size - 1;
    }
    ProtoWire.writeVarint(buf, start - 1, len);
  }

  /**
   * Closes the innermost open field and removes it entirely (tag included) when it turned out
   * empty, as a packed repeated field with no elements is not written.
   */
  void closeOrDropEmpty(int tagSize) {
    int start = open[depth - 1];
    if (pos == start) {
      depth--;
      pos = start - 1 - tagSize;
      return;
    }
    close();
  }

  static int utf8Length(char[] c, int off, int len) {
    int n = 0;
    int end = off + len;
    for (int i = off; i < end; i++) {
      char ch = c[i];
      if (ch < 0x80) {
        n++;
      } else if (ch < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(ch) && i + 1 < end && Character.isLowSurrogate(c[i + 1])) {
        n += 4;
        i++;
      } else if (Character.isSurrogate(ch)) {
        n++; // written as '?'
      } else {
        n += 3;
      }
    }
    return n;
  }

  private static int encodeUtf8(char[] c, int off, int len, byte[] out, int p) {
    int end = off + len;
    for (int i = off; i < end; i++) {
      char ch = c[i];
      if (ch < 0x80) {
        out[p++] = (byte) ch;
      } else if (ch < 0x800) {
        out[p++] = (byte) (0xC0 | (ch >> 6));
        out[p++] = (byte) (0x80 | (ch & 0x3F));
      } else if (Character.isHighSurrogate(ch) && i + 1 < end && Character.isLowSurrogate(c[i + 1])) {
        int cp = Character.toCodePoint(ch, c[++i]);
        out[p++] = (byte) (0xF0 | (cp >> 18));
        out[p++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
        out[p++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
        out[p++] = (byte) (0x80 | (cp & 0x3F));
      } else if (Character.isSurrogate(ch)) {
        out[p++] = (byte) '?';
      } else {
        out[p++] = (byte) (0xE0 | (ch >> 12));
        out[p++] = (byte) (0x80 | ((ch >> 6) & 0x3F));
        out[p++] = (byte) (0x80 | (ch & 0x3F));
      }
    }
    return p;
  }
}

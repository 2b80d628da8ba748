package io.tailshard.common.receiver.otlp;

import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Bounded decompression of a request body: gzip (RFC 1952, several members allowed) and zlib
 * (RFC 1950, what HTTP {@code deflate} and gRPC {@code deflate} mean). Output goes into a
 * {@link BodyBuffer} in bounded steps, so a small body that inflates past the limit (a "gzip
 * bomb") is refused as too large as soon as the limit is crossed, never after; the output array
 * never exceeds the limit by more than one byte.
 */
final class Decompression {
  private static final int STEP = 64 * 1024;
  private static final int MAX_DEFLATE_RATIO = 1032;
  private static final int FTEXT_MASK = 0x01;
  private static final int FHCRC = 0x02;
  private static final int FEXTRA = 0x04;
  private static final int FNAME = 0x08;
  private static final int FCOMMENT = 0x10;

  private Decompression() {}

  /**
   * Inflates {@code in[off, off+len)} into a new body buffer of at most {@code limit} bytes.
   * {@code encoding} is {@code gzip}; anything else ({@code zlib}, {@code deflate}) is read as zlib.
   *
   * @throws Rejection too large, malformed, or overloaded (no byte budget left)
   */
  static BodyBuffer inflate(String encoding, byte[] in, int off, int len, long limit, InFlightLimiter.Lease lease, String what)
      throws Rejection {
    if (encoding.equals("gzip")) {
      return gunzip(in, off, len, limit, lease, what);
    }
    return unzlib(in, off, len, limit, lease, what);
  }

  private static BodyBuffer gunzip(byte[] in, int off, int len, long limit, InFlightLimiter.Lease lease, String what)
      throws Rejection {
    int end = off + len;
    // The trailer of the last member states the uncompressed size (mod 2^32): a good first guess.
    // A claim over the limit, or beyond what deflate can reach (about 1032:1), is not trusted, so a
    // lying trailer cannot make us allocate up front what the data may never fill.
    long hint = len >= 18 ? readIntLe(in, end - 4) & 0xFFFF_FFFFL : -1;
    if (hint > limit || hint > (long) len * MAX_DEFLATE_RATIO) {
      hint = -1;
    }
    BodyBuffer out = new BodyBuffer(hint, limit, lease, what);
    Inflater inflater = new Inflater(true);
    CRC32 crc = new CRC32();
    try {
      int p = off;
      do {
        p = skipGzipHeader(in, p, end, what);
        inflater.reset();
        crc.reset();
        inflater.setInput(in, p, end - p);
        int memberStart = out.length();
        inflateAll(inflater, out, crc, what);
        p = end - inflater.getRemaining();
        if (end - p < 8) {
          throw malformed(what, "gzip data is truncated (no trailer)");
        }
        if (readIntLe(in, p) != (int) crc.getValue()) {
          throw malformed(what, "gzip CRC mismatch");
        }
        if (readIntLe(in, p + 4) != out.length() - memberStart) {
          throw malformed(what, "gzip size mismatch");
        }
        p += 8;
      } while (p < end);
      return out;
    } finally {
      inflater.end();
    }
  }

  private static BodyBuffer unzlib(byte[] in, int off, int len, long limit, InFlightLimiter.Lease lease, String what)
      throws Rejection {
    BodyBuffer out = new BodyBuffer(-1, limit, lease, what);
    Inflater inflater = new Inflater(false);
    try {
      inflater.setInput(in, off, len);
      inflateAll(inflater, out, null, what);
      if (inflater.getRemaining() != 0) {
        throw malformed(what, "unexpected bytes after the end of the zlib stream");
      }
      return out;
    } finally {
      inflater.end();
    }
  }

  private static void inflateAll(Inflater inflater, BodyBuffer out, CRC32 crc, String what) throws Rejection {
    try {
      while (!inflater.finished()) {
        out.ensureSomeRoom();
        int start = out.length();
        int n = inflater.inflate(out.array(), start, Math.min(out.room(), STEP));
        if (n == 0 && !inflater.finished()) {
          if (inflater.needsInput()) {
            throw malformed(what, "compressed data is truncated");
          }
          if (inflater.needsDictionary()) {
            throw malformed(what, "compressed data needs a preset dictionary");
          }
          continue;
        }
        if (crc != null) {
          crc.update(out.array(), start, n);
        }
        out.advance(n);
      }
    } catch (DataFormatException e) {
      throw malformed(what, "invalid compressed data: " + e.getMessage());
    }
  }

  /** Returns the position after the member header at {@code p}. */
  private static int skipGzipHeader(byte[] in, int p, int end, String what) throws Rejection {
    if (end - p < 10 || (in[p] & 0xFF) != 0x1F || (in[p + 1] & 0xFF) != 0x8B) {
      throw malformed(what, "not gzip data (bad magic bytes)");
    }
    if (in[p + 2] != 8) {
      throw malformed(what, "unsupported gzip compression method " + in[p + 2]);
    }
    int flags = in[p + 3] & 0xFF;
    if ((flags & ~(FTEXT_MASK | FHCRC | FEXTRA | FNAME | FCOMMENT)) != 0) {
      throw malformed(what, "reserved gzip header flags set");
    }
    p += 10;
    if ((flags & FEXTRA) != 0) {
      if (end - p < 2) {
        throw malformed(what, "gzip header is truncated");
      }
      int xlen = (in[p] & 0xFF) | (in[p + 1] & 0xFF) << 8;
      p += 2 + xlen;
    }
    if ((flags & FNAME) != 0) {
      p = skipZeroTerminated(in, p, end, what);
    }
    if ((flags & FCOMMENT) != 0) {
      p = skipZeroTerminated(in, p, end, what);
    }
    if ((flags & FHCRC) != 0) {
      p += 2;
    }
    if (p > end) {
      throw malformed(what, "gzip header is truncated");
    }
    return p;
  }

  private static int skipZeroTerminated(byte[] in, int p, int end, String what) throws Rejection {
    while (p < end && in[p] != 0) {
      p++;
    }
    if (p >= end) {
      throw malformed(what, "gzip header is truncated");
    }
    return p + 1;
  }

  private static int readIntLe(byte[] b, int p) {
    return (b[p] & 0xFF) | (b[p + 1] & 0xFF) << 8 | (b[p + 2] & 0xFF) << 16 | (b[p + 3] & 0xFF) << 24;
  }

  private static Rejection malformed(String what, String problem) {
    return new Rejection(Outcome.MALFORMED, what + ": " + problem);
  }
}

package io.tailshard.common.component;

import java.util.Objects;

/**
 * The unit that flows between trace components: one serialized OTLP {@code ExportTraceServiceRequest}
 * and the number of spans in it. Components pass these bytes on, split them with the wire codec,
 * or decode them (cold path only); none of them builds a protobuf object per span on ingest.
 *
 * <p>Immutable by contract: the array is never written after construction, so one instance may be
 * handed to several consumers at once.
 */
public final class TraceData {
  private final byte[] bytes;
  private final int offset;
  private final int length;
  private final int spanCount;

  public TraceData(byte[] bytes, int offset, int length, int spanCount) {
    Objects.checkFromIndexSize(offset, length, bytes.length);
    if (spanCount < 0) {
      throw new IllegalArgumentException("spanCount < 0");
    }
    this.bytes = bytes;
    this.offset = offset;
    this.length = length;
    this.spanCount = spanCount;
  }

  public TraceData(byte[] bytes, int spanCount) {
    this(bytes, 0, bytes.length, spanCount);
  }

  /** The backing array; read only {@code [offset, offset + length)}, and never write to it. */
  public byte[] array() {
    return bytes;
  }

  public int offset() {
    return offset;
  }

  public int length() {
    return length;
  }

  public int spanCount() {
    return spanCount;
  }

  /** A copy of exactly the request's bytes. */
  public byte[] toByteArray() {
    if (offset == 0 && length == bytes.length) {
      return bytes.clone();
    }
    byte[] out = new byte[length];
    System.arraycopy(bytes, offset, out, 0, length);
    return out;
  }

  @Override
  public String toString() {
    return "TraceData{" + spanCount + " spans, " + length + " bytes}";
  }
}

package io.tailshard.sampling.processor.tailsampling;

/**
 * A span's status code as OTLP numbers it ({@code Status.code}: 0 unset, 1 ok, 2 error) and as
 * the {@code status_code} policy spells it in YAML ({@code UNSET}, {@code OK}, {@code ERROR},
 * case-sensitive as in the Collector). {@link #bit()} is the value a {@link TraceView} sets in its
 * status bitmask.
 */
public enum SpanStatus {
  UNSET(0),
  OK(1),
  ERROR(2);

  private final int protoCode;

  SpanStatus(int protoCode) {
    this.protoCode = protoCode;
  }

  /** The OTLP {@code Status.code} number. */
  public int protoCode() {
    return protoCode;
  }

  /** This status's bit in {@link TraceView#statusCodesSeen()}. */
  public int bit() {
    return 1 << protoCode;
  }

  /**
   * The bit for an OTLP {@code Status.code} read off the wire, for trace buffers building a
   * {@link TraceView}; 0 for a number this version of OTLP does not define (such a span then
   * matches no {@code status_code} policy).
   */
  public static int bitOfProtoCode(int protoCode) {
    return protoCode >= 0 && protoCode <= 2 ? 1 << protoCode : 0;
  }

  /** The status for its YAML name, or null when the name is not one. */
  static SpanStatus fromConfigName(String name) {
    for (SpanStatus s : values()) {
      if (s.name().equals(name)) {
        return s;
      }
    }
    return null;
  }
}

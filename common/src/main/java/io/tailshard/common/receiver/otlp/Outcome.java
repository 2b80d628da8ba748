package io.tailshard.common.receiver.otlp;

/**
 * How one export request ended, with the answer each transport gives for it. The label value is
 * the {@code outcome} of {@code tailshard_receiver_requests}.
 */
enum Outcome {
  /** Every span was handed on. */
  ACCEPTED("accepted", 200, 0),
  /** Some spans were handed on, the rest rejected through {@code partial_success}. */
  PARTIAL("partial", 200, 0),
  /** The body is not a valid request (protobuf, JSON or compression framing). */
  MALFORMED("malformed", 400, 3),
  /** Body or message over the size limit, before or after decompression. */
  TOO_LARGE("too_large", 413, 8),
  /** HTTP Content-Type other than protobuf or JSON. */
  UNSUPPORTED_MEDIA_TYPE("unsupported_media_type", 415, 3),
  /** A Content-Encoding / grpc-encoding this receiver does not decode. 400 as in the Collector. */
  UNSUPPORTED_ENCODING("unsupported_encoding", 400, 12),
  /** This receiver's in-flight limits were reached; the body was not read. */
  OVERLOADED("overloaded", 503, 14),
  /** The pipeline refused the data, retryably. */
  REFUSED("refused", 503, 14),
  /** The pipeline refused the data for good. */
  REFUSED_PERMANENT("refused_permanent", 400, 3),
  /** HTTP path other than the traces path. */
  NOT_FOUND("not_found", 404, 5),
  /** HTTP method other than POST (and OPTIONS with CORS). */
  METHOD_NOT_ALLOWED("method_not_allowed", 405, 12);

  private final String label;
  private final int httpStatus;
  private final int grpcCode;

  Outcome(String label, int httpStatus, int grpcCode) {
    this.label = label;
    this.httpStatus = httpStatus;
    this.grpcCode = grpcCode;
  }

  String label() {
    return label;
  }

  int httpStatus() {
    return httpStatus;
  }

  /** The gRPC status code number (also written into the HTTP error body's {@code Status.code}). */
  int grpcCode() {
    return grpcCode;
  }

  boolean success() {
    return this == ACCEPTED || this == PARTIAL;
  }

  /** True for answers that tell the sender to come back later (503 + Retry-After, UNAVAILABLE). */
  boolean retryable() {
    return this == OVERLOADED || this == REFUSED;
  }
}

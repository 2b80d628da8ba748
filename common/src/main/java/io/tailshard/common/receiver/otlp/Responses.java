package io.tailshard.common.receiver.otlp;

import io.tailshard.common.otlp.wire.ProtoWire;
import java.nio.charset.StandardCharsets;

/**
 * The small messages the receiver answers with, written by hand in protobuf and OTLP/JSON (they
 * are a few bytes; no generated classes needed): {@code ExportTraceServiceResponse} with or
 * without {@code partial_success}, and {@code google.rpc.Status} for errors, which may carry a
 * {@code google.rpc.RetryInfo} detail for gRPC.
 */
final class Responses {
  private static final byte[] EMPTY = new byte[0];
  private static final byte[] EMPTY_JSON = "{}".getBytes(StandardCharsets.US_ASCII);
  private static final String RETRY_INFO_TYPE = "type.googleapis.com/google.rpc.RetryInfo";

  private Responses() {}

  /** ExportTraceServiceResponse: empty for full success, else {@code partial_success}. */
  static byte[] exportResponse(Reply reply, boolean json) {
    if (reply.outcome() != Outcome.PARTIAL) {
      return json ? EMPTY_JSON : EMPTY;
    }
    if (json) {
      // int64 is a string in proto3 JSON.
      return ("{\"partialSuccess\":{\"rejectedSpans\":\"" + reply.rejectedSpans() + "\",\"errorMessage\":"
              + jsonString(reply.message()) + "}}")
          .getBytes(StandardCharsets.UTF_8);
    }
    ProtoOutput out = new ProtoOutput(32 + reply.message().length() * 3);
    out.open(1); // partial_success
    if (reply.rejectedSpans() != 0) {
      out.tag(1, ProtoWire.VARINT); // rejected_spans
      out.varint(reply.rejectedSpans());
    }
    if (!reply.message().isEmpty()) {
      out.string(2, reply.message()); // error_message
    }
    out.close();
    return out.toByteArray();
  }

  /** google.rpc.Status {code, message}, the body of every OTLP/HTTP error. */
  static byte[] status(int code, String message, boolean json) {
    if (json) {
      return ("{\"code\":" + code + ",\"message\":" + jsonString(message) + "}").getBytes(StandardCharsets.UTF_8);
    }
    ProtoOutput out = new ProtoOutput(16 + message.length() * 3);
    writeStatusFields(out, code, message);
    return out.toByteArray();
  }

  /**
   * google.rpc.Status with one RetryInfo detail, for the {@code grpc-status-details-bin} trailer
   * of an UNAVAILABLE answer: the OTLP specification's way to tell a gRPC sender when to retry.
   */
  static byte[] statusWithRetryInfo(int code, String message, long retryAfterSeconds) {
    ProtoOutput out = new ProtoOutput(64 + message.length() * 3);
    writeStatusFields(out, code, message);
    out.open(3); // details: Any
    out.string(1, RETRY_INFO_TYPE); // type_url
    out.open(2); // value: RetryInfo
    out.open(1); // retry_delay: Duration
    out.tag(1, ProtoWire.VARINT); // seconds
    out.varint(retryAfterSeconds);
    out.close();
    out.close();
    out.close();
    return out.toByteArray();
  }

  private static void writeStatusFields(ProtoOutput out, int code, String message) {
    if (code != 0) {
      out.tag(1, ProtoWire.VARINT);
      out.varint(code);
    }
    if (!message.isEmpty()) {
      out.string(2, message);
    }
  }

  /** A JSON string literal. */
  static String jsonString(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"':
          sb.append("\\\"");
          break;
        case '\\':
          sb.append("\\\\");
          break;
        case '\n':
          sb.append("\\n");
          break;
        case '\r':
          sb.append("\\r");
          break;
        case '\t':
          sb.append("\\t");
          break;
        default:
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
      }
    }
    return sb.append('"').toString();
  }
}

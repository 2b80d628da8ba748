package io.tailshard.common.otlp.wire;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.CodedInputStream;
import java.io.IOException;

/**
 * The {@code partial_success} of an OTLP export response: how many items (spans of an
 * {@code ExportTraceServiceResponse}, data points of an {@code ExportMetricsServiceResponse}; the
 * same field numbers) the server rejected and why. Read from the response's protobuf bytes or its
 * OTLP/JSON form, leniently: what cannot be read counts as full success (the server answered OK).
 * Immutable.
 */
public record PartialSuccess(long rejectedItems, String errorMessage) {
  public static final PartialSuccess NONE = new PartialSuccess(0, null);
  private static final JsonFactory JSON = JsonFactory.builder().build();
  private static final java.util.Set<String> REJECTED_KEYS =
      java.util.Set.of("rejectedSpans", "rejected_spans", "rejectedDataPoints", "rejected_data_points");

  /** From response bytes: field 1 (partial_success) holding field 1 (rejected_*) and 2 (error_message). */
  public static PartialSuccess fromProto(byte[] b, int off, int len) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(b, off, len);
      int tag;
      while ((tag = in.readTag()) != 0) {
        if (tag != 0x0A) {
          in.skipField(tag);
          continue;
        }
        int limit = in.pushLimit(in.readRawVarint32());
        long rejected = 0;
        String message = null;
        int t;
        while ((t = in.readTag()) != 0) {
          if (t == 0x08) {
            rejected = in.readInt64();
          } else if (t == 0x12) {
            message = in.readStringRequireUtf8();
          } else {
            in.skipField(t);
          }
        }
        in.popLimit(limit);
        return new PartialSuccess(rejected, message);
      }
    } catch (IOException e) {
      // An unreadable body after an OK answer: the server took the request.
      return NONE;
    }
    return NONE;
  }

  /**
   * From an OTLP/JSON response: {@code partialSuccess.rejectedSpans} or {@code rejectedDataPoints}
   * (number or string) and {@code errorMessage}.
   */
  public static PartialSuccess fromJson(byte[] b, int off, int len) {
    try (JsonParser p = JSON.createParser(b, off, len)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return NONE;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String name = p.currentName();
        p.nextToken();
        if (!name.equals("partialSuccess") && !name.equals("partial_success") || p.currentToken() != JsonToken.START_OBJECT) {
          p.skipChildren();
          continue;
        }
        long rejected = 0;
        String message = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String field = p.currentName();
          JsonToken v = p.nextToken();
          if (REJECTED_KEYS.contains(field) && v != JsonToken.VALUE_NULL) {
            rejected = v == JsonToken.VALUE_STRING ? Long.parseLong(p.getText()) : p.getLongValue();
          } else if ((field.equals("errorMessage") || field.equals("error_message")) && v == JsonToken.VALUE_STRING) {
            message = p.getText();
          } else {
            p.skipChildren();
          }
        }
        return new PartialSuccess(rejected, message);
      }
    } catch (IOException | NumberFormatException e) {
      return NONE;
    }
    return NONE;
  }
}

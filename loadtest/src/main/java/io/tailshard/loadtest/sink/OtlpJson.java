package io.tailshard.loadtest.sink;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Reads an OTLP/JSON trace request into protobuf bytes, so JSON requests are judged by the same
 * wire index as protobuf ones. OTLP/JSON differs from the plain protobuf JSON mapping: trace and
 * span ids are hex, not base64; enums may be numbers or names; 64-bit integers may be strings.
 * Only the fields the sink looks at, and those needed to keep spans whole, are carried over
 * (events and links are dropped). Cold path: JSON is for interop tests, not for load.
 */
final class OtlpJson {
  private OtlpJson() {}

  /** The request as protobuf bytes; {@link IllegalArgumentException} when it is not OTLP/JSON. */
  static byte[] traceRequest(Buffer json) {
    JsonObject root;
    try {
      root = new JsonObject(json);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a JSON object: " + e.getMessage());
    }
    ExportTraceServiceRequest.Builder req = ExportTraceServiceRequest.newBuilder();
    for (Object o : array(root, "resourceSpans")) {
      JsonObject rs = (JsonObject) o;
      ResourceSpans.Builder rsb = ResourceSpans.newBuilder();
      JsonObject resource = rs.getJsonObject("resource");
      if (resource != null) {
        Resource.Builder rb = Resource.newBuilder();
        for (Object a : array(resource, "attributes")) {
          rb.addAttributes(keyValue((JsonObject) a));
        }
        rsb.setResource(rb);
      }
      if (rs.getString("schemaUrl") != null) {
        rsb.setSchemaUrl(rs.getString("schemaUrl"));
      }
      for (Object s : array(rs, "scopeSpans")) {
        JsonObject ss = (JsonObject) s;
        ScopeSpans.Builder ssb = ScopeSpans.newBuilder();
        JsonObject scope = ss.getJsonObject("scope");
        if (scope != null) {
          InstrumentationScope.Builder sb = InstrumentationScope.newBuilder()
              .setName(scope.getString("name", ""))
              .setVersion(scope.getString("version", ""));
          for (Object a : array(scope, "attributes")) {
            sb.addAttributes(keyValue((JsonObject) a));
          }
          ssb.setScope(sb);
        }
        for (Object sp : array(ss, "spans")) {
          ssb.addSpans(span((JsonObject) sp));
        }
        rsb.addScopeSpans(ssb);
      }
      req.addResourceSpans(rsb);
    }
    return req.build().toByteArray();
  }

  private static Span span(JsonObject j) {
    Span.Builder b = Span.newBuilder()
        .setTraceId(hex(j.getString("traceId")))
        .setSpanId(hex(j.getString("spanId")))
        .setName(j.getString("name", ""))
        .setKindValue((int) enumValue(j.getValue("kind"), Span.SpanKind.class))
        .setStartTimeUnixNano(number(j.getValue("startTimeUnixNano")))
        .setEndTimeUnixNano(number(j.getValue("endTimeUnixNano")));
    String parent = j.getString("parentSpanId");
    if (parent != null && !parent.isEmpty()) {
      b.setParentSpanId(hex(parent));
    }
    if (j.getString("traceState") != null) {
      b.setTraceState(j.getString("traceState"));
    }
    if (j.getValue("flags") != null) {
      b.setFlags((int) number(j.getValue("flags")));
    }
    for (Object a : array(j, "attributes")) {
      b.addAttributes(keyValue((JsonObject) a));
    }
    JsonObject status = j.getJsonObject("status");
    if (status != null) {
      b.setStatus(Status.newBuilder()
          .setCodeValue((int) enumValue(status.getValue("code"), Status.StatusCode.class))
          .setMessage(status.getString("message", "")));
    }
    return b.build();
  }

  private static KeyValue keyValue(JsonObject kv) {
    JsonObject v = kv.getJsonObject("value");
    return KeyValue.newBuilder().setKey(kv.getString("key", ""))
        .setValue(v == null ? AnyValue.getDefaultInstance() : anyValue(v)).build();
  }

  private static AnyValue anyValue(JsonObject v) {
    AnyValue.Builder b = AnyValue.newBuilder();
    if (v.containsKey("stringValue")) {
      b.setStringValue(v.getString("stringValue"));
    } else if (v.containsKey("boolValue")) {
      b.setBoolValue(v.getBoolean("boolValue"));
    } else if (v.containsKey("intValue")) {
      b.setIntValue(number(v.getValue("intValue")));
    } else if (v.containsKey("doubleValue")) {
      b.setDoubleValue(Double.parseDouble(String.valueOf(v.getValue("doubleValue"))));
    } else if (v.containsKey("bytesValue")) {
      b.setBytesValue(ByteString.copyFrom(Base64.getDecoder().decode(v.getString("bytesValue"))));
    } else if (v.containsKey("arrayValue")) {
      ArrayValue.Builder ab = ArrayValue.newBuilder();
      for (Object e : array(v.getJsonObject("arrayValue"), "values")) {
        ab.addValues(anyValue((JsonObject) e));
      }
      b.setArrayValue(ab);
    } else if (v.containsKey("kvlistValue")) {
      KeyValueList.Builder lb = KeyValueList.newBuilder();
      for (Object e : array(v.getJsonObject("kvlistValue"), "values")) {
        lb.addValues(keyValue((JsonObject) e));
      }
      b.setKvlistValue(lb);
    }
    return b.build();
  }

  private static JsonArray array(JsonObject o, String key) {
    JsonArray a = o == null ? null : o.getJsonArray(key);
    return a == null ? new JsonArray() : a;
  }

  private static ByteString hex(String s) {
    if (s == null || s.isEmpty()) {
      return ByteString.EMPTY;
    }
    return ByteString.copyFrom(HexFormat.of().parseHex(s));
  }

  /** A 64-bit integer written as a JSON number or a decimal string. */
  private static long number(Object v) {
    if (v == null) {
      return 0;
    }
    if (v instanceof Number n) {
      return n.longValue();
    }
    return Long.parseUnsignedLong(v.toString());
  }

  /** An enum given as its number or its name (SPAN_KIND_SERVER). */
  private static <E extends Enum<E> & com.google.protobuf.ProtocolMessageEnum> long enumValue(Object v, Class<E> type) {
    if (v == null) {
      return 0;
    }
    if (v instanceof Number n) {
      return n.intValue();
    }
    String s = v.toString();
    for (E e : type.getEnumConstants()) {
      if (e.name().equals(s)) {
        return e.getNumber();
      }
    }
    return Long.parseLong(s);
  }
}

package io.tailshard.common.otlp.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.WireFormat;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes OTLP protobuf bytes as OTLP/JSON, straight from the wire: the message's descriptor (from
 * the generated classes, read once) says what each field is; no message object is built. The
 * output follows the OTLP specification's JSON mapping, as the Collector writes it: keys in
 * lowerCamelCase, {@code traceId}/{@code spanId}/{@code parentSpanId} as hex (other bytes base64),
 * enums as numbers, 64-bit integers as decimal strings, fields absent from the wire absent from the
 * JSON, unknown fields skipped. One object, no line breaks: a JSON line as it stands.
 *
 * <p>The reverse of the OTLP receiver's JSON transcoder; the tests run the two against each other.
 * Stateless and thread-safe; the cold path (file exporter, {@code otlphttp} with
 * {@code encoding: json}).
 */
public final class OtlpJsonWriter {
  /** The generated classes refuse deeper messages too; a deeper input is malformed. */
  static final int MAX_DEPTH = 100;
  private static final JsonFactory JSON = JsonFactory.builder().build();
  private static final HexFormat HEX = HexFormat.of();
  private static final Set<String> HEX_ID_FIELDS = Set.of("trace_id", "span_id", "parent_span_id");
  private static final Descriptor TRACES_REQUEST = ExportTraceServiceRequest.getDescriptor();

  private OtlpJsonWriter() {}

  /** An {@code ExportTraceServiceRequest} in {@code buf[off, off+len)} as OTLP/JSON bytes (UTF-8). */
  public static byte[] traces(byte[] buf, int off, int len) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream(len * 2);
    write(TRACES_REQUEST, buf, off, len, out);
    return out.toByteArray();
  }

  /** Any OTLP message of type {@code type} as OTLP/JSON onto {@code out} (not closed). */
  public static void write(Descriptor type, byte[] buf, int off, int len, OutputStream out) throws IOException {
    try (JsonGenerator g = JSON.createGenerator(out)) {
      g.disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
      writeMessage(CodedInputStream.newInstance(buf, off, len), type, g, 1);
    }
  }

  private static void writeMessage(CodedInputStream in, Descriptor type, JsonGenerator g, int depth) throws IOException {
    if (depth > MAX_DEPTH) {
      throw new IOException("messages nested deeper than " + MAX_DEPTH + " levels");
    }
    // Elements of a repeated field may be interleaved with other fields on the wire, but a JSON
    // array must hold them together: gather every field's raw values first, in first-seen order.
    Map<Integer, List<Object>> fields = new LinkedHashMap<>();
    while (true) {
      int tag = in.readTag();
      if (tag == 0) {
        break;
      }
      int number = WireFormat.getTagFieldNumber(tag);
      Object raw;
      switch (WireFormat.getTagWireType(tag)) {
        case WireFormat.WIRETYPE_VARINT:
          raw = in.readRawVarint64();
          break;
        case WireFormat.WIRETYPE_FIXED64:
          raw = in.readRawLittleEndian64();
          break;
        case WireFormat.WIRETYPE_FIXED32:
          raw = (long) in.readRawLittleEndian32();
          break;
        case WireFormat.WIRETYPE_LENGTH_DELIMITED:
          raw = in.readBytes();
          break;
        default:
          in.skipField(tag);
          continue;
      }
      if (type.findFieldByNumber(number) != null) {
        fields.computeIfAbsent(number, n -> new ArrayList<>()).add(raw);
      }
    }
    g.writeStartObject();
    for (Map.Entry<Integer, List<Object>> e : fields.entrySet()) {
      FieldDescriptor f = type.findFieldByNumber(e.getKey());
      g.writeFieldName(f.getJsonName());
      if (f.isRepeated()) {
        g.writeStartArray();
        for (Object raw : e.getValue()) {
          if (raw instanceof ByteString packed && isPackable(f)) {
            CodedInputStream p = packed.newCodedInput();
            while (!p.isAtEnd()) {
              writeScalar(f, readPacked(p, f), g);
            }
          } else {
            writeValue(f, raw, g, depth);
          }
        }
        g.writeEndArray();
      } else {
        // proto3: the last occurrence of a singular field wins.
        writeValue(f, e.getValue().get(e.getValue().size() - 1), g, depth);
      }
    }
    g.writeEndObject();
  }

  private static boolean isPackable(FieldDescriptor f) {
    return f.getJavaType() != FieldDescriptor.JavaType.MESSAGE
        && f.getJavaType() != FieldDescriptor.JavaType.STRING
        && f.getJavaType() != FieldDescriptor.JavaType.BYTE_STRING;
  }

  private static long readPacked(CodedInputStream p, FieldDescriptor f) throws IOException {
    switch (f.getLiteType().getWireType()) {
      case WireFormat.WIRETYPE_FIXED64:
        return p.readRawLittleEndian64();
      case WireFormat.WIRETYPE_FIXED32:
        return p.readRawLittleEndian32();
      default:
        return p.readRawVarint64();
    }
  }

  private static void writeValue(FieldDescriptor f, Object raw, JsonGenerator g, int depth) throws IOException {
    switch (f.getJavaType()) {
      case MESSAGE:
        writeMessage(bytes(f, raw).newCodedInput(), f.getMessageType(), g, depth + 1);
        return;
      case STRING:
        g.writeString(bytes(f, raw).toStringUtf8());
        return;
      case BYTE_STRING: {
        ByteString b = bytes(f, raw);
        g.writeString(HEX_ID_FIELDS.contains(f.getName())
            ? HEX.formatHex(b.toByteArray())
            : Base64.getEncoder().encodeToString(b.toByteArray()));
        return;
      }
      default:
        if (!(raw instanceof Long v)) {
          throw new IOException("field " + f.getFullName() + " has the wrong wire type");
        }
        writeScalar(f, v, g);
    }
  }

  private static ByteString bytes(FieldDescriptor f, Object raw) throws IOException {
    if (raw instanceof ByteString b) {
      return b;
    }
    throw new IOException("field " + f.getFullName() + " has the wrong wire type");
  }

  private static void writeScalar(FieldDescriptor f, long v, JsonGenerator g) throws IOException {
    switch (f.getType()) {
      case BOOL:
        g.writeBoolean(v != 0);
        return;
      case ENUM:
      case INT32:
      case SFIXED32:
        g.writeNumber((int) v);
        return;
      case SINT32:
        g.writeNumber(CodedInputStream.decodeZigZag32((int) v));
        return;
      case UINT32:
      case FIXED32:
        g.writeNumber(v & 0xFFFF_FFFFL);
        return;
      case INT64:
      case SFIXED64:
        g.writeString(Long.toString(v));
        return;
      case SINT64:
        g.writeString(Long.toString(CodedInputStream.decodeZigZag64(v)));
        return;
      case UINT64:
      case FIXED64:
        g.writeString(Long.toUnsignedString(v));
        return;
      case DOUBLE:
        writeFloating(Double.longBitsToDouble(v), g);
        return;
      case FLOAT:
        writeFloating(Float.intBitsToFloat((int) v), g);
        return;
      default:
        throw new IOException("field " + f.getFullName() + " of type " + f.getType() + " is not a scalar");
    }
  }

  /** Proto3 JSON writes the non-finite values as strings. */
  private static void writeFloating(double d, JsonGenerator g) throws IOException {
    if (Double.isNaN(d)) {
      g.writeString("NaN");
    } else if (Double.isInfinite(d)) {
      g.writeString(d > 0 ? "Infinity" : "-Infinity");
    } else {
      g.writeNumber(d);
    }
  }
}

package io.tailshard.common.receiver.otlp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.tailshard.common.otlp.wire.ProtoWire;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Transcodes an OTLP/JSON {@code ExportTraceServiceRequest} into protobuf wire bytes in one pass of
 * a streaming JSON parser, writing each field as it is read: no protobuf objects, no JSON tree.
 *
 * <p>The JSON follows the OTLP specification's deviations from the proto3 JSON mapping:
 * {@code traceId}, {@code spanId} and {@code parentSpanId} are hex strings (any case); other bytes
 * are base64 (standard or URL-safe, padding optional). Leniently, as receivers should be: keys may
 * be lowerCamelCase or the proto's snake_case; enums may be numbers or names; 64-bit integers may
 * be strings or numbers; unknown keys are skipped; {@code null} means "not set". Fields the proto
 * gives no presence are not written when they hold their default value, so the output equals what
 * the generated classes write for the same request when the JSON lists fields in field-number
 * order (and parses to an equal message in any order). An empty body is an empty request.
 *
 * <p>The schema comes from the generated classes' descriptors, read once when this class loads;
 * they describe the message types and are not used per request. Thread-safe and stateless.
 */
final class JsonTraceTranscoder {
  /** Deeper JSON is refused: the generated classes (the cold path) cannot read past 100 levels. */
  static final int MAX_DEPTH = 100;

  private static final JsonFactory JSON = JsonFactory.builder().build();
  private static final Set<String> HEX_ID_FIELDS = Set.of("trace_id", "span_id", "parent_span_id");
  private static final BigInteger UINT64_MAX = BigInteger.ONE.shiftLeft(64).subtract(BigInteger.ONE);
  private static final Schema REQUEST = Schema.of(ExportTraceServiceRequest.getDescriptor(), new HashMap<>());

  private JsonTraceTranscoder() {}

  /**
   * Transcodes {@code json[off, off+len)}. The result's array may be longer than its
   * {@linkplain ProtoOutput#size() size}.
   *
   * @throws Rejection {@link Outcome#MALFORMED} with the byte offset and the field at fault
   */
  static ProtoOutput transcode(byte[] json, int off, int len) throws Rejection {
    // Protobuf is more compact than its JSON form, so half the JSON size rarely needs to grow.
    ProtoOutput out = new ProtoOutput(len / 2);
    try (JsonParser p = JSON.createParser(json, off, len)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        return out;
      }
      if (t != JsonToken.START_OBJECT) {
        throw malformed(p, "the request must be a JSON object");
      }
      readMessage(p, REQUEST, out, 1);
      if (p.nextToken() != null) {
        throw malformed(p, "unexpected content after the request object");
      }
      return out;
    } catch (JsonProcessingException e) {
      long at = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
      throw new Rejection(Outcome.MALFORMED, "invalid JSON" + (at >= 0 ? " at byte " + at : "") + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw new Rejection(Outcome.MALFORMED, "invalid JSON: " + e.getMessage());
    }
  }

  private static void readMessage(JsonParser p, Schema schema, ProtoOutput out, int depth) throws IOException, Rejection {
    if (depth > MAX_DEPTH) {
      throw malformed(p, "messages nested deeper than " + MAX_DEPTH + " levels");
    }
    JsonToken t;
    while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
      Field f = schema.fields.get(p.currentName());
      t = p.nextToken();
      if (f == null) {
        p.skipChildren(); // unknown keys are ignored, as OTLP/JSON requires
        continue;
      }
      if (t == JsonToken.VALUE_NULL) {
        continue;
      }
      if (f.repeated) {
        readRepeated(p, t, f, out, depth);
      } else {
        writeValue(p, t, f, out, false, depth);
      }
    }
    if (t != JsonToken.END_OBJECT) {
      throw malformed(p, "expected a key or '}' in " + schema.name);
    }
  }

  private static void readRepeated(JsonParser p, JsonToken t, Field f, ProtoOutput out, int depth) throws IOException, Rejection {
    if (t != JsonToken.START_ARRAY) {
      throw wrongType(p, f, "an array");
    }
    if (f.packed) {
      out.open(f.number);
      while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
        if (t == JsonToken.VALUE_NULL) {
          throw malformed(p, "null in the list '" + f.jsonName + "'");
        }
        emitScalar(out, f, scalar(p, t, f), false);
      }
      out.closeOrDropEmpty(ProtoWire.varintSize(ProtoWire.tag(f.number, ProtoWire.LEN)));
      return;
    }
    while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
      if (t == JsonToken.VALUE_NULL) {
        throw malformed(p, "null in the list '" + f.jsonName + "'");
      }
      writeValue(p, t, f, out, true, depth);
    }
  }

  /** Writes one value of field {@code f}; {@code force} writes defaults too (list elements). */
  private static void writeValue(JsonParser p, JsonToken t, Field f, ProtoOutput out, boolean force, int depth)
      throws IOException, Rejection {
    boolean keepDefault = force || f.presence;
    switch (f.kind) {
      case MESSAGE:
        if (t != JsonToken.START_OBJECT) {
          throw wrongType(p, f, "an object");
        }
        out.open(f.number);
        readMessage(p, f.message, out, depth + 1);
        out.close();
        return;
      case STRING: {
        if (t != JsonToken.VALUE_STRING) {
          throw wrongType(p, f, "a string");
        }
        int n = p.getTextLength();
        if (n > 0 || keepDefault) {
          out.string(f.number, p.getTextCharacters(), p.getTextOffset(), n);
        }
        return;
      }
      case HEX_ID:
        writeHex(p, t, f, out, keepDefault);
        return;
      case BYTES: {
        if (t != JsonToken.VALUE_STRING) {
          throw wrongType(p, f, "a base64 string");
        }
        byte[] b = base64(p, f);
        if (b.length > 0 || keepDefault) {
          out.bytes(f.number, b, 0, b.length);
        }
        return;
      }
      default: {
        long bits = scalar(p, t, f);
        if (bits != 0 || keepDefault) {
          emitScalar(out, f, bits, true);
        }
      }
    }
  }

  private static void writeHex(JsonParser p, JsonToken t, Field f, ProtoOutput out, boolean keepDefault)
      throws IOException, Rejection {
    if (t != JsonToken.VALUE_STRING) {
      throw wrongType(p, f, "a hex string");
    }
    char[] c = p.getTextCharacters();
    int off = p.getTextOffset();
    int n = p.getTextLength();
    if ((n & 1) != 0) {
      throw malformed(p, "'" + f.jsonName + "' must have an even number of hex digits, found " + n);
    }
    if (n == 0 && !keepDefault) {
      return;
    }
    out.tag(f.number, ProtoWire.LEN);
    out.varint(n / 2);
    out.ensure(n / 2);
    byte[] dst = out.array();
    int pos = out.size();
    for (int i = 0; i < n; i += 2) {
      int hi = Character.digit(c[off + i], 16);
      int lo = Character.digit(c[off + i + 1], 16);
      if (hi < 0 || lo < 0) {
        throw malformed(p, "'" + f.jsonName + "' is not a hex string");
      }
      dst[pos++] = (byte) (hi << 4 | lo);
    }
    out.skip(n / 2);
  }

  private static byte[] base64(JsonParser p, Field f) throws IOException, Rejection {
    String s = p.getText();
    try {
      boolean urlSafe = s.indexOf('-') >= 0 || s.indexOf('_') >= 0;
      return (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(s);
    } catch (IllegalArgumentException e) {
      throw malformed(p, "'" + f.jsonName + "' is not base64: " + e.getMessage());
    }
  }

  /**
   * Reads a scalar as the 64 bits the wire needs: integers as their value (unsigned ones in the
   * low bits), floating point as IEEE bits, booleans as 0 or 1, enums as their number.
   */
  private static long scalar(JsonParser p, JsonToken t, Field f) throws IOException, Rejection {
    switch (f.kind) {
      case BOOL:
        if (t == JsonToken.VALUE_TRUE) {
          return 1;
        }
        if (t == JsonToken.VALUE_FALSE) {
          return 0;
        }
        if (t == JsonToken.VALUE_STRING && (p.getText().equals("true") || p.getText().equals("false"))) {
          return p.getText().equals("true") ? 1 : 0;
        }
        throw wrongType(p, f, "true or false");
      case DOUBLE:
        return Double.doubleToRawLongBits(floating(p, t, f));
      case FLOAT:
        return Float.floatToRawIntBits((float) floating(p, t, f)) & 0xFFFF_FFFFL;
      case ENUM:
        if (t == JsonToken.VALUE_STRING && !looksNumeric(p.getText())) {
          EnumValueDescriptor v = f.enumType.findValueByName(p.getText());
          if (v == null) {
            throw malformed(p, "'" + p.getText() + "' is not a value of " + f.enumType.getName() + " ('" + f.jsonName + "')");
          }
          return v.getNumber();
        }
        return integral(p, t, f, Integer.MIN_VALUE, Integer.MAX_VALUE);
      case INT32:
      case SINT32:
      case SFIXED32:
        return integral(p, t, f, Integer.MIN_VALUE, Integer.MAX_VALUE);
      case UINT32:
      case FIXED32:
        return integral(p, t, f, 0, 0xFFFF_FFFFL);
      case INT64:
      case SINT64:
      case SFIXED64:
        return integral(p, t, f, Long.MIN_VALUE, Long.MAX_VALUE);
      case UINT64:
      case FIXED64:
        return unsigned64(p, t, f);
      default:
        throw new IllegalStateException("not a scalar: " + f.kind);
    }
  }

  private static void emitScalar(ProtoOutput out, Field f, long bits, boolean withTag) {
    switch (f.kind) {
      case DOUBLE:
      case FIXED64:
      case SFIXED64:
        if (withTag) {
          out.tag(f.number, ProtoWire.FIXED64);
        }
        out.fixed64(bits);
        return;
      case FLOAT:
      case FIXED32:
      case SFIXED32:
        if (withTag) {
          out.tag(f.number, ProtoWire.FIXED32);
        }
        out.fixed32((int) bits);
        return;
      default:
        if (withTag) {
          out.tag(f.number, ProtoWire.VARINT);
        }
        switch (f.kind) {
          case INT32:
          case ENUM:
            out.varint((int) bits); // negative int32 is sign-extended to ten bytes, as protobuf does
            return;
          case UINT32:
            out.varint(bits & 0xFFFF_FFFFL);
            return;
          case SINT32: {
            int v = (int) bits;
            out.varint(((v << 1) ^ (v >> 31)) & 0xFFFF_FFFFL);
            return;
          }
          case SINT64:
            out.varint((bits << 1) ^ (bits >> 63));
            return;
          default:
            out.varint(bits);
        }
    }
  }

  private static double floating(JsonParser p, JsonToken t, Field f) throws IOException, Rejection {
    if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
      return p.getDoubleValue();
    }
    if (t == JsonToken.VALUE_STRING) {
      String s = p.getText().trim();
      switch (s) {
        case "NaN":
          return Double.NaN;
        case "Infinity":
          return Double.POSITIVE_INFINITY;
        case "-Infinity":
          return Double.NEGATIVE_INFINITY;
        default:
          try {
            return Double.parseDouble(s);
          } catch (NumberFormatException e) {
            throw malformed(p, "'" + f.jsonName + "' is not a number: '" + s + "'");
          }
      }
    }
    throw wrongType(p, f, "a number");
  }

  private static long integral(JsonParser p, JsonToken t, Field f, long min, long max) throws IOException, Rejection {
    long v;
    if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
      v = p.getLongValue();
    } else {
      BigInteger b = bigInteger(p, t, f);
      if (b.bitLength() > 63) {
        throw outOfRange(p, f);
      }
      v = b.longValue();
    }
    if (v < min || v > max) {
      throw outOfRange(p, f);
    }
    return v;
  }

  private static long unsigned64(JsonParser p, JsonToken t, Field f) throws IOException, Rejection {
    if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
      long v = p.getLongValue();
      if (v < 0) {
        throw outOfRange(p, f);
      }
      return v;
    }
    if (t == JsonToken.VALUE_STRING) {
      String s = p.getText().trim();
      if (!s.isEmpty() && s.charAt(0) != '-' && s.charAt(0) != '+') {
        try {
          return Long.parseUnsignedLong(s);
        } catch (NumberFormatException e) {
          // fall through to the general form (exponents, fractions of zero)
        }
      }
    }
    BigInteger b = bigInteger(p, t, f);
    if (b.signum() < 0 || b.compareTo(UINT64_MAX) > 0) {
      throw outOfRange(p, f);
    }
    return b.longValue();
  }

  /** An integer given as a JSON number or string, in any form that denotes a whole number. */
  private static BigInteger bigInteger(JsonParser p, JsonToken t, Field f) throws IOException, Rejection {
    try {
      switch (t) {
        case VALUE_NUMBER_INT:
          return p.getBigIntegerValue();
        case VALUE_NUMBER_FLOAT:
          return p.getDecimalValue().toBigIntegerExact();
        case VALUE_STRING:
          return new BigDecimal(p.getText().trim()).toBigIntegerExact();
        default:
          throw wrongType(p, f, "an integer");
      }
    } catch (NumberFormatException | ArithmeticException e) {
      throw malformed(p, "'" + f.jsonName + "' is not an integer: '" + p.getText() + "'");
    }
  }

  private static boolean looksNumeric(String s) {
    return !s.isEmpty() && (Character.isDigit(s.charAt(0)) || s.charAt(0) == '-');
  }

  private static Rejection wrongType(JsonParser p, Field f, String expected) {
    return malformed(p, "'" + f.jsonName + "' must be " + expected + ", found " + describe(p.currentToken()));
  }

  private static Rejection outOfRange(JsonParser p, Field f) throws IOException {
    return malformed(p, "'" + f.jsonName + "' is out of range: " + p.getText());
  }

  private static Rejection malformed(JsonParser p, String problem) {
    long at = p.currentTokenLocation().getByteOffset();
    return new Rejection(Outcome.MALFORMED, "invalid OTLP/JSON" + (at >= 0 ? " at byte " + at : "") + ": " + problem);
  }

  private static String describe(JsonToken t) {
    if (t == null) {
      return "the end of the input";
    }
    switch (t) {
      case START_OBJECT:
        return "an object";
      case START_ARRAY:
        return "an array";
      case VALUE_STRING:
        return "a string";
      case VALUE_NUMBER_INT:
      case VALUE_NUMBER_FLOAT:
        return "a number";
      case VALUE_TRUE:
      case VALUE_FALSE:
        return "a boolean";
      default:
        return t.asString() == null ? t.name() : "'" + t.asString() + "'";
    }
  }

  /** How a field is read from JSON and written to the wire. */
  private enum Kind {
    DOUBLE, FLOAT, INT64, UINT64, INT32, FIXED64, FIXED32, BOOL, STRING, MESSAGE, BYTES, HEX_ID,
    UINT32, ENUM, SFIXED32, SFIXED64, SINT32, SINT64
  }

  /** One field of a message type, precomputed from its descriptor. */
  private static final class Field {
    final String jsonName;
    final int number;
    final Kind kind;
    final boolean repeated;
    final boolean packed;
    final boolean presence;
    final EnumDescriptor enumType;
    Schema message;

    Field(FieldDescriptor d) {
      this.jsonName = d.getJsonName();
      this.number = d.getNumber();
      this.repeated = d.isRepeated();
      this.packed = d.isPacked();
      this.presence = d.hasPresence();
      this.enumType = d.getType() == FieldDescriptor.Type.ENUM ? d.getEnumType() : null;
      this.kind = kindOf(d);
    }

    private static Kind kindOf(FieldDescriptor d) {
      switch (d.getType()) {
        case DOUBLE:
          return Kind.DOUBLE;
        case FLOAT:
          return Kind.FLOAT;
        case INT64:
          return Kind.INT64;
        case UINT64:
          return Kind.UINT64;
        case INT32:
          return Kind.INT32;
        case FIXED64:
          return Kind.FIXED64;
        case FIXED32:
          return Kind.FIXED32;
        case BOOL:
          return Kind.BOOL;
        case STRING:
          return Kind.STRING;
        case MESSAGE:
          return Kind.MESSAGE;
        case BYTES:
          return HEX_ID_FIELDS.contains(d.getName()) ? Kind.HEX_ID : Kind.BYTES;
        case UINT32:
          return Kind.UINT32;
        case ENUM:
          return Kind.ENUM;
        case SFIXED32:
          return Kind.SFIXED32;
        case SFIXED64:
          return Kind.SFIXED64;
        case SINT32:
          return Kind.SINT32;
        case SINT64:
          return Kind.SINT64;
        default:
          throw new IllegalArgumentException("unsupported field type " + d.getType() + " of " + d.getFullName());
      }
    }
  }

  /** A message type's fields by JSON name and by proto name. */
  private static final class Schema {
    final String name;
    final Map<String, Field> fields = new HashMap<>();

    private Schema(String name) {
      this.name = name;
    }

    /** Builds the schema of {@code d} and of every message type it reaches (AnyValue recurses). */
    static Schema of(Descriptor d, Map<String, Schema> seen) {
      Schema known = seen.get(d.getFullName());
      if (known != null) {
        return known;
      }
      Schema s = new Schema(d.getName());
      seen.put(d.getFullName(), s);
      for (FieldDescriptor fd : d.getFields()) {
        Field f = new Field(fd);
        if (f.kind == Kind.MESSAGE) {
          f.message = of(fd.getMessageType(), seen);
        }
        s.fields.put(fd.getJsonName(), f);
        s.fields.putIfAbsent(fd.getName(), f);
      }
      return s;
    }
  }
}

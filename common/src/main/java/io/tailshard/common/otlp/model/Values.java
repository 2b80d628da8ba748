package io.tailshard.common.otlp.model;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import java.math.BigDecimal;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;

/**
 * Conversions of attribute values as the Collector's pdata makes them, so that hashing, matching
 * and string building give the Collector's results.
 */
public final class Values {
  private Values() {}

  public static AnyValue string(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }

  public static AnyValue integer(long v) {
    return AnyValue.newBuilder().setIntValue(v).build();
  }

  public static AnyValue decimal(double v) {
    return AnyValue.newBuilder().setDoubleValue(v).build();
  }

  public static AnyValue bool(boolean v) {
    return AnyValue.newBuilder().setBoolValue(v).build();
  }

  /**
   * pdata's {@code Value.AsString()}: strings as they are, numbers and booleans in Go's formatting,
   * bytes in standard base64, maps and arrays as JSON, an empty value as "".
   */
  public static String asString(AnyValue v) {
    switch (v.getValueCase()) {
      case STRING_VALUE:
        return v.getStringValue();
      case BOOL_VALUE:
        return Boolean.toString(v.getBoolValue());
      case INT_VALUE:
        return Long.toString(v.getIntValue());
      case DOUBLE_VALUE:
        return formatDouble(v.getDoubleValue());
      case BYTES_VALUE:
        return Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray());
      case ARRAY_VALUE:
      case KVLIST_VALUE: {
        StringBuilder sb = new StringBuilder();
        json(v, sb);
        return sb.toString();
      }
      default:
        return "";
    }
  }

  /** Go's {@code strconv.FormatFloat(v, 'f', -1, 64)}: shortest digits, no exponent. */
  public static String formatDouble(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == 0) {
      return 1 / v < 0 ? "-0" : "0";
    }
    return new BigDecimal(Double.toString(v)).stripTrailingZeros().toPlainString();
  }

  /** JSON as Go's encoding/json writes pdata's raw values: map keys sorted, bytes as base64. */
  static void json(AnyValue v, StringBuilder sb) {
    switch (v.getValueCase()) {
      case STRING_VALUE:
        quote(v.getStringValue(), sb);
        break;
      case BOOL_VALUE:
        sb.append(v.getBoolValue());
        break;
      case INT_VALUE:
        sb.append(v.getIntValue());
        break;
      case DOUBLE_VALUE: {
        double d = v.getDoubleValue();
        sb.append(Double.isFinite(d) ? formatDouble(d) : "null");
        break;
      }
      case BYTES_VALUE:
        quote(Base64.getEncoder().encodeToString(v.getBytesValue().toByteArray()), sb);
        break;
      case ARRAY_VALUE: {
        sb.append('[');
        boolean first = true;
        for (AnyValue item : v.getArrayValue().getValuesList()) {
          if (!first) {
            sb.append(',');
          }
          first = false;
          json(item, sb);
        }
        sb.append(']');
        break;
      }
      case KVLIST_VALUE: {
        Map<String, AnyValue> sorted = new TreeMap<>();
        for (KeyValue kv : v.getKvlistValue().getValuesList()) {
          sorted.put(kv.getKey(), kv.getValue());
        }
        sb.append('{');
        boolean first = true;
        for (Map.Entry<String, AnyValue> e : sorted.entrySet()) {
          if (!first) {
            sb.append(',');
          }
          first = false;
          quote(e.getKey(), sb);
          sb.append(':');
          json(e.getValue(), sb);
        }
        sb.append('}');
        break;
      }
      default:
        sb.append("null");
    }
  }

  private static void quote(String s, StringBuilder sb) {
    sb.append('"');
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
        case '<':
        case '>':
        case '&':
          // Go escapes these for HTML safety by default.
          sb.append(String.format("\\u%04x", (int) c));
          break;
        default:
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
      }
    }
    sb.append('"');
  }
}

package io.tailshard.common.ottl;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.tailshard.common.otlp.model.Values;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * OTTL values in Java: {@code null} (nil), {@link String}, {@link Long} (int64), {@link Double},
 * {@link Boolean}, {@link ByteString}, {@code List<Object>} (slices) and
 * {@code Map<String, Object>} (maps, in order). Conversions from and to attribute values, OTTL's
 * comparison rules, and the string forms its converters use.
 */
final class OttlValues {
  private OttlValues() {}

  /** An attribute value as an OTTL value; an empty value is nil, as OTTL treats it. */
  static Object fromAny(AnyValue v) {
    if (v == null) {
      return null;
    }
    switch (v.getValueCase()) {
      case STRING_VALUE:
        return v.getStringValue();
      case BOOL_VALUE:
        return v.getBoolValue();
      case INT_VALUE:
        return v.getIntValue();
      case DOUBLE_VALUE:
        return v.getDoubleValue();
      case BYTES_VALUE:
        return v.getBytesValue();
      case ARRAY_VALUE: {
        List<Object> out = new ArrayList<>(v.getArrayValue().getValuesCount());
        for (AnyValue item : v.getArrayValue().getValuesList()) {
          out.add(fromAny(item));
        }
        return out;
      }
      case KVLIST_VALUE: {
        Map<String, Object> out = new LinkedHashMap<>();
        for (KeyValue kv : v.getKvlistValue().getValuesList()) {
          out.put(kv.getKey(), fromAny(kv.getValue()));
        }
        return out;
      }
      default:
        return null;
    }
  }

  /** An OTTL value as an attribute value; nil becomes an empty value. */
  static AnyValue toAny(Object v) {
    if (v == null) {
      return AnyValue.getDefaultInstance();
    }
    if (v instanceof String s) {
      return Values.string(s);
    }
    if (v instanceof Long l) {
      return Values.integer(l);
    }
    if (v instanceof Double d) {
      return Values.decimal(d);
    }
    if (v instanceof Boolean b) {
      return Values.bool(b);
    }
    if (v instanceof ByteString b) {
      return AnyValue.newBuilder().setBytesValue(b).build();
    }
    if (v instanceof List<?> list) {
      ArrayValue.Builder a = ArrayValue.newBuilder();
      for (Object item : list) {
        a.addValues(toAny(item));
      }
      return AnyValue.newBuilder().setArrayValue(a).build();
    }
    if (v instanceof Map<?, ?> map) {
      KeyValueList.Builder kv = KeyValueList.newBuilder();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        kv.addValues(KeyValue.newBuilder().setKey((String) e.getKey()).setValue(toAny(e.getValue())));
      }
      return AnyValue.newBuilder().setKvlistValue(kv).build();
    }
    throw new OttlException("cannot store a value of type " + typeName(v) + " in an attribute");
  }

  static String typeName(Object v) {
    if (v == null) {
      return "nil";
    }
    if (v instanceof String) {
      return "string";
    }
    if (v instanceof Long) {
      return "int64";
    }
    if (v instanceof Double) {
      return "float64";
    }
    if (v instanceof Boolean) {
      return "bool";
    }
    if (v instanceof ByteString) {
      return "bytes";
    }
    if (v instanceof List) {
      return "slice";
    }
    if (v instanceof Map) {
      return "map";
    }
    return v.getClass().getSimpleName();
  }

  /**
   * OTTL's comparison rules: numbers compare as numbers (an int against a float as floats),
   * strings and bytes by content, booleans with false before true; values of different kinds, and
   * maps and slices, are only ever "not equal"; nil equals only nil.
   */
  static boolean compare(Object left, String op, Object right) {
    switch (op) {
      case "==":
        return equal(left, right);
      case "!=":
        return !equal(left, right);
      default:
    }
    Integer c = order(left, right);
    if (c == null) {
      return false;
    }
    switch (op) {
      case "<":
        return c < 0;
      case "<=":
        return c <= 0;
      case ">":
        return c > 0;
      default:
        return c >= 0;
    }
  }

  static boolean equal(Object a, Object b) {
    if (a == null || b == null) {
      return a == b;
    }
    if (a instanceof Long x && b instanceof Long y) {
      return x.longValue() == y.longValue();
    }
    if (isNumber(a) && isNumber(b)) {
      return ((Number) a).doubleValue() == ((Number) b).doubleValue();
    }
    return Objects.equals(a, b);
  }

  private static Integer order(Object a, Object b) {
    if (a == null || b == null) {
      return null;
    }
    if (a instanceof Long x && b instanceof Long y) {
      return Long.compare(x, y);
    }
    if (isNumber(a) && isNumber(b)) {
      double x = ((Number) a).doubleValue();
      double y = ((Number) b).doubleValue();
      return x < y ? -1 : x > y ? 1 : x == y ? 0 : null;
    }
    if (a instanceof String x && b instanceof String y) {
      return Integer.signum(x.compareTo(y));
    }
    if (a instanceof Boolean x && b instanceof Boolean y) {
      return Boolean.compare(x, y);
    }
    if (a instanceof ByteString x && b instanceof ByteString y) {
      return Integer.signum(ByteString.unsignedLexicographicalComparator().compare(x, y));
    }
    return null;
  }

  private static boolean isNumber(Object v) {
    return v instanceof Long || v instanceof Double;
  }

  /**
   * The text of a value where OTTL takes anything string-like: strings as they are, bytes as hex,
   * maps and slices as JSON, numbers and booleans as Go prints them; null for nil.
   */
  static String stringLike(Object v) {
    if (v == null) {
      return null;
    }
    if (v instanceof String s) {
      return s;
    }
    if (v instanceof ByteString b) {
      return HexFormat.of().formatHex(b.toByteArray());
    }
    if (v instanceof Double d) {
      return goSprint(d);
    }
    if (v instanceof List || v instanceof Map) {
      return Values.asString(toAny(v));
    }
    return String.valueOf(v);
  }

  /** Go's {@code fmt.Sprint} of a float64: shortest digits, exponent form below 1e-4 and from 1e21. */
  static String goSprint(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    if (Double.isInfinite(d)) {
      return d > 0 ? "+Inf" : "-Inf";
    }
    if (d == 0) {
      return 1 / d < 0 ? "-0" : "0";
    }
    BigDecimal b = new BigDecimal(Double.toString(d)).stripTrailingZeros();
    int exponent = b.precision() - b.scale() - 1;
    if (exponent < -4 || exponent >= 21) {
      String digits = b.unscaledValue().abs().toString();
      StringBuilder sb = new StringBuilder();
      if (d < 0) {
        sb.append('-');
      }
      sb.append(digits.charAt(0));
      if (digits.length() > 1) {
        sb.append('.').append(digits, 1, digits.length());
      }
      sb.append('e').append(exponent < 0 ? '-' : '+');
      int abs = Math.abs(exponent);
      if (abs < 10) {
        sb.append('0');
      }
      return sb.append(abs).toString();
    }
    return b.toPlainString();
  }
}

package io.tailshard.common.processor.internal;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.ArrayValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.common.v1.KeyValueList;
import io.tailshard.common.config.ConfigNode;
import io.tailshard.common.otlp.model.Values;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A YAML value from the config as an attribute value, typed as the Collector types it: YAML's
 * decoding (plain {@code true}, {@code 12}, {@code 1.5} are a bool, an int, a double; quoted text
 * is a string) followed by pdata's {@code FromRaw}; lists become arrays and maps become maps.
 */
public final class ConfigValues {
  private static final Pattern INT = Pattern.compile("[-+]?(0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|0o[0-7_]+");
  private static final Pattern FLOAT =
      Pattern.compile("[-+]?(\\.[0-9]+|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)");

  private ConfigValues() {}

  public static AnyValue toAnyValue(ConfigNode node) {
    switch (node.kind()) {
      case NULL:
        return AnyValue.getDefaultInstance();
      case LIST: {
        ArrayValue.Builder a = ArrayValue.newBuilder();
        for (ConfigNode item : node.items()) {
          a.addValues(toAnyValue(item));
        }
        return AnyValue.newBuilder().setArrayValue(a).build();
      }
      case MAP: {
        KeyValueList.Builder kv = KeyValueList.newBuilder();
        for (Map.Entry<String, ConfigNode> e : node.entries().entrySet()) {
          kv.addValues(KeyValue.newBuilder().setKey(e.getKey()).setValue(toAnyValue(e.getValue())));
        }
        return AnyValue.newBuilder().setKvlistValue(kv).build();
      }
      default:
        return scalar(node.text(), node.quoted());
    }
  }

  static AnyValue scalar(String text, boolean quoted) {
    if (quoted) {
      return Values.string(text);
    }
    switch (text) {
      case "true":
      case "True":
      case "TRUE":
        return Values.bool(true);
      case "false":
      case "False":
      case "FALSE":
        return Values.bool(false);
      default:
    }
    if (INT.matcher(text).matches()) {
      try {
        String digits = text.replace("_", "");
        if (digits.startsWith("0x")) {
          return Values.integer(Long.parseLong(digits.substring(2), 16));
        }
        if (digits.startsWith("0o")) {
          return Values.integer(Long.parseLong(digits.substring(2), 8));
        }
        return Values.integer(Long.parseLong(digits));
      } catch (NumberFormatException e) {
        return Values.string(text); // too large for int64: Go's YAML keeps it as text too
      }
    }
    if (FLOAT.matcher(text).matches()) {
      String t = text.replace("_", "").toLowerCase(java.util.Locale.ROOT);
      if (t.endsWith(".inf")) {
        return Values.decimal(t.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY);
      }
      if (t.endsWith(".nan")) {
        return Values.decimal(Double.NaN);
      }
      return Values.decimal(Double.parseDouble(t));
    }
    return Values.string(text);
  }
}

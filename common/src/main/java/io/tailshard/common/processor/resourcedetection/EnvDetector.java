package io.tailshard.common.processor.resourcedetection;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.tailshard.common.otlp.model.Values;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.function.Function;

/**
 * The {@code env} detector: the resource attributes in {@code OTEL_RESOURCE_ATTRIBUTES}, written
 * {@code key1=value1,key2=value2} with values percent-encoded, as the OpenTelemetry specification
 * says. A malformed list is an error, so the detector contributes nothing rather than half of it.
 */
final class EnvDetector implements Detector {
  static final String VARIABLE = "OTEL_RESOURCE_ATTRIBUTES";

  private final Function<String, String> env;

  EnvDetector(Function<String, String> env) {
    this.env = env;
  }

  @Override
  public String name() {
    return "env";
  }

  @Override
  public LinkedHashMap<String, AnyValue> detect() {
    LinkedHashMap<String, AnyValue> out = new LinkedHashMap<>();
    String raw = env.apply(VARIABLE);
    if (raw == null || raw.isBlank()) {
      return out;
    }
    for (String pair : raw.split(",")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0 || pair.substring(0, eq).isBlank()) {
        throw new IllegalArgumentException(VARIABLE + " has an entry that is not key=value: '" + pair.trim() + "'");
      }
      out.put(pair.substring(0, eq).trim(), Values.string(percentDecode(pair.substring(eq + 1).trim())));
    }
    return out;
  }

  /** Percent-decoding as Go's {@code url.PathUnescape}: {@code %XX} only, '+' stays '+'. */
  static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '%') {
        if (i + 2 >= bytes.length || Character.digit(bytes[i + 1], 16) < 0 || Character.digit(bytes[i + 2], 16) < 0) {
          throw new IllegalArgumentException(VARIABLE + " has an invalid escape in '" + s + "'");
        }
        out.write(Character.digit(bytes[i + 1], 16) * 16 + Character.digit(bytes[i + 2], 16));
        i += 2;
      } else {
        out.write(bytes[i]);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}

package io.tailshard.loadtest.generate;

import io.tailshard.common.otlp.wire.ProtoWire;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * The parts of every request that do not change from span to span, encoded once before the run in
 * both OTLP encodings: per service its {@code Resource} and {@code InstrumentationScope} fields; per
 * service and operation its name and kind fields; and {@link #VARIANTS} attribute blocks with
 * different random values. The request encoders only copy these and patch in ids, times and status.
 *
 * <p>Immutable after construction; shared by the planner thread only.
 */
final class SpanTemplates {
  /** Attribute blocks per service and operation, so values vary without encoding per span. */
  static final int VARIANTS = 8;

  // Field numbers (opentelemetry/proto/.../*.proto).
  private static final int RESOURCE_ATTRIBUTES = 1;
  private static final int KV_KEY = 1;
  private static final int KV_VALUE = 2;
  private static final int ANY_STRING = 1;
  private static final int SCOPE_NAME = 1;
  private static final int SCOPE_VERSION = 2;
  private static final int SPAN_NAME = 5;
  private static final int SPAN_KIND = 6;
  private static final int SPAN_ATTRIBUTES = 9;
  static final int RS_RESOURCE = 1;
  static final int SS_SCOPE = 1;

  static final String SCOPE = "tailshard-loadtest";
  static final String SCOPE_VERSION_TEXT = "0.1.0";

  final int services;
  final int operations;
  final String[] serviceNames;
  final String[][] spanNames;
  /** ResourceSpans field 1 (tag, length, Resource) per service. */
  final byte[][] resourceField;
  /** ScopeSpans field 1 (tag, length, InstrumentationScope), the same for all. */
  final byte[] scopeField;
  /** Span fields 5 and 6 per [service][operation][kind]. */
  final byte[][][][] nameKind;
  /** Span field 9 repeated, per [service][operation][variant]. */
  final byte[][][][] attributes;

  /** JSON: {@code "resource":{...}} per service, and {@code "scope":{...}}. */
  final byte[][] resourceJson;
  final byte[] scopeJson;
  /** JSON: {@code "name":"..","kind":N} per [service][operation][kind]. */
  final byte[][][][] nameKindJson;
  /** JSON: {@code "attributes":[...]} per [service][operation][variant]. */
  final byte[][][][] attributesJson;

  SpanTemplates(int services, int operations, int attributeCount, int attributeSize, SplittableRandom random) {
    this.services = services;
    this.operations = operations;
    serviceNames = new String[services];
    spanNames = new String[services][operations];
    resourceField = new byte[services][];
    resourceJson = new byte[services][];
    nameKind = new byte[services][operations][4][];
    nameKindJson = new byte[services][operations][4][];
    attributes = new byte[services][operations][VARIANTS][];
    attributesJson = new byte[services][operations][VARIANTS][];

    Buf scope = new Buf();
    writeString(scope, SCOPE_NAME, SCOPE);
    writeString(scope, SCOPE_VERSION, SCOPE_VERSION_TEXT);
    scopeField = field(SS_SCOPE, scope.bytes());
    scopeJson = ascii("\"scope\":{\"name\":\"" + SCOPE + "\",\"version\":\"" + SCOPE_VERSION_TEXT + "\"}");

    for (int s = 0; s < services; s++) {
      String name = String.format("svc-%02d", s);
      serviceNames[s] = name;
      String[][] resAttrs = {{"service.name", name}, {"service.instance.id", name + "-0"},
          {"host.name", "loadtest"}, {"telemetry.sdk.name", SCOPE}};
      Buf res = new Buf();
      StringBuilder json = new StringBuilder("\"resource\":{\"attributes\":[");
      for (int a = 0; a < resAttrs.length; a++) {
        writeKeyValue(res, RESOURCE_ATTRIBUTES, resAttrs[a][0], resAttrs[a][1]);
        json.append(a == 0 ? "" : ",").append(jsonKeyValue(resAttrs[a][0], resAttrs[a][1]));
      }
      resourceField[s] = field(RS_RESOURCE, res.bytes());
      resourceJson[s] = ascii(json.append("]}").toString());

      for (int op = 0; op < operations; op++) {
        String spanName = (op % 2 == 0 ? "GET" : "POST") + " /" + name + "/resource-" + op;
        spanNames[s][op] = spanName;
        for (int k = 1; k <= 3; k++) {
          Buf nk = new Buf();
          writeString(nk, SPAN_NAME, spanName);
          nk.varint(ProtoWire.tag(SPAN_KIND, ProtoWire.VARINT));
          nk.varint(k);
          nameKind[s][op][k] = nk.bytes();
          nameKindJson[s][op][k] = ascii("\"name\":\"" + spanName + "\",\"kind\":" + k);
        }
        for (int v = 0; v < VARIANTS; v++) {
          Buf attrs = new Buf();
          StringBuilder aj = new StringBuilder("\"attributes\":[");
          for (int a = 0; a < attributeCount; a++) {
            String key = String.format("attr.%02d", a);
            String value = randomText(random, attributeSize);
            writeKeyValue(attrs, SPAN_ATTRIBUTES, key, value);
            aj.append(a == 0 ? "" : ",").append(jsonKeyValue(key, value));
          }
          attributes[s][op][v] = attrs.bytes();
          attributesJson[s][op][v] = ascii(aj.append(']').toString());
        }
      }
    }
  }

  /** Letters and digits only: the same bytes in protobuf and JSON, nothing to escape. */
  private static String randomText(SplittableRandom random, int size) {
    final String alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    char[] c = new char[size];
    for (int i = 0; i < size; i++) {
      c[i] = alphabet.charAt(random.nextInt(alphabet.length()));
    }
    return new String(c);
  }

  private static String jsonKeyValue(String key, String value) {
    return "{\"key\":\"" + key + "\",\"value\":{\"stringValue\":\"" + value + "\"}}";
  }

  private static void writeKeyValue(Buf out, int field, String key, String value) {
    Buf any = new Buf();
    writeString(any, ANY_STRING, value);
    Buf kv = new Buf();
    writeString(kv, KV_KEY, key);
    kv.lenField(KV_VALUE, any.bytes());
    out.lenField(field, kv.bytes());
  }

  private static void writeString(Buf out, int field, String s) {
    out.lenField(field, s.getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] field(int field, byte[] payload) {
    Buf b = new Buf();
    b.lenField(field, payload);
    return b.bytes();
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** A growable byte buffer for building templates (cold, before the run). */
  private static final class Buf {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    void varint(long v) {
      byte[] b = new byte[10];
      int n = ProtoWire.writeVarint(b, 0, v);
      out.write(b, 0, n);
    }

    void lenField(int field, byte[] payload) {
      varint(ProtoWire.tag(field, ProtoWire.LEN));
      varint(payload.length);
      out.write(payload, 0, payload.length);
    }

    byte[] bytes() {
      return out.toByteArray();
    }
  }
}

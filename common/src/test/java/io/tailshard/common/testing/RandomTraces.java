package io.tailshard.common.testing;

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
import java.util.Random;

/**
 * Random but reproducible OTLP trace requests built with the generated classes, for property
 * tests: several resources and scopes, every span field, attributes of every kind (nested too),
 * events, links, and optionally spans with invalid trace ids (absent, all zeros, wrong length).
 */
public final class RandomTraces {
  private final Random random;
  private double invalidTraceIdRatio;

  public RandomTraces(long seed) {
    this.random = new Random(seed);
  }

  /** Fraction of spans given an invalid trace id. Default 0. */
  public RandomTraces invalidTraceIds(double ratio) {
    this.invalidTraceIdRatio = ratio;
    return this;
  }

  public Random random() {
    return random;
  }

  public ExportTraceServiceRequest request(int maxResources, int maxScopes, int maxSpans) {
    ExportTraceServiceRequest.Builder req = ExportTraceServiceRequest.newBuilder();
    int resources = 1 + random.nextInt(maxResources);
    for (int r = 0; r < resources; r++) {
      ResourceSpans.Builder rs = ResourceSpans.newBuilder();
      if (random.nextInt(5) != 0) {
        Resource.Builder res = Resource.newBuilder()
            .addAttributes(kv("service.name", AnyValue.newBuilder().setStringValue("svc-" + random.nextInt(4)).build()));
        for (int a = random.nextInt(4); a > 0; a--) {
          res.addAttributes(kv("res.attr." + random.nextInt(10), anyValue(2)));
        }
        if (random.nextBoolean()) {
          res.setDroppedAttributesCount(random.nextInt(3));
        }
        rs.setResource(res);
      }
      if (random.nextBoolean()) {
        rs.setSchemaUrl("https://opentelemetry.io/schemas/1." + random.nextInt(30) + ".0");
      }
      int scopes = 1 + random.nextInt(maxScopes);
      for (int s = 0; s < scopes; s++) {
        ScopeSpans.Builder ss = ScopeSpans.newBuilder();
        if (random.nextInt(4) != 0) {
          InstrumentationScope.Builder scope = InstrumentationScope.newBuilder().setName("scope-" + random.nextInt(5));
          if (random.nextBoolean()) {
            scope.setVersion("1." + random.nextInt(9));
          }
          if (random.nextBoolean()) {
            scope.addAttributes(kv("scope.attr", anyValue(1)));
          }
          ss.setScope(scope);
        }
        if (random.nextBoolean()) {
          ss.setSchemaUrl("https://example.com/scope-schema");
        }
        int spans = random.nextInt(maxSpans + 1);
        for (int i = 0; i < spans; i++) {
          ss.addSpans(span());
        }
        rs.addScopeSpans(ss);
      }
      req.addResourceSpans(rs);
    }
    return req.build();
  }

  public Span span() {
    Span.Builder b = Span.newBuilder().setTraceId(traceId()).setSpanId(bytes(8));
    if (invalidTraceIdRatio > 0 && random.nextDouble() < invalidTraceIdRatio) {
      switch (random.nextInt(3)) {
        case 0:
          b.clearTraceId();
          break;
        case 1:
          b.setTraceId(ByteString.copyFrom(new byte[16]));
          break;
        default:
          b.setTraceId(bytes(1 + random.nextInt(15)));
      }
    }
    if (random.nextInt(3) != 0) {
      b.setParentSpanId(bytes(8));
    }
    if (random.nextInt(4) == 0) {
      b.setTraceState("vendor=" + random.nextInt(100));
    }
    b.setName(random.nextInt(6) == 0 ? "héllo-ünïcode-" + random.nextInt(9) : "GET /api/" + random.nextInt(50));
    b.setKindValue(random.nextInt(6));
    long start = 1_700_000_000_000_000_000L + (random.nextLong() & 0xFFFF_FFFFFFL);
    b.setStartTimeUnixNano(start);
    b.setEndTimeUnixNano(start + (random.nextLong() & 0xFFFFFFFL));
    if (random.nextBoolean()) {
      b.setFlags(random.nextInt(0x300));
    }
    for (int a = random.nextInt(8); a > 0; a--) {
      b.addAttributes(kv("attr." + random.nextInt(20), anyValue(2)));
    }
    if (random.nextInt(4) == 0) {
      b.setDroppedAttributesCount(random.nextInt(5));
    }
    for (int e = random.nextInt(3); e > 0; e--) {
      b.addEvents(Span.Event.newBuilder().setName("event").setTimeUnixNano(start + 5)
          .addAttributes(kv("exception.message", anyValue(0))));
    }
    if (random.nextInt(5) == 0) {
      b.addLinks(Span.Link.newBuilder().setTraceId(traceId()).setSpanId(bytes(8)));
    }
    int status = random.nextInt(4);
    if (status > 0) {
      Status.Builder st = Status.newBuilder().setCodeValue(status - 1);
      if (random.nextBoolean()) {
        st.setMessage("status message");
      }
      b.setStatus(st);
    }
    return b.build();
  }

  public ByteString traceId() {
    byte[] id = new byte[16];
    do {
      random.nextBytes(id);
    } while (allZero(id));
    return ByteString.copyFrom(id);
  }

  private ByteString bytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return ByteString.copyFrom(b);
  }

  private static boolean allZero(byte[] b) {
    for (byte x : b) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  public static KeyValue kv(String key, AnyValue value) {
    return KeyValue.newBuilder().setKey(key).setValue(value).build();
  }

  /** A random AnyValue; nested arrays and kvlists up to {@code depth}. */
  public AnyValue anyValue(int depth) {
    int kinds = depth > 0 ? 7 : 5;
    switch (random.nextInt(kinds)) {
      case 0:
        return AnyValue.newBuilder().setStringValue("v" + random.nextInt(1000)).build();
      case 1:
        return AnyValue.newBuilder().setBoolValue(random.nextBoolean()).build();
      case 2:
        return AnyValue.newBuilder().setIntValue(random.nextLong() >> random.nextInt(64)).build();
      case 3:
        return AnyValue.newBuilder().setDoubleValue(random.nextDouble() * 1000).build();
      case 4:
        return AnyValue.newBuilder().setBytesValue(bytes(random.nextInt(6))).build();
      case 5: {
        ArrayValue.Builder a = ArrayValue.newBuilder();
        for (int i = random.nextInt(3); i > 0; i--) {
          a.addValues(anyValue(depth - 1));
        }
        return AnyValue.newBuilder().setArrayValue(a).build();
      }
      default: {
        KeyValueList.Builder l = KeyValueList.newBuilder();
        for (int i = random.nextInt(3); i > 0; i--) {
          l.addValues(kv("k" + i, anyValue(depth - 1)));
        }
        return AnyValue.newBuilder().setKvlistValue(l).build();
      }
    }
  }
}

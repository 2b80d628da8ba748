package io.tailshard.sampling.connector.spanmetrics;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A reproducible load of spans with known services, names, kinds, statuses and durations, and its
 * ground truth: calls and explicit-bucket counts per (service, span name, kind, status), computed
 * here independently of the connector. Durations include exact bucket bounds (which count in that
 * bound's bucket) and ends before starts (which count as 0).
 */
final class GeneratedLoad {
  static final String[] SERVICES = {"checkout", "cart", "frontend"};
  static final String[] NAMES = {"GET /cart", "POST /checkout", "db.query", "cache.get", "render"};
  static final String[] KINDS = {
    "SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER",
    "SPAN_KIND_CONSUMER"
  };
  static final String[] STATUSES = {"STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"};
  private static final long[] NANOS = {
    0, 1_000_000, 2_000_000, 2_000_001, 5_500_000, 10_000_000, 49_999_999, 120_000_000, 999_000_000, 1_000_000_000,
    3_000_000_000L, 15_000_000_000L, 20_000_000_000L, -5_000_000
  };

  /** Truth per series key "service|name|kind|status". */
  static final class Truth {
    long calls;
    final long[] buckets;
    double sumMs;

    Truth(int width) {
      buckets = new long[width];
    }
  }

  final Random random;
  final double[] boundsMs;
  final Map<String, Truth> truth = new LinkedHashMap<>();
  private long spanCounter;

  GeneratedLoad(long seed, double[] boundsMs) {
    this.random = new Random(seed);
    this.boundsMs = boundsMs;
  }

  static String key(String service, String name, String kind, String status) {
    return service + "|" + name + "|" + kind + "|" + status;
  }

  /** One request of {@code spans} spans spread over the services (one ResourceSpans each). */
  ExportTraceServiceRequest request(int spans) {
    Map<String, List<Span>> byService = new LinkedHashMap<>();
    for (int i = 0; i < spans; i++) {
      String service = SERVICES[random.nextInt(SERVICES.length)];
      String name = NAMES[random.nextInt(NAMES.length)];
      int kind = random.nextInt(KINDS.length);
      int status = random.nextInt(STATUSES.length);
      long nanos = NANOS[random.nextInt(NANOS.length)];
      if (random.nextInt(4) == 0) {
        nanos = random.nextInt(30_000) * 1_000_000L + random.nextInt(1_000_000);
      }
      long start = 1_700_000_000_000_000_000L + spanCounter * 1000;
      Span span = Span.newBuilder()
          .setTraceId(ByteString.copyFrom(id(16, spanCounter + 1)))
          .setSpanId(ByteString.copyFrom(id(8, spanCounter + 1)))
          .setName(name)
          .setKind(Span.SpanKind.forNumber(kind))
          .setStartTimeUnixNano(start)
          .setEndTimeUnixNano(start + nanos)
          .setStatus(Status.newBuilder().setCodeValue(status))
          .addAttributes(KeyValue.newBuilder().setKey("http.method").setValue(AnyValue.newBuilder().setStringValue(random.nextBoolean() ? "GET" : "POST")))
          .build();
      spanCounter++;
      byService.computeIfAbsent(service, k -> new ArrayList<>()).add(span);
      record(service, name, KINDS[kind], STATUSES[status], nanos);
    }
    ExportTraceServiceRequest.Builder req = ExportTraceServiceRequest.newBuilder();
    for (Map.Entry<String, List<Span>> e : byService.entrySet()) {
      req.addResourceSpans(ResourceSpans.newBuilder()
          .setResource(resource(e.getKey()))
          .addScopeSpans(ScopeSpans.newBuilder().addAllSpans(e.getValue())));
    }
    return req.build();
  }

  static Resource resource(String service) {
    return Resource.newBuilder()
        .addAttributes(str("service.name", service))
        .addAttributes(str("service.instance.id", service + "-0"))
        .addAttributes(str("deployment.environment", "test"))
        .build();
  }

  static KeyValue str(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  private void record(String service, String name, String kind, String status, long nanos) {
    Truth t = truth.computeIfAbsent(key(service, name, kind, status), k -> new Truth(boundsMs.length + 1));
    double ms = nanos > 0 ? nanos / 1e6 : 0;
    t.calls++;
    t.sumMs += ms;
    int b = 0;
    while (b < boundsMs.length && ms > boundsMs[b]) {
      b++;
    }
    t.buckets[b]++;
  }

  /** A fresh truth for the next interval (delta checks). */
  void resetTruth() {
    truth.clear();
  }

  static byte[] id(int len, long v) {
    byte[] b = new byte[len];
    for (int i = 0; i < 8; i++) {
      b[len - 1 - i] = (byte) (v >>> (8 * i));
    }
    b[0] = 1;
    return b;
  }
}

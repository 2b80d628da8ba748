package io.tailshard.sampling.store;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailshard.common.testing.RandomTraces;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * A reproducible workload for the store's tests, built with the generated OTLP classes: traces of
 * one to six spans whose spans arrive in up to three requests spread over time, each request
 * mixing many traces under several resources and scopes. Knows, per trace, exactly which spans
 * under which resource and scope were sent, and when the trace was first seen.
 */
final class TraceWorkload {
  static final long BASE_MILLIS = 1_700_000_000_000L;

  /** A span as sent: its resource and scope by index into {@link #RESOURCES} and {@link #SCOPES}. */
  record Placed(int resource, int scope, Span span) {}

  record TraceKey(long high, long low) {
    static TraceKey of(ByteString id) {
      byte[] b = id.toByteArray();
      return new TraceKey(StoreKeys.getLong(b, 0), StoreKeys.getLong(b, 8));
    }
  }

  /** One request and the simulated time it arrives at. */
  record Request(long atMillis, byte[] bytes, int spanCount) {}

  static final List<Resource> RESOURCES = List.of(
      Resource.newBuilder().addAttributes(RandomTraces.kv("service.name", str("checkout"))).build(),
      Resource.newBuilder().addAttributes(RandomTraces.kv("service.name", str("payments")))
          .addAttributes(RandomTraces.kv("k8s.pod.name", str("payments-7d9f"))).build(),
      Resource.getDefaultInstance());
  static final List<String> RESOURCE_SCHEMAS = List.of("https://opentelemetry.io/schemas/1.24.0", "", "");
  static final List<InstrumentationScope> SCOPES = List.of(
      InstrumentationScope.newBuilder().setName("io.opentelemetry.http").setVersion("2.1").build(),
      InstrumentationScope.newBuilder().setName("io.opentelemetry.jdbc").build(),
      InstrumentationScope.getDefaultInstance());
  static final List<String> SCOPE_SCHEMAS = List.of("", "https://example.com/scope", "");

  final Map<TraceKey, List<Placed>> spansByTrace = new LinkedHashMap<>();
  final Map<TraceKey, Long> firstSeen = new HashMap<>();
  /** When the first request carrying a root span (no parent span id) of the trace arrives. */
  final Map<TraceKey, Long> rootArrival = new HashMap<>();
  final Map<TraceKey, Integer> fragments = new HashMap<>();
  final List<Request> requests = new ArrayList<>();

  /**
   * {@code traces} traces starting {@code spacingMillis} apart from {@link #BASE_MILLIS}; a
   * trace's later spans arrive up to {@code maxDelayMillis} after its first; requests go out
   * every {@code tickMillis}.
   */
  static TraceWorkload generate(long seed, int traces, long spacingMillis, long maxDelayMillis, long tickMillis) {
    TraceWorkload w = new TraceWorkload();
    RandomTraces random = new RandomTraces(seed);
    Random r = random.random();
    TreeMap<Long, List<Placed>> byTick = new TreeMap<>();
    Map<TraceKey, java.util.Set<Long>> ticksOfTrace = new HashMap<>();
    for (int i = 0; i < traces; i++) {
      ByteString traceId = random.traceId();
      TraceKey key = TraceKey.of(traceId);
      long start = BASE_MILLIS + i * spacingMillis;
      int spans = 1 + r.nextInt(6);
      int parts = 1 + r.nextInt(Math.min(3, spans));
      List<Placed> all = new ArrayList<>();
      for (int s = 0; s < spans; s++) {
        Span.Builder b = random.span().toBuilder().setTraceId(traceId);
        if (s == 0 && r.nextInt(4) != 0) {
          b.clearParentSpanId();
        } else if (b.getParentSpanId().isEmpty()) {
          b.setParentSpanId(ByteString.copyFrom(new byte[] {1, 2, 3, 4, 5, 6, 7, (byte) s}));
        }
        all.add(new Placed(r.nextInt(RESOURCES.size()), r.nextInt(SCOPES.size()), b.build()));
      }
      w.spansByTrace.put(key, all);
      for (int s = 0; s < spans; s++) {
        int part = Math.min(parts - 1, s * parts / spans);
        long at = part == 0 ? start : start + 1 + (long) (r.nextDouble() * maxDelayMillis);
        long tick = ceil(at, tickMillis);
        byTick.computeIfAbsent(tick, t -> new ArrayList<>()).add(all.get(s));
        if (all.get(s).span().getParentSpanId().isEmpty()) {
          w.rootArrival.merge(key, tick, Math::min);
        }
        ticksOfTrace.computeIfAbsent(key, k -> new java.util.TreeSet<>()).add(tick);
      }
    }
    for (Map.Entry<TraceKey, java.util.Set<Long>> e : ticksOfTrace.entrySet()) {
      w.firstSeen.put(e.getKey(), ((java.util.TreeSet<Long>) e.getValue()).first());
      w.fragments.put(e.getKey(), e.getValue().size());
    }
    for (Map.Entry<Long, List<Placed>> e : byTick.entrySet()) {
      // Shuffle, so one request interleaves traces the way a batching SDK or collector does.
      java.util.Collections.shuffle(e.getValue(), r);
      w.requests.add(new Request(e.getKey(), build(e.getValue()).toByteArray(), e.getValue().size()));
    }
    return w;
  }

  private static long ceil(long v, long step) {
    return (v + step - 1) / step * step;
  }

  /** A request holding {@code spans}, grouped under their resources and scopes in first-use order. */
  static ExportTraceServiceRequest build(List<Placed> spans) {
    Map<Integer, Map<Integer, List<Span>>> grouped = new LinkedHashMap<>();
    for (Placed p : spans) {
      grouped.computeIfAbsent(p.resource(), k -> new LinkedHashMap<>())
          .computeIfAbsent(p.scope(), k -> new ArrayList<>()).add(p.span());
    }
    ExportTraceServiceRequest.Builder req = ExportTraceServiceRequest.newBuilder();
    grouped.forEach((res, scopes) -> {
      ResourceSpans.Builder rs = ResourceSpans.newBuilder().setSchemaUrl(RESOURCE_SCHEMAS.get(res));
      if (!RESOURCES.get(res).equals(Resource.getDefaultInstance())) {
        rs.setResource(RESOURCES.get(res));
      }
      scopes.forEach((sc, list) -> {
        ScopeSpans.Builder ss = ScopeSpans.newBuilder().setSchemaUrl(SCOPE_SCHEMAS.get(sc)).addAllSpans(list);
        if (!SCOPES.get(sc).equals(InstrumentationScope.getDefaultInstance())) {
          ss.setScope(SCOPES.get(sc));
        }
        rs.addScopeSpans(ss);
      });
      req.addResourceSpans(rs);
    });
    return req.build();
  }

  /** Every span of a request with its resource and scope, checked to be one of the workload's. */
  static List<Placed> flatten(ExportTraceServiceRequest req) {
    List<Placed> out = new ArrayList<>();
    for (ResourceSpans rs : req.getResourceSpansList()) {
      int res = RESOURCES.indexOf(rs.getResource());
      if (res < 0 || !RESOURCE_SCHEMAS.get(res).equals(rs.getSchemaUrl())) {
        throw new AssertionError("unknown resource " + rs.getResource() + " / " + rs.getSchemaUrl());
      }
      for (ScopeSpans ss : rs.getScopeSpansList()) {
        int sc = SCOPES.indexOf(ss.getScope());
        if (sc < 0 || !SCOPE_SCHEMAS.get(sc).equals(ss.getSchemaUrl())) {
          throw new AssertionError("unknown scope " + ss.getScope() + " / " + ss.getSchemaUrl());
        }
        for (Span s : ss.getSpansList()) {
          out.add(new Placed(res, sc, s));
        }
      }
    }
    return out;
  }

  /** Spans in a canonical order, so two lists of the same spans compare equal. */
  static List<Placed> sorted(List<Placed> spans) {
    List<Placed> copy = new ArrayList<>(spans);
    Comparator<ByteString> bytes = ByteString.unsignedLexicographicalComparator();
    copy.sort(Comparator.comparing((Placed p) -> p.span().getSpanId(), bytes)
        .thenComparing(p -> p.span().toByteString(), bytes)
        .thenComparingInt(Placed::resource)
        .thenComparingInt(Placed::scope));
    return copy;
  }

  /** The spans of stored fragments, each parsed on its own. */
  static List<Placed> parseEach(List<byte[]> fragments) throws Exception {
    List<Placed> out = new ArrayList<>();
    for (byte[] f : fragments) {
      out.addAll(flatten(ExportTraceServiceRequest.parseFrom(f)));
    }
    return out;
  }

  /** The fragments concatenated and parsed once: protobuf merges them into one request. */
  static ExportTraceServiceRequest parseConcatenated(List<byte[]> fragments) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] f : fragments) {
      out.write(f);
    }
    return ExportTraceServiceRequest.parseFrom(out.toByteArray());
  }

  /**
   * What the store's summary of a trace must say, from the spans that were sent, with
   * {@code decision_wait} and {@code decision_wait_after_root_received} (0 = off) as given.
   */
  TraceView expectedSummary(TraceKey key, long windowMillis, long waitMillis, long afterRootMillis) {
    List<Placed> spans = spansByTrace.get(key);
    int mask = 0;
    long minStart = Long.MAX_VALUE;
    long maxEnd = Long.MIN_VALUE;
    boolean root = false;
    for (Placed p : spans) {
      mask |= PreparedAppend.statusBit(p.span().getStatus().getCodeValue());
      minStart = Math.min(minStart, p.span().getStartTimeUnixNano());
      maxEnd = Math.max(maxEnd, p.span().getEndTimeUnixNano());
      root |= p.span().getParentSpanId().isEmpty();
    }
    long first = firstSeen.get(key);
    return new TraceView(key.high(), key.low(), first / windowMillis, first, spans.size(), mask, minStart, maxEnd,
        root, -1, fragments.get(key), expectedDue(key, waitMillis, afterRootMillis));
  }

  /** First seen + decision_wait, or root arrival + decision_wait_after_root_received when set and earlier. */
  long expectedDue(TraceKey key, long waitMillis, long afterRootMillis) {
    long due = firstSeen.get(key) + waitMillis;
    Long root = rootArrival.get(key);
    return afterRootMillis > 0 && root != null ? Math.min(due, root + afterRootMillis) : due;
  }

  static AnyValue str(String s) {
    return AnyValue.newBuilder().setStringValue(s).build();
  }
}

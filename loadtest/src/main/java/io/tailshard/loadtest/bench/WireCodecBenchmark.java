package io.tailshard.loadtest.bench;

import com.google.protobuf.ByteString;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.InstrumentationScope;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.tailshard.common.otlp.wire.TraceRequestWriter;
import io.tailshard.common.otlp.wire.WireFormatException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The ingest hot path of both tiers, one thread: index a 1,000-span OTLP request (every span's ids,
 * name, kind, times, status), and split it three ways by trace id as the lb-tier does. The
 * generated-class parse is the baseline the wire codec replaces. Scores are spans per second
 * ({@code @OperationsPerInvocation(1000)}).
 *
 * <p>Run: {@code java -jar loadtest/target/loadtest.jar bench WireCodec} (see docs/benchmarks.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class WireCodecBenchmark {
  static final int SPANS = 1000;

  private byte[] request;
  private final TraceRequestIndex index = new TraceRequestIndex();
  private final TraceRequestWriter writer = new TraceRequestWriter();
  private final int[] groupOf = new int[SPANS];
  private final int[] counts = new int[3];

  @Setup
  public void setUp() {
    request = realisticRequest(new Random(1), SPANS);
  }

  /** A request shaped like instrumented HTTP services: 10 resources, spans with 6 attributes, ~290 bytes each. */
  static byte[] realisticRequest(Random random, int spans) {
    ExportTraceServiceRequest.Builder req = ExportTraceServiceRequest.newBuilder();
    int perResource = spans / 10;
    for (int r = 0; r < 10; r++) {
      ScopeSpans.Builder ss = ScopeSpans.newBuilder()
          .setScope(InstrumentationScope.newBuilder().setName("io.opentelemetry.http").setVersion("2.10.0"));
      for (int i = 0; i < perResource; i++) {
        byte[] traceId = new byte[16];
        byte[] spanId = new byte[8];
        random.nextBytes(traceId);
        random.nextBytes(spanId);
        long start = 1_763_700_000_000_000_000L + random.nextInt(1_000_000_000);
        ss.addSpans(Span.newBuilder()
            .setTraceId(ByteString.copyFrom(traceId))
            .setSpanId(ByteString.copyFrom(spanId))
            .setParentSpanId(ByteString.copyFrom(spanId))
            .setName("GET /api/v1/accounts/{id}/statuses")
            .setKind(Span.SpanKind.SPAN_KIND_SERVER)
            .setStartTimeUnixNano(start)
            .setEndTimeUnixNano(start + random.nextInt(50_000_000))
            .addAttributes(kv("http.request.method", "GET"))
            .addAttributes(kv("url.path", "/api/v1/accounts/10923/statuses"))
            .addAttributes(kv("http.route", "/api/v1/accounts/{id}/statuses"))
            .addAttributes(kv("server.address", "mastodon.social"))
            .addAttributes(KeyValue.newBuilder().setKey("http.response.status_code")
                .setValue(AnyValue.newBuilder().setIntValue(200)))
            .addAttributes(kv("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64)"))
            .setStatus(Status.newBuilder().setCodeValue(random.nextInt(50) == 0 ? 2 : 0)));
      }
      req.addResourceSpans(ResourceSpans.newBuilder()
          .setResource(Resource.newBuilder()
              .addAttributes(kv("service.name", "web-" + r))
              .addAttributes(kv("host.name", "node-" + r)))
          .addScopeSpans(ss));
    }
    return req.build().toByteArray();
  }

  private static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  @Benchmark
  @OperationsPerInvocation(SPANS)
  public int generatedClassesParse() throws Exception {
    return ExportTraceServiceRequest.parseFrom(request).getResourceSpansCount();
  }

  @Benchmark
  @OperationsPerInvocation(SPANS)
  public int wireIndex() throws WireFormatException {
    return index.index(request).spanCount();
  }

  @Benchmark
  @OperationsPerInvocation(SPANS)
  public int wireIndexAndSplitThreeWays() throws WireFormatException {
    TraceRequestIndex idx = index.index(request);
    int n = idx.spanCount();
    for (int i = 0; i < n; i++) {
      // Stands in for the ring lookup, which has its own benchmark: the cost here is the codec's.
      groupOf[i] = (int) Long.remainderUnsigned(idx.traceIdHigh(i) ^ idx.traceIdLow(i), 3);
    }
    byte[][] parts = writer.split(idx, 3, groupOf, counts);
    return parts[0].length + parts[1].length + parts[2].length;
  }

  /** Request size in bytes per span, printed by the bench command for the record. */
  public static double bytesPerSpan() {
    return realisticRequest(new Random(1), SPANS).length / (double) SPANS;
  }
}

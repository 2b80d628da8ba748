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
import io.tailshard.common.component.ComponentId;
import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.Host;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.component.TracesConnector;
import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.tailshard.common.otlp.wire.WireFormatException;
import io.tailshard.common.telemetry.Telemetry;
import io.tailshard.sampling.connector.spanmetrics.SpanMetricsConnectorFactory;
import io.vertx.core.Future;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The spanmetrics connector's per-span cost, one thread: a 1,000-span request of 10 services with
 * 20 operations each, kinds and statuses mixed (about 600 series at the default dimensions), taken
 * by {@code consumeTraces} (index the request, then count every span under the lock). The
 * {@code indexOnly} score is the part spent reading the request; the difference is the
 * aggregation. {@code dims=extra} adds two dimensions read from span attributes
 * ({@code http.request.method}, {@code http.response.status_code}). Scores are ns per span.
 *
 * <p>Run: {@code java -jar loadtest/target/loadtest.jar bench SpanMetrics} (see docs/benchmarks.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SpanMetricsBenchmark {
  static final int SPANS = 1000;

  @Param({"default", "extra"})
  public String dims;

  private byte[] request;
  private TraceData data;
  private TracesConnector connector;
  private final TraceRequestIndex index = new TraceRequestIndex();

  @Setup
  public void setUp() {
    request = request(new Random(1));
    data = new TraceData(request, SPANS);
    String yaml = dims.equals("extra")
        ? "dimensions: [{name: http.request.method}, {name: http.response.status_code}]\n"
        : "{}\n";
    SpanMetricsConnectorFactory f = new SpanMetricsConnectorFactory();
    var config = f.parseConfig(new ConfigLoader(Map.<String, String>of()::get).parse("bench.yaml", yaml).asMap());
    ComponentSettings settings = new ComponentSettings(
        ComponentId.of("spanmetrics"), ComponentKind.CONNECTOR, null, Telemetry.forTests("bench"), Host.empty());
    // Never started: no flush timer, so the series only accumulate, as between two flushes.
    connector = f.createTracesToMetrics(settings, config, m -> Future.succeededFuture());
    connector.consumeTraces(data);
  }

  static byte[] request(Random random) {
    ExportTraceServiceRequest.Builder req = ExportTraceServiceRequest.newBuilder();
    for (int r = 0; r < 10; r++) {
      ScopeSpans.Builder ss = ScopeSpans.newBuilder()
          .setScope(InstrumentationScope.newBuilder().setName("io.opentelemetry.http").setVersion("2.10.0"));
      for (int i = 0; i < SPANS / 10; i++) {
        byte[] traceId = new byte[16];
        byte[] spanId = new byte[8];
        random.nextBytes(traceId);
        random.nextBytes(spanId);
        long start = 1_763_700_000_000_000_000L + random.nextInt(1_000_000_000);
        int op = random.nextInt(20);
        int status = random.nextInt(20) == 0 ? 2 : random.nextInt(2);
        ss.addSpans(Span.newBuilder()
            .setTraceId(ByteString.copyFrom(traceId))
            .setSpanId(ByteString.copyFrom(spanId))
            .setParentSpanId(ByteString.copyFrom(spanId))
            .setName("GET /api/v1/resource" + op + "/{id}")
            .setKind(op % 3 == 0 ? Span.SpanKind.SPAN_KIND_CLIENT : Span.SpanKind.SPAN_KIND_SERVER)
            .setStartTimeUnixNano(start)
            .setEndTimeUnixNano(start + random.nextInt(800_000_000))
            .addAttributes(kv("http.request.method", op % 4 == 0 ? "POST" : "GET"))
            .addAttributes(kv("url.path", "/api/v1/resource" + op + "/" + random.nextInt(100000)))
            .addAttributes(kv("http.route", "/api/v1/resource" + op + "/{id}"))
            .addAttributes(kv("user_agent.original", "Mozilla/5.0 (X11; Linux x86_64)"))
            .addAttributes(KeyValue.newBuilder().setKey("http.response.status_code")
                .setValue(AnyValue.newBuilder().setIntValue(status == 2 ? 500 : 200)))
            .setStatus(Status.newBuilder().setCodeValue(status)));
      }
      req.addResourceSpans(ResourceSpans.newBuilder()
          .setResource(Resource.newBuilder()
              .addAttributes(kv("service.name", "service-" + r))
              .addAttributes(kv("service.instance.id", "pod-" + r))
              .addAttributes(kv("telemetry.sdk.language", "java"))
              .addAttributes(kv("k8s.namespace.name", "shop")))
          .addScopeSpans(ss));
    }
    return req.build().toByteArray();
  }

  private static KeyValue kv(String k, String v) {
    return KeyValue.newBuilder().setKey(k).setValue(AnyValue.newBuilder().setStringValue(v)).build();
  }

  @Benchmark
  @OperationsPerInvocation(SPANS)
  public Object indexOnly() throws WireFormatException {
    return index.index(request, 0, request.length);
  }

  @Benchmark
  @OperationsPerInvocation(SPANS)
  public Object consumeTraces() {
    return connector.consumeTraces(data);
  }
}

package io.tailshard.loadtest.sink;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.metrics.v1.ExportMetricsServiceRequest;
import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.tailshard.common.otlp.wire.WireFormatException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.grpc.server.GrpcServerRequest;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The sink's OTLP receiver, written apart from the product's receiver because it judges it:
 * OTLP/gRPC ({@code TraceService/Export}, {@code MetricsService/Export}) on Vert.x's gRPC server
 * with raw buffers, and OTLP/HTTP ({@code POST /v1/traces} protobuf or JSON, {@code /v1/metrics}
 * protobuf, gzip accepted). Trace requests are read with {@link TraceRequestIndex} (no object per
 * span); metrics with the generated classes. Both listeners share one handler: a request whose
 * content type is {@code application/grpc} goes to the gRPC server, anything else to the HTTP routes.
 */
final class SinkServer {
  static final ServiceMethod<Buffer, Buffer> TRACE_EXPORT = ServiceMethod.server(
      ServiceName.create("opentelemetry.proto.collector.trace.v1.TraceService"), "Export",
      GrpcMessageEncoder.IDENTITY, GrpcMessageDecoder.IDENTITY);
  static final ServiceMethod<Buffer, Buffer> METRICS_EXPORT = ServiceMethod.server(
      ServiceName.create("opentelemetry.proto.collector.metrics.v1.MetricsService"), "Export",
      GrpcMessageEncoder.IDENTITY, GrpcMessageDecoder.IDENTITY);

  private static final ThreadLocal<TraceRequestIndex> INDEX = ThreadLocal.withInitial(TraceRequestIndex::new);

  private final Vertx vertx;
  private final SpanLedger spans;
  private final MetricsLedger metrics;
  private final long maxMessageSize;
  private final GrpcServer grpc;
  private final AtomicLong refused = new AtomicLong();
  private HttpServer grpcListener;
  private HttpServer httpListener;

  SinkServer(Vertx vertx, SpanLedger spans, MetricsLedger metrics, long maxMessageSize) {
    this.vertx = vertx;
    this.spans = spans;
    this.metrics = metrics;
    this.maxMessageSize = maxMessageSize;
    // Vert.x refuses gRPC messages above 256 KiB by default; the Collector takes 4 MiB, we take more.
    this.grpc = GrpcServer.server(vertx, new GrpcServerOptions().setMaxMessageSize(maxMessageSize));
    grpc.callHandler(TRACE_EXPORT, this::grpcTraces);
    grpc.callHandler(METRICS_EXPORT, this::grpcMetrics);
  }

  /** Starts the listeners ({@code null} address: that listener stays off); completes with the bound ports. */
  Future<int[]> start(SocketAddress grpcAddress, SocketAddress httpAddress) {
    Future<HttpServer> g = grpcAddress == null ? Future.succeededFuture() : listen(grpcAddress);
    Future<HttpServer> h = httpAddress == null ? Future.succeededFuture() : listen(httpAddress);
    return Future.all(g, h).map(v -> {
      grpcListener = g.result();
      httpListener = h.result();
      return new int[] {
          grpcListener == null ? -1 : grpcListener.actualPort(), httpListener == null ? -1 : httpListener.actualPort()};
    });
  }

  private Future<HttpServer> listen(SocketAddress address) {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(address.host())
        .setPort(address.port())
        .setDecompressionSupported(true)
        .setHttp2ClearTextEnabled(true);
    return vertx.createHttpServer(options).requestHandler(this::route).listen();
  }

  Future<Void> stop() {
    Future<Void> a = grpcListener == null ? Future.succeededFuture() : grpcListener.close();
    Future<Void> b = httpListener == null ? Future.succeededFuture() : httpListener.close();
    return Future.all(a, b).mapEmpty();
  }

  /** Requests answered with an error (malformed, too large, wrong path). */
  long refused() {
    return refused.get();
  }

  private void route(HttpServerRequest req) {
    String type = req.getHeader("Content-Type");
    if (type != null && type.startsWith("application/grpc")) {
      grpc.handle(req);
      return;
    }
    String path = req.path();
    boolean traces = path.equals("/v1/traces");
    boolean metricsPath = path.equals("/v1/metrics");
    if (!traces && !metricsPath) {
      refuse(req, 404, "no such path: " + path);
      return;
    }
    if (req.method() != HttpMethod.POST) {
      refuse(req, 405, "POST only");
      return;
    }
    String length = req.getHeader("Content-Length");
    if (length != null && parseLength(length) > maxMessageSize) {
      refuse(req, 413, "request larger than " + maxMessageSize + " bytes");
      return;
    }
    boolean json = type != null && type.startsWith("application/json");
    int connection = System.identityHashCode(req.connection());
    req.body().onComplete(ar -> {
      if (ar.failed()) {
        refuse(req, 400, String.valueOf(ar.cause()));
        return;
      }
      try {
        if (traces) {
          byte[] bytes = json ? OtlpJson.traceRequest(ar.result()) : ar.result().getBytes();
          ingestTraces(bytes, connection);
        } else {
          if (json) {
            refuse(req, 415, "metrics are read as protobuf only");
            return;
          }
          metrics.ingest(ExportMetricsServiceRequest.parseFrom(ar.result().getBytes()));
        }
      } catch (WireFormatException | InvalidProtocolBufferException | IllegalArgumentException e) {
        refuse(req, 400, e.getMessage());
        return;
      }
      req.response().putHeader("Content-Type", json ? "application/json" : "application/x-protobuf")
          .end(json ? Buffer.buffer("{}") : Buffer.buffer());
    });
  }

  /** A Content-Length; a malformed one counts as too large, so such a request is refused. */
  private static long parseLength(String header) {
    try {
      return Long.parseLong(header.trim());
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private void refuse(HttpServerRequest req, int status, String message) {
    refused.incrementAndGet();
    req.response().setStatusCode(status).end(message == null ? "" : message);
  }

  private void grpcTraces(GrpcServerRequest<Buffer, Buffer> req) {
    int connection = System.identityHashCode(req.connection());
    req.last().onComplete(ar -> {
      if (ar.failed()) {
        refused.incrementAndGet();
        return;
      }
      try {
        ingestTraces(ar.result().getBytes(), connection);
      } catch (WireFormatException e) {
        refused.incrementAndGet();
        req.response().status(GrpcStatus.INVALID_ARGUMENT).statusMessage(e.getMessage()).end();
        return;
      }
      // An empty ExportTraceServiceResponse: everything accepted.
      req.response().send(Buffer.buffer());
    });
  }

  private void grpcMetrics(GrpcServerRequest<Buffer, Buffer> req) {
    req.last().onComplete(ar -> {
      if (ar.failed()) {
        refused.incrementAndGet();
        return;
      }
      try {
        metrics.ingest(ExportMetricsServiceRequest.parseFrom(ar.result().getBytes()));
      } catch (InvalidProtocolBufferException e) {
        refused.incrementAndGet();
        req.response().status(GrpcStatus.INVALID_ARGUMENT).statusMessage(e.getMessage()).end();
        return;
      }
      req.response().send(Buffer.buffer());
    });
  }

  private void ingestTraces(byte[] bytes, int connection) throws WireFormatException {
    Instant now = Instant.now();
    TraceRequestIndex idx = INDEX.get().index(bytes);
    spans.ingest(idx, now.getEpochSecond() * 1_000_000_000L + now.getNano(), connection);
  }
}

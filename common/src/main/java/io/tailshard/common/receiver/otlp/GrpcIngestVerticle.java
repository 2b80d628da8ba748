package io.tailshard.common.receiver.otlp;

import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.Http2Settings;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.InvalidMessageException;
import io.vertx.grpc.common.MessageSizeOverflowException;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.common.WireFormat;
import io.vertx.grpc.server.GrpcProtocol;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerOptions;
import io.vertx.grpc.server.GrpcServerRequest;
import io.vertx.grpc.server.GrpcServerResponse;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One OTLP/gRPC server on one event loop: {@code opentelemetry.proto.collector.trace.v1.TraceService/Export}
 * over HTTP/2 (cleartext), taking the request message as raw bytes. Several instances share the
 * port; each owns its wire index.
 *
 * <p>Raw bytes with Vert.x gRPC 5: the method is registered with the identity codecs, so Vert.x
 * hands over {@link Buffer}s and never parses protobuf; and the message is read through
 * {@link GrpcServerRequest#messageHandler}, which gives the {@link GrpcMessage} as it came off the
 * wire, still compressed, with its {@code grpc-encoding}. Decompressing it here (instead of letting
 * Vert.x do it, which has no output limit) is what bounds a compressed message's inflated size.
 * Vert.x's own limit, {@link GrpcServerOptions#setMaxMessageSize}, is raised to
 * {@code max_recv_msg_size_mib} (its default refuses OTLP-sized messages) and checks the
 * compressed size; this class checks the inflated size against the same limit, as grpc-go does.
 */
final class GrpcIngestVerticle extends VerticleBase {
  static final ServiceName TRACE_SERVICE = ServiceName.create("opentelemetry.proto.collector.trace.v1", "TraceService");
  /** Export with identity codecs: request and response are raw protobuf bytes. */
  static final ServiceMethod<Buffer, Buffer> EXPORT =
      ServiceMethod.server(TRACE_SERVICE, "Export", GrpcMessageEncoder.IDENTITY, GrpcMessageDecoder.IDENTITY);
  static final String STATUS_DETAILS = "grpc-status-details-bin";

  private static final long SHUTDOWN_GRACE_SECONDS = 5;
  private static final int STREAM_WINDOW = 1 << 20;
  private static final int CONNECTION_WINDOW = 8 << 20;

  private final OtlpReceiverConfig.Grpc config;
  private final int port;
  private final ExportPipeline pipeline;
  private final InFlightLimiter limiter;
  private final ReceiverMetrics metrics;
  private final TraceRequestIndex index = new TraceRequestIndex();
  private HttpServer server;

  GrpcIngestVerticle(OtlpReceiverConfig.Grpc config, int port, ExportPipeline pipeline, InFlightLimiter limiter, ReceiverMetrics metrics) {
    this.config = config;
    this.port = port;
    this.pipeline = pipeline;
    this.limiter = limiter;
    this.metrics = metrics;
  }

  @Override
  public Future<?> start() {
    GrpcServerOptions grpcOptions = new GrpcServerOptions().setMaxMessageSize(config.maxRecvMsgSizeBytes());
    // Plain gRPC over HTTP/2 only, as the Collector serves; no gRPC-Web or HTTP/1 transcoding.
    for (GrpcProtocol p : GrpcProtocol.values()) {
      if (p != GrpcProtocol.HTTP_2) {
        grpcOptions.removeEnabledProtocol(p);
      }
    }
    GrpcServer grpc = GrpcServer.server(vertx, grpcOptions);
    grpc.callHandler(EXPORT, this::handle);

    Http2Settings settings = new Http2Settings().setInitialWindowSize(STREAM_WINDOW);
    if (config.maxConcurrentStreams() > 0) {
      settings.setMaxConcurrentStreams(config.maxConcurrentStreams());
    }
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.endpoint().host())
        .setPort(port)
        .setInitialSettings(settings)
        .setHttp2ConnectionWindowSize(CONNECTION_WINDOW)
        .setDecompressionSupported(false)
        .setCompressionSupported(false);
    if (!config.maxConnectionIdle().isZero()) {
      options.setIdleTimeoutUnit(TimeUnit.MILLISECONDS)
          .setIdleTimeout((int) Math.min(Integer.MAX_VALUE, config.maxConnectionIdle().toMillis()));
    }
    server = vertx.createHttpServer(options).requestHandler(grpc);
    if (!config.maxConnectionAge().isZero()) {
      server.connectionHandler(this::limitAge);
    }
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.shutdown(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS);
  }

  int actualPort() {
    return server.actualPort();
  }

  /** GOAWAY at max_connection_age (±10% so that connections made together do not leave together). */
  private void limitAge(HttpConnection conn) {
    long age = config.maxConnectionAge().toMillis();
    long jittered = Math.max(1, age + (long) ((ThreadLocalRandom.current().nextDouble() * 0.2 - 0.1) * age));
    long grace = config.maxConnectionAgeGrace().isZero() ? TimeUnit.DAYS.toMillis(365) : config.maxConnectionAgeGrace().toMillis();
    long timer = vertx.setTimer(jittered, id -> conn.shutdown(grace, TimeUnit.MILLISECONDS));
    conn.closeHandler(v -> vertx.cancelTimer(timer));
  }

  private void handle(GrpcServerRequest<Buffer, Buffer> req) {
    InFlightLimiter.Lease lease = limiter.lease();
    if (!lease.acquireRequest()) {
      reply(req, rejected(new Rejection(Outcome.OVERLOADED, "receiver is at its in-flight request limit; retry later")));
      return;
    }
    if (req.format() != WireFormat.PROTOBUF) {
      lease.close();
      reply(req, rejected(new Rejection(Outcome.MALFORMED, "only protobuf-encoded requests (application/grpc) are served")));
      return;
    }
    Call call = new Call(req, lease);
    req.invalidMessageHandler(call::invalid);
    req.messageHandler(call::message);
    req.endHandler(v -> call.end());
    req.exceptionHandler(t -> call.cancelled());
  }

  /** The state of one unary call; touched only on this verticle's event loop, save {@link #finish}. */
  private final class Call {
    private final GrpcServerRequest<Buffer, Buffer> req;
    private final InFlightLimiter.Lease lease;
    /**
     * The context the call's handlers run on (Vert.x gives each request a duplicate of the
     * verticle's context, so comparing with the verticle's own never matched and every answer took
     * a task hop). Answering on it at once when the pipeline completed there keeps the answer in
     * the read cycle that brought the request: its frames go out with that cycle's one flush.
     */
    private final Context callContext;
    private boolean gotMessage;
    private boolean processing;
    private boolean answered;

    Call(GrpcServerRequest<Buffer, Buffer> req, InFlightLimiter.Lease lease) {
      this.req = req;
      this.lease = lease;
      Context current = Vertx.currentContext();
      this.callContext = current != null ? current : context;
    }

    void invalid(InvalidMessageException e) {
      if (e instanceof MessageSizeOverflowException) {
        long size = ((MessageSizeOverflowException) e).messageSize();
        refuse(new Rejection(Outcome.TOO_LARGE, "gRPC message of " + size
            + " bytes is larger than max_recv_msg_size_mib (" + config.maxRecvMsgSizeBytes() + " bytes)"));
      } else {
        refuse(new Rejection(Outcome.MALFORMED, "invalid gRPC message: " + e.getMessage()));
      }
    }

    void message(GrpcMessage msg) {
      if (gotMessage) {
        refuse(new Rejection(Outcome.MALFORMED, "Export is unary: more than one request message"));
        return;
      }
      gotMessage = true;
      if (answered) {
        return;
      }
      try {
        BodyBuffer body = decode(msg);
        processing = true;
        pipeline.export(index, body.array(), 0, body.length(), metrics).onComplete(ar -> finish(ar.result()));
      } catch (Rejection r) {
        refuse(r);
      }
    }

    void end() {
      if (!gotMessage) {
        refuse(new Rejection(Outcome.MALFORMED, "no request message"));
      }
    }

    void cancelled() {
      if (!processing) {
        answered = true;
        lease.close();
      }
    }

    private BodyBuffer decode(GrpcMessage msg) throws Rejection {
      Buffer payload = msg.payload();
      String encoding = msg.encoding();
      long limit = config.maxRecvMsgSizeBytes();
      if (encoding == null || encoding.equals("identity")) {
        BodyBuffer body = new BodyBuffer(payload.length(), limit, lease, "gRPC message");
        body.append(payload);
        return body;
      }
      if (encoding.equals("gzip") || encoding.equals("deflate")) {
        if (!lease.reserve(payload.length())) {
          throw new Rejection(Outcome.OVERLOADED, "receiver is at its in-flight byte limit; retry later");
        }
        byte[] compressed = payload.getBytes();
        BodyBuffer body = Decompression.inflate(encoding.equals("gzip") ? "gzip" : "zlib",
            compressed, 0, compressed.length, limit, lease, "gRPC message");
        lease.release(compressed.length);
        return body;
      }
      throw new Rejection(Outcome.UNSUPPORTED_ENCODING, "grpc-encoding '" + encoding + "' is not supported; supported: gzip, deflate, identity");
    }

    private void refuse(Rejection r) {
      if (answered || processing) {
        return;
      }
      answered = true;
      lease.close();
      reply(req, rejected(r));
    }

    /** Called when the pipeline answered, on whatever thread completed it. */
    private void finish(Reply reply) {
      lease.close();
      if (Vertx.currentContext() == callContext) {
        reply(req, reply);
      } else {
        callContext.runOnContext(v -> reply(req, reply));
      }
    }
  }

  private Reply rejected(Rejection r) {
    metrics.request(r.outcome());
    return r.outcome().retryable()
        ? Reply.retryLater(r.outcome(), r.getMessage(), pipeline.overloadRetryAfter())
        : Reply.error(r.outcome(), r.getMessage());
  }

  /**
   * Answers a call. An error answered before the message was read (overload) or while it was being
   * skipped (over the size limit) is not followed by a stream reset: Vert.x reads and discards the
   * rest of the message, which is bounded by {@code max_recv_msg_size_mib}, and closes the stream
   * normally; a reset would make Netty log every DATA frame still in flight, at INFO, which under
   * overload is a flood.
   */
  private static void reply(GrpcServerRequest<Buffer, Buffer> req, Reply reply) {
    GrpcServerResponse<Buffer, Buffer> resp = req.response();
    try {
      if (reply.outcome().success()) {
        resp.end(Buffer.buffer(Responses.exportResponse(reply, false)));
        return;
      }
      GrpcStatus status = GrpcStatus.valueOf(reply.outcome().grpcCode());
      if (reply.outcome().retryable()) {
        byte[] details = Responses.statusWithRetryInfo(status.code, reply.message(), reply.retryAfterSeconds());
        resp.trailers().set(STATUS_DETAILS, Base64.getEncoder().withoutPadding().encodeToString(details));
      }
      resp.status(status).statusMessage(reply.message()).end();
    } catch (IllegalStateException e) {
      // The call was cancelled or reset by the client before the answer: nobody to tell.
    }
  }
}

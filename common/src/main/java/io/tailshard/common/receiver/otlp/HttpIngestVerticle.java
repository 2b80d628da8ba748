package io.tailshard.common.receiver.otlp;

import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One OTLP/HTTP server on one event loop. Several instances share the port (Vert.x spreads
 * connections over them); each owns its wire index, so nothing here is shared between threads but
 * the limiter, the metrics and the pipeline, which are thread-safe.
 *
 * <p>A request goes: route (path, method, content type, encoding), admission (request slot, byte
 * budget, declared size), body read into one array, decompression within the limit, JSON
 * transcoding when JSON, then {@link ExportPipeline}. The answer is written in the request's
 * format (protobuf or JSON) after the pipeline answered. A request refused before its body was
 * read still has its body read and discarded (up to a cap) before the answer, so HTTP/1.1 clients
 * that send the whole body before reading the response see the status instead of a reset
 * connection; a client that sent {@code Expect: 100-continue} is answered at once instead.
 */
final class HttpIngestVerticle extends VerticleBase {
  private static final String PROTOBUF = "application/x-protobuf";
  private static final String JSON = "application/json";
  private static final long SHUTDOWN_GRACE_SECONDS = 5;
  /**
   * After a refusal, at most this many body bytes (or twice the size limit, if more) are read and
   * thrown away before the connection is closed instead: enough for any sender that merely went
   * over the limit to read its 413, bounded for one that never stops.
   */
  private static final long MIN_DRAIN_CAP = 4 << 20;

  private final OtlpReceiverConfig.Http config;
  private final int port;
  private final ExportPipeline pipeline;
  private final InFlightLimiter limiter;
  private final ReceiverMetrics metrics;
  private final CorsPolicy cors;
  private final TraceRequestIndex index = new TraceRequestIndex();
  private HttpServer server;

  HttpIngestVerticle(OtlpReceiverConfig.Http config, int port, ExportPipeline pipeline, InFlightLimiter limiter, ReceiverMetrics metrics) {
    this.config = config;
    this.port = port;
    this.pipeline = pipeline;
    this.limiter = limiter;
    this.metrics = metrics;
    this.cors = config.cors() == null ? null : new CorsPolicy(config.cors());
  }

  @Override
  public Future<?> start() {
    HttpServerOptions options = new HttpServerOptions()
        .setHost(config.endpoint().host())
        .setPort(port)
        // We decode bodies ourselves, within the size limit; Vert.x's decompression is unbounded.
        .setDecompressionSupported(false)
        .setCompressionSupported(false)
        .setHandle100ContinueAutomatically(false);
    if (!config.idleTimeout().isZero()) {
      options.setIdleTimeoutUnit(TimeUnit.MILLISECONDS).setIdleTimeout((int) Math.min(Integer.MAX_VALUE, config.idleTimeout().toMillis()));
    }
    server = vertx.createHttpServer(options).requestHandler(this::handle);
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.shutdown(SHUTDOWN_GRACE_SECONDS, TimeUnit.SECONDS);
  }

  int actualPort() {
    return server.actualPort();
  }

  private void handle(HttpServerRequest req) {
    if (!config.tracesUrlPath().equals(req.path())) {
      plain(req, Outcome.NOT_FOUND, "404 page not found");
      return;
    }
    if (req.method() == HttpMethod.OPTIONS && cors != null && CorsPolicy.isPreflight(req)) {
      cors.preflight(req);
      return;
    }
    if (req.method() != HttpMethod.POST) {
      req.response().putHeader(HttpHeaders.ALLOW, cors == null ? "POST" : "POST, OPTIONS");
      plain(req, Outcome.METHOD_NOT_ALLOWED, "405 method not allowed, supported: [POST]");
      return;
    }
    Boolean json = isJson(req.getHeader(HttpHeaders.CONTENT_TYPE));
    if (json == null) {
      plain(req, Outcome.UNSUPPORTED_MEDIA_TYPE, "415 unsupported media type, supported: [" + JSON + ", " + PROTOBUF + "]");
      return;
    }
    String rawEncoding = req.getHeader(HttpHeaders.CONTENT_ENCODING);
    String encoding = normalizeEncoding(rawEncoding);
    if (!config.compressionAlgorithms().contains(encoding)) {
      refuseBeforeBody(req, json, rejected(new Rejection(Outcome.UNSUPPORTED_ENCODING,
          "unsupported Content-Encoding: " + rawEncoding + "; supported: gzip, zlib, deflate")));
      return;
    }
    long declared = contentLength(req);
    long limit = config.maxRequestBodySize();
    if (declared > limit) {
      refuseBeforeBody(req, json, rejected(new Rejection(Outcome.TOO_LARGE,
          "request body of " + declared + " bytes is larger than the limit of " + limit + " bytes")));
      return;
    }
    InFlightLimiter.Lease lease = limiter.lease();
    BodyBuffer raw;
    try {
      if (!lease.acquireRequest()) {
        throw new Rejection(Outcome.OVERLOADED, "receiver is at its in-flight request limit; retry later");
      }
      raw = new BodyBuffer(declared, limit, lease, "request body");
    } catch (Rejection r) {
      lease.close();
      refuseBeforeBody(req, json, rejected(r));
      return;
    }
    if (expectsContinue(req)) {
      req.response().writeContinue();
    }
    // [0]: refused while reading; [1]: handed to the pipeline, which closes the lease when done.
    boolean[] state = {false, false};
    req.exceptionHandler(t -> {
      if (!state[1]) {
        lease.close(); // the client went away while sending; nothing to answer
      }
    });
    req.handler(chunk -> {
      if (state[0]) {
        return;
      }
      try {
        raw.append(chunk);
      } catch (Rejection r) {
        state[0] = true;
        lease.close();
        discardRestThenReply(req, json, rejected(r), chunk.length());
      }
    });
    req.endHandler(v -> {
      if (!state[0]) {
        state[1] = true;
        process(req, json, encoding, raw, lease);
      }
    });
  }

  private void process(HttpServerRequest req, boolean json, String encoding, BodyBuffer raw, InFlightLimiter.Lease lease) {
    try {
      BodyBuffer body = raw;
      if (!encoding.isEmpty()) {
        body = Decompression.inflate(encoding, raw.array(), 0, raw.length(), config.maxRequestBodySize(), lease, "request body");
        raw.release();
      }
      byte[] proto;
      int len;
      if (json) {
        ProtoOutput out = JsonTraceTranscoder.transcode(body.array(), 0, body.length());
        if (!lease.reserve(out.array().length)) {
          throw new Rejection(Outcome.OVERLOADED, "receiver is at its in-flight byte limit; retry later");
        }
        body.release();
        proto = out.array();
        len = out.size();
      } else {
        proto = body.array();
        len = body.length();
      }
      // The request's own context (a duplicate of the verticle's): answering on it at once when the
      // pipeline completed there needs no task hop.
      Context current = Vertx.currentContext();
      Context callContext = current != null ? current : context;
      pipeline.export(index, proto, 0, len, metrics).onComplete(ar -> {
        lease.close();
        // The pipeline may answer on another thread; the response is written from ours.
        if (Vertx.currentContext() == callContext) {
          reply(req, json, ar.result());
        } else {
          callContext.runOnContext(v -> reply(req, json, ar.result()));
        }
      });
    } catch (Rejection r) {
      lease.close();
      reply(req, json, rejected(r));
    }
  }

  /** Counts a refusal found while reading or decoding and makes its reply. */
  private Reply rejected(Rejection r) {
    metrics.request(r.outcome());
    return r.outcome().retryable()
        ? Reply.retryLater(r.outcome(), r.getMessage(), pipeline.overloadRetryAfter())
        : Reply.error(r.outcome(), r.getMessage());
  }

  /** Refuses a request whose body has not been read yet. */
  private void refuseBeforeBody(HttpServerRequest req, boolean json, Reply reply) {
    if (req.isEnded()) {
      reply(req, json, reply);
    } else if (expectsContinue(req)) {
      // The client waits for 100 Continue before sending the body: answer now, and close the
      // connection afterwards, since the unsent body would otherwise be read as the next request.
      if (req.version() != HttpVersion.HTTP_2) {
        req.response().putHeader(HttpHeaders.CONNECTION, "close");
      }
      reply(req, json, reply);
    } else {
      discardRestThenReply(req, json, reply, 0);
    }
  }

  /**
   * Reads and throws away the rest of the body, then answers. Past a cap the connection (HTTP/1.x)
   * or the stream (HTTP/2) is closed instead: a client streaming without end gets no answer.
   */
  private void discardRestThenReply(HttpServerRequest req, boolean json, Reply reply, long alreadyDiscarded) {
    long cap = Math.max(MIN_DRAIN_CAP, 2 * config.maxRequestBodySize());
    long[] discarded = {alreadyDiscarded};
    req.handler(chunk -> {
      discarded[0] += chunk.length();
      if (discarded[0] > cap) {
        req.handler(null);
        if (req.version() == HttpVersion.HTTP_2) {
          req.response().reset();
        } else {
          req.connection().close();
        }
      }
    });
    req.endHandler(v -> reply(req, json, reply));
  }

  private void reply(HttpServerRequest req, boolean json, Reply reply) {
    HttpServerResponse resp = req.response();
    if (resp.ended() || resp.closed()) {
      return;
    }
    Outcome o = reply.outcome();
    byte[] body = o.success()
        ? Responses.exportResponse(reply, json)
        : Responses.status(o.grpcCode(), reply.message(), json);
    resp.setStatusCode(o.httpStatus());
    resp.putHeader(HttpHeaders.CONTENT_TYPE, json ? JSON : PROTOBUF);
    if (o.retryable()) {
      resp.putHeader(HttpHeaders.RETRY_AFTER, Long.toString(reply.retryAfterSeconds()));
    }
    commonHeaders(req, resp);
    resp.end(Buffer.buffer(body));
  }

  /** Routing-level errors, answered in plain text as the Collector does (no OTLP format yet). */
  private void plain(HttpServerRequest req, Outcome outcome, String text) {
    metrics.request(outcome);
    HttpServerResponse resp = req.response();
    resp.setStatusCode(outcome.httpStatus());
    resp.putHeader(HttpHeaders.CONTENT_TYPE, "text/plain; charset=utf-8");
    commonHeaders(req, resp);
    resp.end(text);
  }

  private void commonHeaders(HttpServerRequest req, HttpServerResponse resp) {
    for (Map.Entry<String, String> h : config.responseHeaders().entrySet()) {
      resp.putHeader(h.getKey(), h.getValue());
    }
    if (cors != null) {
      cors.decorate(req, resp);
    }
  }

  /** True for JSON, false for protobuf, null for anything else; parameters are ignored. */
  static Boolean isJson(String contentType) {
    if (contentType == null) {
      return null;
    }
    int semi = contentType.indexOf(';');
    String media = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    if (media.equals(PROTOBUF)) {
      return Boolean.FALSE;
    }
    if (media.equals(JSON)) {
      return Boolean.TRUE;
    }
    return null;
  }

  static String normalizeEncoding(String header) {
    if (header == null) {
      return "";
    }
    String e = header.trim().toLowerCase(Locale.ROOT);
    return e.equals("identity") ? "" : e;
  }

  private static boolean expectsContinue(HttpServerRequest req) {
    String expect = req.getHeader(HttpHeaders.EXPECT);
    return expect != null && expect.equalsIgnoreCase("100-continue");
  }

  private static long contentLength(HttpServerRequest req) {
    String v = req.getHeader(HttpHeaders.CONTENT_LENGTH);
    if (v == null) {
      return -1;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}

package io.tailshard.loadtest.generate;

import com.google.protobuf.InvalidProtocolBufferException;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.zip.GZIPOutputStream;

/**
 * OTLP/HTTP ({@code POST /v1/traces}, protobuf or JSON, optionally gzip) over one HTTP/1.1
 * keep-alive connection. Gzip runs on the planner thread with the encoding, so the event loop only
 * writes bytes. A non-2xx answer, or a 2xx whose body reports rejected spans, is a failed request.
 */
final class HttpTransport implements Transport {
  private final Context context;
  private final HttpClientAgent client;
  private final String endpoint;
  private final String host;
  private final int port;
  private final String path;
  private final String contentType;
  private final boolean gzip;
  private final long timeoutMs;

  HttpTransport(Vertx vertx, Context context, String endpoint, String contentType, boolean gzip, Duration timeout) {
    this.context = context;
    this.endpoint = endpoint;
    this.contentType = contentType;
    this.gzip = gzip;
    this.timeoutMs = timeout.toMillis();
    URI uri = URI.create(endpoint.contains("://") ? endpoint : "http://" + endpoint);
    this.host = uri.getHost();
    this.port = uri.getPort() < 0 ? 4318 : uri.getPort();
    this.path = uri.getPath() == null || uri.getPath().isEmpty() || uri.getPath().equals("/")
        ? "/v1/traces" : uri.getPath();
    this.client = vertx.createHttpClient(
        new HttpClientOptions().setKeepAlive(true).setConnectTimeout((int) Math.min(Integer.MAX_VALUE, timeoutMs)),
        new PoolOptions().setHttp1MaxSize(1));
  }

  @Override
  public void send(byte[] body, int spans, Consumer<Outcome> done) {
    Buffer payload = Buffer.buffer(gzip ? gzip(body) : body);
    context.runOnContext(v -> client.request(new RequestOptions()
            .setMethod(HttpMethod.POST).setHost(host).setPort(port).setURI(path).setTimeout(timeoutMs))
        .compose(req -> {
          req.putHeader("Content-Type", contentType);
          if (gzip) {
            req.putHeader("Content-Encoding", "gzip");
          }
          return req.send(payload);
        })
        .compose(resp -> resp.body().map(b -> {
          if (resp.statusCode() / 100 != 2) {
            return Outcome.failed(endpoint + " answered HTTP " + resp.statusCode() + ": "
                + b.toString().substring(0, Math.min(200, b.length())));
          }
          long rejected = rejectedSpans(b, resp.getHeader("Content-Type"));
          return rejected > 0 ? Outcome.failed("partial success: " + rejected + " spans rejected") : Outcome.OK;
        }))
        .onComplete(ar -> done.accept(ar.succeeded() ? ar.result() : Outcome.failed(String.valueOf(ar.cause())))));
  }

  /** {@code partial_success.rejected_spans} of an ExportTraceServiceResponse, protobuf or JSON. */
  static long rejectedSpans(Buffer body, String contentType) {
    if (body == null || body.length() == 0) {
      return 0;
    }
    if (contentType != null && contentType.contains("json")) {
      try {
        JsonObject ps = new JsonObject(body).getJsonObject("partialSuccess");
        Object n = ps == null ? null : ps.getValue("rejectedSpans");
        return n == null ? 0 : Long.parseLong(n.toString());
      } catch (RuntimeException e) {
        return 0;
      }
    }
    try {
      // A response with a body is rare (only partial success fills it): the generated class is fine here.
      return ExportTraceServiceResponse.parseFrom(body.getBytes()).getPartialSuccess().getRejectedSpans();
    } catch (InvalidProtocolBufferException e) {
      return 0;
    }
  }

  private static byte[] gzip(byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(body.length / 4 + 64);
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  @Override
  public String endpoint() {
    return endpoint;
  }

  @Override
  public Future<Void> close() {
    return client.close();
  }
}

package io.tailshard.common.exporter.otlphttp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.exporter.Destination;
import io.tailshard.common.exporter.SendResult;
import io.tailshard.common.otlp.json.OtlpJsonWriter;
import io.tailshard.common.otlp.wire.PartialSuccess;
import io.tailshard.common.service.Version;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientAgent;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Posts OTLP export requests (traces to {@code /v1/traces}, or metrics to {@code /v1/metrics}: the
 * URL and the message type are the sender's) to one OTLP/HTTP destination and classifies the answer as the OTLP
 * specification asks: 2xx is sent (a {@code partial_success} in the body counts rejected spans);
 * 429, 502, 503 and 504 are retryable, after the {@code Retry-After} the server gave (seconds or an
 * HTTP date); any other status is permanent (400: the request can never be taken); a connection
 * failure or a request over {@code timeout} is retryable.
 *
 * <p>Encoding to JSON and compressing, which take milliseconds for a large batch, run on a small
 * named worker pool, not on the event loop. Thread-safe; one HTTP/1.1 connection pool per sender.
 */
final class OtlpHttpSender implements Destination {
  /** Error bodies beyond this are not read into the log message. */
  static final int MAX_ERROR_BODY = 64 << 10;
  /** Connections kept to the destination: enough for the queue's default 10 lanes. */
  static final int MAX_CONNECTIONS = 16;
  private static final JsonFactory JSON = JsonFactory.builder().build();
  private static final String USER_AGENT = "tailshard/" + Version.current();

  private final Vertx vertx;
  private final OtlpHttpExporterConfig config;
  private final HttpClientAgent client;
  private final WorkerExecutor encoders;
  private final String url;
  private final Descriptor type;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** A sender of traces to {@code tracesUrl}. */
  OtlpHttpSender(Vertx vertx, OtlpHttpExporterConfig config) {
    this(vertx, config, config.tracesUrl().toString(), ExportTraceServiceRequest.getDescriptor());
  }

  /** A sender of {@code type} requests (for the JSON encoding) to {@code url}. */
  OtlpHttpSender(Vertx vertx, OtlpHttpExporterConfig config, String url, Descriptor type) {
    this.vertx = vertx;
    this.config = config;
    this.url = url;
    this.type = type;
    HttpClientOptions http = new HttpClientOptions()
        .setKeepAlive(true)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.timeout().toMillis()))
        .setDecompressionSupported(true);
    config.tls().applyTo(http);
    this.client = vertx.createHttpClient(http, new PoolOptions().setHttp1MaxSize(MAX_CONNECTIONS));
    this.encoders = vertx.createSharedWorkerExecutor("tailshard-otlphttp-encoder", 2);
  }

  @Override
  public Future<SendResult> send(TraceData data) {
    if (closed.get()) {
      return Future.succeededFuture(SendResult.retryable("exporter to " + url + " is closed", Duration.ZERO));
    }
    Future<byte[]> body = config.encoding() == OtlpHttpExporterConfig.Encoding.PROTO
        && config.compression() == OtlpHttpExporterConfig.Compression.NONE
        ? Future.succeededFuture(data.toByteArray())
        : encoders.executeBlocking(() -> encode(data), false);
    return body.compose(this::post, err -> Future.succeededFuture(
        SendResult.permanent("cannot encode the request for " + url + ": " + err.getMessage())));
  }

  /** The body as configured: JSON or protobuf, then compressed. */
  private byte[] encode(TraceData data) throws IOException {
    byte[] raw;
    if (config.encoding() == OtlpHttpExporterConfig.Encoding.JSON) {
      ByteArrayOutputStream json = new ByteArrayOutputStream(data.length() * 2);
      OtlpJsonWriter.write(type, data.array(), data.offset(), data.length(), json);
      raw = json.toByteArray();
    } else {
      raw = data.toByteArray();
    }
    if (config.compression() == OtlpHttpExporterConfig.Compression.NONE) {
      return raw;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length / 4 + 64);
    try (OutputStream z = compressor(out)) {
      z.write(raw);
    }
    return out.toByteArray();
  }

  private OutputStream compressor(OutputStream out) throws IOException {
    switch (config.compression()) {
      case GZIP:
        return new GZIPOutputStream(out, 8192);
      case ZLIB:
        // HTTP's "deflate" is the zlib format (RFC 9110); "zlib" names the same bytes.
      case DEFLATE:
        return new DeflaterOutputStream(out, new Deflater(Deflater.DEFAULT_COMPRESSION, false), 8192);
      default:
        return out;
    }
  }

  private Future<SendResult> post(byte[] body) {
    Promise<SendResult> result = Promise.promise();
    RequestOptions options = new RequestOptions()
        .setMethod(HttpMethod.POST)
        .setAbsoluteURI(url)
        .setConnectTimeout(config.timeout().toMillis());
    for (Map.Entry<String, String> h : config.headers().entrySet()) {
      options.putHeader(h.getKey(), h.getValue());
    }
    options.putHeader("Content-Type", config.encoding() == OtlpHttpExporterConfig.Encoding.JSON
        ? "application/json" : "application/x-protobuf");
    options.putHeader("User-Agent", USER_AGENT);
    switch (config.compression()) {
      case GZIP:
        options.putHeader("Content-Encoding", "gzip");
        break;
      case ZLIB:
        options.putHeader("Content-Encoding", "zlib");
        break;
      case DEFLATE:
        options.putHeader("Content-Encoding", "deflate");
        break;
      default:
    }
    HttpClientRequest[] request = new HttpClientRequest[1];
    // The whole exchange, connect to last body byte, within timeout; then the request is reset.
    long timer = vertx.setTimer(config.timeout().toMillis(), t -> {
      if (result.tryComplete(SendResult.retryable(url + ": no answer within " + config.timeout().toMillis() + "ms", Duration.ZERO))
          && request[0] != null) {
        request[0].reset();
      }
    });
    client.request(options)
        .compose(req -> {
          request[0] = req;
          return req.send(Buffer.buffer(body));
        })
        .compose(resp -> resp.body().map(b -> classify(resp, b)))
        .onComplete(ar -> {
          vertx.cancelTimer(timer);
          result.tryComplete(ar.succeeded() ? ar.result()
              : SendResult.retryable(url + ": " + ar.cause().getMessage(), Duration.ZERO));
        });
    return result.future();
  }

  SendResult classify(HttpClientResponse resp, Buffer body) {
    return classify(resp.statusCode(), resp.headers(), body);
  }

  /** What a status, its headers and its body mean to the sending queue. */
  SendResult classify(int status, MultiMap headers, Buffer body) {
    boolean json = String.valueOf(headers.get("Content-Type")).startsWith("application/json");
    if (status >= 200 && status < 300) {
      if (body == null || body.length() == 0) {
        return SendResult.sent(0, null);
      }
      byte[] b = body.getBytes();
      PartialSuccess p = json ? PartialSuccess.fromJson(b, 0, b.length) : PartialSuccess.fromProto(b, 0, b.length);
      return SendResult.sent(p.rejectedItems(), p.errorMessage());
    }
    String message = url + " answered HTTP " + status + statusMessage(body, json);
    switch (status) {
      case 429:
      case 502:
      case 503:
      case 504:
        return SendResult.retryable(message, retryAfter(headers.get("Retry-After")));
      default:
        return SendResult.permanent(message);
    }
  }

  /** Retry-After as delay-seconds or an HTTP date; zero (use the backoff) when absent or unreadable. */
  static Duration retryAfter(String value) {
    if (value == null || value.isBlank()) {
      return Duration.ZERO;
    }
    String v = value.trim();
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(v)));
    } catch (NumberFormatException e) {
      try {
        Duration d = Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException e2) {
        return Duration.ZERO;
      }
    }
  }

  /** The {@code message} of the google.rpc.Status an OTLP server sends with an error, if readable. */
  static String statusMessage(Buffer body, boolean json) {
    if (body == null || body.length() == 0) {
      return "";
    }
    byte[] b = body.getBytes(0, Math.min(body.length(), MAX_ERROR_BODY));
    try {
      if (json) {
        try (JsonParser p = JSON.createParser(b)) {
          if (p.nextToken() == JsonToken.START_OBJECT) {
            while (p.nextToken() == JsonToken.FIELD_NAME) {
              String name = p.currentName();
              JsonToken t = p.nextToken();
              if (name.equals("message") && t == JsonToken.VALUE_STRING) {
                return ": " + p.getText();
              }
              p.skipChildren();
            }
          }
        }
        return "";
      }
      CodedInputStream in = CodedInputStream.newInstance(b);
      int tag;
      while ((tag = in.readTag()) != 0) {
        if (tag == 0x12) {
          return ": " + in.readStringRequireUtf8();
        }
        in.skipField(tag);
      }
    } catch (IOException e) {
      // Not an OTLP status (a proxy's HTML page, say): the status code says enough.
    }
    return "";
  }

  @Override
  public Future<Void> closeAsync() {
    if (!closed.compareAndSet(false, true)) {
      return Future.succeededFuture();
    }
    return client.close().eventually(encoders::close);
  }
}

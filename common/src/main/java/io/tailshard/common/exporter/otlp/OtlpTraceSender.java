package io.tailshard.common.exporter.otlp;

import io.tailshard.common.component.TraceData;
import io.tailshard.common.exporter.SendResult;
import io.tailshard.common.otlp.wire.PartialSuccess;
import io.tailshard.common.exporter.Destination;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Sends OTLP trace requests, as raw bytes, to one OTLP/gRPC destination
 * ({@code TraceService/Export}), and classifies the answer the way the OTLP specification asks:
 * {@code UNAVAILABLE}, {@code CANCELLED}, {@code DEADLINE_EXCEEDED}, {@code ABORTED},
 * {@code OUT_OF_RANGE}, {@code DATA_LOSS} and connection failures are retryable;
 * {@code RESOURCE_EXHAUSTED} is retryable only when the server attached status details (where a
 * RetryInfo travels), because a message-size refusal would fail again; everything else is permanent.
 * Partial success in the response is reported as rejected spans.
 *
 * <p>Thread-safe; one HTTP/2 connection pool per sender.
 */
public final class OtlpTraceSender implements Destination, AutoCloseable {
  static final ServiceMethod<Buffer, Buffer> EXPORT = ServiceMethod.client(
      ServiceName.create("opentelemetry.proto.collector.trace.v1.TraceService"),
      "Export",
      GrpcMessageEncoder.IDENTITY,
      GrpcMessageDecoder.IDENTITY);

  /** Large enough for the biggest request a receiver accepts (4 MiB default) with headroom. */
  private static final long MAX_MESSAGE_SIZE = 64L << 20;

  private final GrpcClient client;
  private final SocketAddress address;
  private final OtlpClientConfig config;
  private final int gzipLevel;
  /** Per thread, a deflater and output array per gzip level (index = level), made on first use. */
  private static final ThreadLocal<Gzip[]> GZIP = ThreadLocal.withInitial(() -> new Gzip[10]);

  /** A sender that compresses at zlib's default level (6), as grpc-go's gzip does, when gzip is on. */
  public OtlpTraceSender(Vertx vertx, OtlpClientConfig config) {
    this(vertx, config, 6);
  }

  /**
   * A sender whose gzip (when {@code compression: gzip}) runs at {@code gzipLevel}: 1, fastest, to
   * 9; zlib's default is 6. Any level is plain gzip to the receiver.
   */
  public OtlpTraceSender(Vertx vertx, OtlpClientConfig config, int gzipLevel) {
    if (gzipLevel < 1 || gzipLevel > 9) {
      throw new IllegalArgumentException("gzip level must be 1 to 9: " + gzipLevel);
    }
    this.config = config;
    this.gzipLevel = gzipLevel;
    this.address = parseAddress(config.endpoint());
    HttpClientOptions http = new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.timeout().toMillis()))
        .setHttp2MultiplexingLimit(100);
    if (!config.tls().insecure()) {
      config.tls().applyTo(http.setUseAlpn(true));
    }
    GrpcClientOptions grpc = new GrpcClientOptions()
        .setScheduleDeadlineAutomatically(true)
        .setMaxMessageSize(MAX_MESSAGE_SIZE);
    this.client = GrpcClient.client(vertx, grpc, http);
  }

  /** {@code host:port}, {@code http://host:port} or {@code https://host:port}; port 4317 when absent. */
  static SocketAddress parseAddress(String endpoint) {
    String e = endpoint;
    int scheme = e.indexOf("://");
    if (scheme >= 0) {
      e = e.substring(scheme + 3);
    }
    int slash = e.indexOf('/');
    if (slash >= 0) {
      e = e.substring(0, slash);
    }
    String host = e;
    int port = 4317;
    if (e.startsWith("[")) {
      int close = e.indexOf(']');
      host = e.substring(1, close);
      if (close + 1 < e.length() && e.charAt(close + 1) == ':') {
        port = Integer.parseInt(e.substring(close + 2));
      }
    } else {
      int colon = e.lastIndexOf(':');
      if (colon >= 0) {
        host = e.substring(0, colon);
        port = Integer.parseInt(e.substring(colon + 1));
      }
    }
    return SocketAddress.inetSocketAddress(port, host);
  }

  public String endpoint() {
    return config.endpoint();
  }

  /** The metrics service's Export method, for the exporter in metrics pipelines. */
  static final ServiceMethod<Buffer, Buffer> EXPORT_METRICS = ServiceMethod.client(
      ServiceName.create("opentelemetry.proto.collector.metrics.v1.MetricsService"),
      "Export",
      GrpcMessageEncoder.IDENTITY,
      GrpcMessageDecoder.IDENTITY);

  /**
   * This sender as the destination of a metrics pipeline: batches are {@code ExportMetricsServiceRequest}
   * bytes sent to {@code MetricsService/Export} over the same connections; closing it closes this sender.
   */
  public Destination forMetrics() {
    return new Destination() {
      @Override
      public Future<SendResult> send(TraceData data) {
        return OtlpTraceSender.this.send(data.array(), data.offset(), data.length(), EXPORT_METRICS);
      }

      @Override
      public Future<Void> closeAsync() {
        return OtlpTraceSender.this.closeAsync();
      }
    };
  }

  @Override
  public Future<SendResult> send(TraceData data) {
    return send(data.array(), data.offset(), data.length(), EXPORT);
  }

  /** Sends one serialized request, gzip-compressed here when compression is on. */
  private Future<SendResult> send(byte[] b, int off, int len, ServiceMethod<Buffer, Buffer> method) {
    if (config.gzip()) {
      Gzip[] perLevel = GZIP.get();
      Gzip g = perLevel[gzipLevel];
      if (g == null) {
        g = perLevel[gzipLevel] = new Gzip(gzipLevel);
      }
      return send(g.compress(b, off, len), true, method);
    }
    Buffer body = Buffer.buffer(len);
    body.appendBytes(b, off, len);
    return send(body, false, method);
  }

  /** The gzip level this sender compresses at (when compression is on). */
  public int gzipLevel() {
    return gzipLevel;
  }

  /**
   * gzip (RFC 1952) with a reused {@link Deflater}: the message is compressed here, once, and handed
   * to the gRPC client already encoded. Vert.x's own encoder builds a Netty channel pipeline per
   * message and only compresses at level 6.
   */
  static final class Gzip {
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};
    private final Deflater deflater;
    private final CRC32 crc = new CRC32();
    private byte[] out = new byte[64 * 1024];

    Gzip(int level) {
      this.deflater = new Deflater(level, true);
    }

    Buffer compress(byte[] b, int off, int len) {
      deflater.reset();
      deflater.setInput(b, off, len);
      deflater.finish();
      if (out.length < len / 2 + 64) {
        out = new byte[len / 2 + 64];
      }
      System.arraycopy(HEADER, 0, out, 0, HEADER.length);
      int n = HEADER.length;
      while (!deflater.finished()) {
        if (n == out.length) {
          out = java.util.Arrays.copyOf(out, out.length * 2);
        }
        n += deflater.deflate(out, n, out.length - n);
      }
      crc.reset();
      crc.update(b, off, len);
      Buffer body = Buffer.buffer(n + 8);
      body.appendBytes(out, 0, n);
      body.appendIntLE((int) crc.getValue());
      body.appendIntLE(len);
      return body;
    }
  }

  /**
   * Sends one request message to {@code method} of the destination; {@code compressed}: the body is
   * already gzip and goes out as such ({@code grpc-encoding: gzip}). Both OTLP services answer
   * with the same shape ({@code partial_success} with a rejected count and a message), so the
   * classification is shared.
   */
  private Future<SendResult> send(Buffer body, boolean compressed, ServiceMethod<Buffer, Buffer> method) {
    Promise<SendResult> result = Promise.promise();
    client.request(address, method).onComplete(ar -> {
      if (ar.failed()) {
        result.complete(SendResult.retryable("cannot connect to " + config.endpoint() + ": " + ar.cause().getMessage(), Duration.ZERO));
        return;
      }
      GrpcClientRequest<Buffer, Buffer> req = ar.result();
      req.timeout(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
      for (Map.Entry<String, String> h : config.headers().entrySet()) {
        req.headers().set(h.getKey(), h.getValue());
      }
      Future<io.vertx.grpc.client.GrpcClientResponse<Buffer, Buffer>> sent;
      if (compressed) {
        req.encoding("gzip");
        req.endMessage(GrpcMessage.message("gzip", body));
        sent = req.response();
      } else {
        sent = req.send(body);
      }
      sent.onComplete(rr -> {
        if (rr.failed()) {
          result.complete(SendResult.retryable(config.endpoint() + ": " + rr.cause(), Duration.ZERO));
          return;
        }
        var resp = rr.result();
        Buffer[] message = new Buffer[1];
        resp.handler(b -> message[0] = b);
        resp.exceptionHandler(err -> result.tryComplete(SendResult.retryable(config.endpoint() + ": " + err, Duration.ZERO)));
        resp.endHandler(v -> result.tryComplete(classify(resp.status(), resp.statusMessage(),
            resp.trailers() != null && resp.trailers().contains("grpc-status-details-bin"), message[0])));
      });
    });
    return result.future();
  }

  SendResult classify(GrpcStatus status, String statusMessage, boolean hasDetails, Buffer response) {
    String msg = config.endpoint() + " answered " + status + (statusMessage == null ? "" : ": " + statusMessage);
    switch (status) {
      case OK:
        return partialSuccess(response);
      case UNAVAILABLE:
      case CANCELLED:
      case DEADLINE_EXCEEDED:
      case ABORTED:
      case OUT_OF_RANGE:
      case DATA_LOSS:
        return SendResult.retryable(msg, Duration.ZERO);
      case RESOURCE_EXHAUSTED:
        return hasDetails ? SendResult.retryable(msg, Duration.ZERO) : SendResult.permanent(msg);
      default:
        return SendResult.permanent(msg);
    }
  }

  /** Reads {@code partial_success} from the response bytes: rejected spans are counted, not retried. */
  static SendResult partialSuccess(Buffer response) {
    if (response == null || response.length() == 0) {
      return SendResult.sent(0, null);
    }
    byte[] b = response.getBytes();
    PartialSuccess p = PartialSuccess.fromProto(b, 0, b.length);
    return SendResult.sent(p.rejectedItems(), p.errorMessage());
  }

  @Override
  public void close() {
    client.close();
  }

  @Override
  public Future<Void> closeAsync() {
    return client.close();
  }
}

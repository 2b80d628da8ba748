package io.tailshard.common.exporter.otlp;

import io.tailshard.common.component.TraceData;
import io.tailshard.common.exporter.SendResult;
import io.tailshard.common.exporter.SendingQueue;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

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
public final class OtlpTraceSender implements SendingQueue.Sender, AutoCloseable {
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

  public OtlpTraceSender(Vertx vertx, OtlpClientConfig config) {
    this.config = config;
    this.address = parseAddress(config.endpoint());
    HttpClientOptions http = new HttpClientOptions()
        .setProtocolVersion(HttpVersion.HTTP_2)
        .setHttp2ClearTextUpgrade(false)
        .setConnectTimeout((int) Math.min(Integer.MAX_VALUE, config.timeout().toMillis()))
        .setHttp2MultiplexingLimit(100);
    OtlpClientConfig.Tls tls = config.tls();
    if (!tls.insecure()) {
      http.setSsl(true).setUseAlpn(true).setTrustAll(tls.insecureSkipVerify());
      if (tls.caFile() != null) {
        http.setTrustOptions(new PemTrustOptions().addCertPath(tls.caFile()));
      }
      if (tls.certFile() != null) {
        http.setKeyCertOptions(new PemKeyCertOptions().setCertPath(tls.certFile()).setKeyPath(tls.keyFile()));
      }
      if (tls.serverNameOverride() != null) {
        http.setVerifyHost(false);
      }
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

  /** The metrics service's Export method, for {@link OtlpMetricsExporter}. */
  static final ServiceMethod<Buffer, Buffer> EXPORT_METRICS = ServiceMethod.client(
      ServiceName.create("opentelemetry.proto.collector.metrics.v1.MetricsService"),
      "Export",
      GrpcMessageEncoder.IDENTITY,
      GrpcMessageDecoder.IDENTITY);

  @Override
  public Future<SendResult> send(TraceData data) {
    Buffer body = Buffer.buffer(data.length());
    body.appendBytes(data.array(), data.offset(), data.length());
    return send(body, EXPORT);
  }

  /**
   * Sends one serialized request to {@code method} of the destination. Both OTLP services answer
   * with the same shape ({@code partial_success} with a rejected count and a message), so the
   * classification is shared.
   */
  Future<SendResult> send(Buffer body, ServiceMethod<Buffer, Buffer> method) {
    Promise<SendResult> result = Promise.promise();
    client.request(address, method).onComplete(ar -> {
      if (ar.failed()) {
        result.complete(SendResult.retryable("cannot connect to " + config.endpoint() + ": " + ar.cause().getMessage(), Duration.ZERO));
        return;
      }
      GrpcClientRequest<Buffer, Buffer> req = ar.result();
      req.timeout(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
      if (config.gzip()) {
        req.encoding("gzip");
      }
      for (Map.Entry<String, String> h : config.headers().entrySet()) {
        req.headers().set(h.getKey(), h.getValue());
      }
      req.send(body).onComplete(rr -> {
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

  /** Reads {@code partial_success.rejected_spans} and {@code error_message} from the response bytes. */
  static SendResult partialSuccess(Buffer response) {
    if (response == null || response.length() == 0) {
      return SendResult.sent(0, null);
    }
    byte[] b = response.getBytes();
    int p = 0;
    while (p < b.length) {
      int tag = b[p++] & 0xFF;
      if (tag != 0x0A) {
        // Not partial_success (field 1, LEN): nothing else is defined in the response.
        return SendResult.sent(0, null);
      }
      int[] len = readVarint(b, p);
      p = len[1];
      int end = Math.min(b.length, p + len[0]);
      long rejected = 0;
      String message = null;
      while (p < end) {
        int t = b[p++] & 0xFF;
        if (t == 0x08) {
          int[] v = readVarint(b, p);
          rejected = v[0];
          p = v[1];
        } else if (t == 0x12) {
          int[] l = readVarint(b, p);
          message = new String(b, l[1], Math.min(l[0], end - l[1]), StandardCharsets.UTF_8);
          p = l[1] + l[0];
        } else {
          break;
        }
      }
      return SendResult.sent(rejected, message);
    }
    return SendResult.sent(0, null);
  }

  private static int[] readVarint(byte[] b, int p) {
    int v = 0;
    int shift = 0;
    while (p < b.length) {
      byte x = b[p++];
      if (shift < 32) {
        v |= (x & 0x7F) << shift;
      }
      shift += 7;
      if (x >= 0) {
        break;
      }
    }
    return new int[] {v, p};
  }

  @Override
  public void close() {
    client.close();
  }

  public Future<Void> closeAsync() {
    return client.close();
  }
}

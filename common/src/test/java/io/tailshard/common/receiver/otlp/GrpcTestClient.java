package io.tailshard.common.receiver.otlp;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import java.util.concurrent.TimeUnit;

/**
 * A raw-bytes OTLP/gRPC client on Vert.x gRPC 5, for tests: the same identity-codec registration
 * the receiver uses, on the client side.
 */
final class GrpcTestClient implements AutoCloseable {
  static final ServiceMethod<Buffer, Buffer> EXPORT = ServiceMethod.client(
      GrpcIngestVerticle.TRACE_SERVICE, "Export", GrpcMessageEncoder.IDENTITY, GrpcMessageDecoder.IDENTITY);

  /**
   * What came back: status, message, trailers (for a trailers-only answer, the headers, where gRPC
   * puts the trailers then), and the response message when OK.
   */
  record Result(GrpcStatus status, String message, MultiMap trailers, Buffer body) {}

  private final GrpcClient client;
  private final HttpClient http;
  private final SocketAddress server;

  GrpcTestClient(Vertx vertx, int port) {
    this.client = GrpcClient.client(vertx);
    this.http = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_2).setHttp2ClearTextUpgrade(false));
    this.server = SocketAddress.inetSocketAddress(port, "127.0.0.1");
  }

  /**
   * Sends one gRPC frame by hand over HTTP/2: for what the Vert.x client will not send (an
   * encoding it does not know). Returns grpc-status and grpc-message.
   */
  Result exportRaw(String encoding, boolean compressedFlag, byte[] payload) throws Exception {
    Buffer frame = Buffer.buffer().appendByte((byte) (compressedFlag ? 1 : 0)).appendInt(payload.length).appendBytes(payload);
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setServer(server)
        .setURI("/" + EXPORT.fullMethodName())
        .putHeader("content-type", "application/grpc").putHeader("te", "trailers").putHeader("grpc-encoding", encoding);
    return await(http.request(options).compose(req -> req.send(frame)).compose(resp -> resp.body().map(body -> {
      MultiMap meta = resp.trailers().contains("grpc-status") ? resp.trailers() : resp.headers();
      return new Result(GrpcStatus.valueOf(Integer.parseInt(meta.get("grpc-status"))), meta.get("grpc-message"), meta, body);
    })));
  }

  /** Sends {@code body}, compressed by the client with {@code encoding} ("identity" or "gzip"). */
  Result export(byte[] body, String encoding) throws Exception {
    return await(client.request(server, EXPORT).compose(req -> {
      req.encoding(encoding);
      req.end(Buffer.buffer(body));
      return collect(req.response());
    }));
  }

  Result export(byte[] body) throws Exception {
    return export(body, "identity");
  }

  /** Sends an already compressed message as is, with {@code grpc-encoding: encoding}. */
  Result exportPrecompressed(byte[] compressed, String encoding) throws Exception {
    return await(client.request(server, EXPORT).compose(req -> {
      req.encoding(encoding);
      req.endMessage(GrpcMessage.message(encoding, Buffer.buffer(compressed)));
      return collect(req.response());
    }));
  }

  private static Future<Result> collect(Future<io.vertx.grpc.client.GrpcClientResponse<Buffer, Buffer>> response) {
    return response.compose(resp -> {
      Buffer body = Buffer.buffer();
      resp.handler(body::appendBuffer);
      return resp.end().transform(ar -> {
        MultiMap meta = resp.trailers().contains("grpc-status") ? resp.trailers() : resp.headers();
        return Future.succeededFuture(new Result(resp.status(), resp.statusMessage(), meta, body));
      });
    });
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    client.close().toCompletionStage().toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
    http.close().toCompletionStage().toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
  }
}

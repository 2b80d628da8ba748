package io.tailshard.common.receiver.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tailshard.common.component.ComponentId;
import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.Host;
import io.tailshard.common.telemetry.Telemetry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.grpc.common.GrpcStatus;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class OtlpReceiverLifecycleTest {
  private static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      return s.getLocalPort();
    }
  }

  private static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  private static OtlpReceiver create(String yaml, RecordingConsumer consumer) {
    ComponentSettings s = new ComponentSettings(ComponentId.of("otlp"), ComponentKind.RECEIVER, vertx, Telemetry.forTests("t"), Host.empty());
    return (OtlpReceiver) new OtlpReceiverFactory().createTracesReceiver(s, ReceiverFixture.config(yaml), consumer);
  }

  private static HttpResponse<byte[]> post(HttpClient http, int port) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/traces"))
            .header("Content-Type", "application/x-protobuf")
            .POST(HttpRequest.BodyPublishers.ofByteArray(OtlpHttpReceiverTest.sample().toByteArray())).build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void onAFixedPortSeveralServersShareItAndAllServe() throws Exception {
    int grpcPort = freePort();
    int httpPort = freePort();
    RecordingConsumer consumer = new RecordingConsumer();
    OtlpReceiver r = create("protocols:\n  grpc:\n    endpoint: 127.0.0.1:" + grpcPort + "\n  http:\n    endpoint: 127.0.0.1:" + httpPort + "\n", consumer);
    await(r.start());
    try {
      assertEquals(grpcPort, r.grpcPort());
      assertEquals(httpPort, r.httpPort());
      for (int i = 0; i < 6; i++) {
        // A new client, so a new connection, each time: connections are spread over the servers.
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        assertEquals(200, post(http, httpPort).statusCode());
        try (GrpcTestClient grpc = new GrpcTestClient(vertx, grpcPort)) {
          assertEquals(GrpcStatus.OK, grpc.export(OtlpHttpReceiverTest.sample().toByteArray()).status());
        }
      }
      assertEquals(12, consumer.received().size());
    } finally {
      await(r.shutdown());
    }
    try (ServerSocket s = new ServerSocket(httpPort, 1, InetAddress.getByName("127.0.0.1"))) {
      assertEquals(httpPort, s.getLocalPort(), "the port is free after shutdown");
    }
  }

  @Test
  void aStartThatCannotBindFailsNamingTheEndpointAndLeavesNothingListening() throws Exception {
    int grpcPort = freePort();
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      OtlpReceiver r = create("protocols:\n  grpc:\n    endpoint: 127.0.0.1:" + grpcPort
          + "\n  http:\n    endpoint: 127.0.0.1:" + taken.getLocalPort() + "\n", new RecordingConsumer());
      ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> await(r.start()));
      assertTrue(e.getCause().getMessage().contains("http endpoint 127.0.0.1:" + taken.getLocalPort()), e.getCause().getMessage());
      assertEquals(-1, r.grpcPort());
      // The listening socket of the rolled-back gRPC server is released as Netty closes its
      // channel, which can trail the undeploy by a moment: poll for a bounded time.
      assertEquals(grpcPort, bindWithin(grpcPort, 5_000), "the gRPC server that did bind was closed again");
      await(r.shutdown());
    }
  }

  private static int bindWithin(int port, long millis) throws Exception {
    long deadline = System.currentTimeMillis() + millis;
    while (true) {
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
        return s.getLocalPort();
      } catch (java.net.BindException e) {
        if (System.currentTimeMillis() > deadline) {
          throw e;
        }
        Thread.sleep(20);
      }
    }
  }

  @Test
  void shutdownLetsARequestInFlightFinish() throws Exception {
    RecordingConsumer consumer = new RecordingConsumer();
    OtlpReceiver r = create("protocols:\n  http:\n    endpoint: 127.0.0.1:0\n", consumer);
    await(r.start());
    consumer.mode(RecordingConsumer.Mode.HOLD);
    HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    int port = r.httpPort();
    CompletableFuture<HttpResponse<byte[]>> inFlight = CompletableFuture.supplyAsync(() -> {
      try {
        return post(http, port);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (consumer.received().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    Future<Void> stopped = r.shutdown();
    Thread.sleep(200);
    assertFalse(stopped.isComplete(), "shutdown waits for the request in flight");
    consumer.releaseHeld();
    assertEquals(200, inFlight.get(10, TimeUnit.SECONDS).statusCode());
    await(stopped);
  }
}

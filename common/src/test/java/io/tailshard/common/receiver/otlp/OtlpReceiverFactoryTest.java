package io.tailshard.common.receiver.otlp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tailshard.common.component.ComponentId;
import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.Host;
import io.tailshard.common.config.ConfigException;
import io.tailshard.common.telemetry.Telemetry;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OtlpReceiverFactoryTest {

  private static OtlpReceiverConfig parse(String yaml) {
    return ReceiverFixture.config(yaml);
  }

  private static ConfigException fails(String yaml) {
    return assertThrows(ConfigException.class, () -> parse(yaml));
  }

  @Test
  void emptyProtocolBlocksMeanEnabledWithTheCollectorsDefaults() {
    OtlpReceiverConfig c = parse("protocols:\n  grpc:\n  http:\n");
    assertEquals("0.0.0.0", c.grpc().endpoint().host());
    assertEquals(4317, c.grpc().endpoint().port());
    assertEquals(4, c.grpc().maxRecvMsgSizeMib());
    assertEquals(4L << 20, c.grpc().maxRecvMsgSizeBytes());
    assertEquals(4318, c.http().endpoint().port());
    assertEquals("/v1/traces", c.http().tracesUrlPath());
    assertEquals(20L << 20, c.http().maxRequestBodySize());
    assertNull(c.http().cors());
    assertEquals(Set.of("", "gzip", "zlib", "deflate"), c.http().compressionAlgorithms());
    assertEquals(OtlpReceiverFactory.DEFAULT_MAX_IN_FLIGHT_REQUESTS, c.maxInFlightRequests());
    assertEquals(OtlpReceiverFactory.DEFAULT_MAX_IN_FLIGHT_BYTES, c.maxInFlightBytes());
  }

  @Test
  void anAbsentProtocolIsDisabled() {
    OtlpReceiverConfig c = parse("protocols:\n  http:\n");
    assertNull(c.grpc());
    assertNotNull(c.http());
  }

  @Test
  void noProtocolAtAllIsAConfigError() {
    assertTrue(fails("").getMessage().contains("protocols"), "names the key");
    assertTrue(fails("protocols:\n").getMessage().contains("enable at least one protocol"));
  }

  @Test
  void theSeedsReceiverBlockLoads() {
    OtlpReceiverConfig c = parse(String.join("\n",
        "protocols:",
        "  grpc:",
        "    endpoint: 0.0.0.0:4317",
        "  http:",
        "    endpoint: 0.0.0.0:4318",
        "    cors:",
        "      allowed_origins:",
        "        - 'http://*'",
        "        - 'https://*'",
        ""));
    assertEquals(List.of("http://*", "https://*"), c.http().cors().allowedOrigins());
  }

  @Test
  void everyCollectorOptionIsRead() {
    OtlpReceiverConfig c = parse(String.join("\n",
        "protocols:",
        "  grpc:",
        "    endpoint: '[::1]:14317'",
        "    transport: tcp",
        "    max_recv_msg_size_mib: 16",
        "    max_concurrent_streams: 50",
        "    read_buffer_size: 524288",
        "    write_buffer_size: 0",
        "    include_metadata: true",
        "    keepalive:",
        "      server_parameters:",
        "        max_connection_idle: 11s",
        "        max_connection_age: 30s",
        "        max_connection_age_grace: 5s",
        "        time: 30s",
        "        timeout: 5s",
        "      enforcement_policy:",
        "        min_time: 10s",
        "        permit_without_stream: true",
        "  http:",
        "    endpoint: 127.0.0.2:0",
        "    traces_url_path: ingest/traces",
        "    max_request_body_size: 1MiB",
        "    include_metadata: true",
        "    response_headers:",
        "      X-Node: a",
        "    compression_algorithms: ['', gzip]",
        "    idle_timeout: 1m",
        "    read_header_timeout: 10s",
        "    cors:",
        "      allowed_origins: ['https://*.example.com']",
        "      allowed_headers: ['X-Custom']",
        "      max_age: 7200",
        "max_in_flight_requests: 10",
        "max_in_flight_bytes: 64MiB",
        ""));
    assertEquals("::1", c.grpc().endpoint().host());
    assertEquals(14317, c.grpc().endpoint().port());
    assertEquals(16, c.grpc().maxRecvMsgSizeMib());
    assertEquals(50, c.grpc().maxConcurrentStreams());
    assertTrue(c.grpc().includeMetadata());
    assertEquals(Duration.ofSeconds(11), c.grpc().maxConnectionIdle());
    assertEquals(Duration.ofSeconds(30), c.grpc().maxConnectionAge());
    assertEquals(Duration.ofSeconds(5), c.grpc().maxConnectionAgeGrace());
    assertEquals("127.0.0.2", c.http().endpoint().host());
    assertEquals("/ingest/traces", c.http().tracesUrlPath(), "a missing slash is added, as in the Collector");
    assertEquals(1L << 20, c.http().maxRequestBodySize());
    assertEquals(Map.of("X-Node", "a"), c.http().responseHeaders());
    assertEquals(Set.of("", "gzip"), c.http().compressionAlgorithms());
    assertEquals(Duration.ofMinutes(1), c.http().idleTimeout());
    assertEquals(7200, c.http().cors().maxAgeSeconds());
    assertEquals(10, c.maxInFlightRequests());
    assertEquals(64L << 20, c.maxInFlightBytes());
  }

  @Test
  void zeroSizesMeanTheDefaults() {
    OtlpReceiverConfig c = parse("protocols:\n  grpc:\n    max_recv_msg_size_mib: 0\n  http:\n    max_request_body_size: 0\n");
    assertEquals(4, c.grpc().maxRecvMsgSizeMib());
    assertEquals(20L << 20, c.http().maxRequestBodySize());
  }

  @Test
  void unknownKeysFailWithTheirPathAndTheAllowedKeys() {
    ConfigException e = fails("protocols:\n  grpc:\n    endpoitn: 0.0.0.0:4317\n");
    assertEquals("protocols.grpc.endpoitn", e.path());
    assertTrue(e.getMessage().contains("allowed:") && e.getMessage().contains("endpoint"), e.getMessage());
    assertEquals("protocols.thrift", fails("protocols:\n  thrift:\n").path());
    assertEquals("protocols.http.cors.allowed_methods", fails("protocols:\n  http:\n    cors:\n      allowed_methods: [GET]\n").path());
    assertEquals("extra", fails("protocols:\n  http:\nextra: 1\n").path());
  }

  @Test
  void badValuesFailWithTheirPath() {
    assertEquals("protocols.grpc.endpoint", fails("protocols:\n  grpc:\n    endpoint: localhost\n").path());
    assertEquals("protocols.grpc.endpoint", fails("protocols:\n  grpc:\n    endpoint: host:70000\n").path());
    assertEquals("protocols.grpc.transport", fails("protocols:\n  grpc:\n    transport: unix\n").path());
    assertEquals("protocols.grpc.tls", fails("protocols:\n  grpc:\n    tls:\n      cert_file: a.pem\n").path());
    assertEquals("protocols.http.compression_algorithms", fails("protocols:\n  http:\n    compression_algorithms: [zstd]\n").path());
    assertEquals("protocols.http.cors.allowed_origins", fails("protocols:\n  http:\n    cors:\n      allowed_origins: ['http://*.*']\n").path());
    assertEquals("protocols.grpc", fails("protocols:\n  grpc: yes\n").path());
  }

  @Test
  void corsWithoutOriginsIsOff() {
    assertNull(parse("protocols:\n  http:\n    cors:\n      allowed_headers: [X-A]\n").http().cors());
  }

  @Test
  void endpointsParseAsInGo() {
    assertEquals(new OtlpReceiverConfig.Endpoint("0.0.0.0", 4317), OtlpReceiverConfig.Endpoint.parse(":4317"));
    assertEquals(new OtlpReceiverConfig.Endpoint("localhost", 1), OtlpReceiverConfig.Endpoint.parse("localhost:1"));
    assertEquals("[::1]:4317", OtlpReceiverConfig.Endpoint.parse("[::1]:4317").toString());
    assertThrows(IllegalArgumentException.class, () -> OtlpReceiverConfig.Endpoint.parse("::1:4317"));
  }

  @Test
  void createThenShutdownWithoutStart() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      ComponentSettings s = new ComponentSettings(ComponentId.of("otlp"), ComponentKind.RECEIVER, vertx, Telemetry.forTests("t"), Host.empty());
      OtlpReceiverFactory f = new OtlpReceiverFactory();
      assertEquals("otlp", f.type());
      assertEquals(ComponentKind.RECEIVER, f.kind());
      OtlpReceiver r = (OtlpReceiver) f.createTracesReceiver(s, parse("protocols:\n  grpc:\n    endpoint: 127.0.0.1:0\n"), d -> null);
      r.shutdown().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      r.shutdown().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
      assertEquals(-1, r.grpcPort());
      assertTrue(r.start().failed(), "a receiver that was shut down does not start again");
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    }
  }
}

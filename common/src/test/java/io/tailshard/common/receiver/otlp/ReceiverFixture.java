package io.tailshard.common.receiver.otlp;

import io.tailshard.common.component.ComponentId;
import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.Host;
import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.telemetry.Telemetry;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;

/** A started receiver with a recording consumer, on 127.0.0.1 ephemeral ports. */
final class ReceiverFixture implements AutoCloseable {
  final Telemetry telemetry = Telemetry.forTests("test");
  final RecordingConsumer consumer = new RecordingConsumer();
  final OtlpReceiver receiver;

  private ReceiverFixture(Vertx vertx, OtlpReceiverConfig config) throws Exception {
    ComponentSettings settings = new ComponentSettings(ComponentId.of("otlp"), ComponentKind.RECEIVER, vertx, telemetry, Host.empty());
    receiver = (OtlpReceiver) new OtlpReceiverFactory().createTracesReceiver(settings, config, consumer);
    receiver.start().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** Both protocols on 127.0.0.1:0, plus {@code extraYaml} lines at the receiver's top level. */
  static ReceiverFixture start(Vertx vertx, String yaml) throws Exception {
    return new ReceiverFixture(vertx, config(yaml));
  }

  static ReceiverFixture start(Vertx vertx) throws Exception {
    return start(vertx, "protocols:\n  grpc:\n    endpoint: 127.0.0.1:0\n  http:\n    endpoint: 127.0.0.1:0\n");
  }

  static OtlpReceiverConfig config(String yaml) {
    return new OtlpReceiverFactory().parseConfig(new ConfigLoader(name -> null).parse("test.yaml", yaml).asMap());
  }

  double counter(String name, String transport) {
    return telemetry.metrics().sum(name, "receiver", "otlp", "transport", transport);
  }

  double requests(String transport, Outcome outcome) {
    return telemetry.metrics().sum(ReceiverMetrics.REQUESTS, "transport", transport, "outcome", outcome.label());
  }

  @Override
  public void close() {
    consumer.releaseHeld();
    receiver.shutdown().toCompletionStage().toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).join();
  }
}

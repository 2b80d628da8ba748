package io.tailshard.loadtest.generate;

import io.tailshard.common.component.TraceData;
import io.tailshard.common.exporter.SendResult;
import io.tailshard.common.exporter.otlp.OtlpClientConfig;
import io.tailshard.common.exporter.otlp.OtlpTraceSender;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Map;
import java.util.function.Consumer;

/**
 * OTLP/gRPC through the product's {@link OtlpTraceSender} (raw request bytes, one HTTP/2
 * connection per sender), driven from one event-loop context so each connection stays on one
 * event loop. Partial success (rejected spans) counts as a failed request: which spans were
 * rejected is not said, so all of the request's spans become uncertain.
 */
final class GrpcTransport implements Transport {
  private final Context context;
  private final OtlpTraceSender sender;
  private final String endpoint;

  GrpcTransport(Vertx vertx, Context context, String endpoint, boolean gzip, Duration timeout) {
    this.context = context;
    this.endpoint = endpoint;
    this.sender = new OtlpTraceSender(vertx,
        new OtlpClientConfig(endpoint, OtlpClientConfig.Tls.PLAINTEXT, gzip, Map.of(), timeout));
  }

  @Override
  public void send(byte[] body, int spans, Consumer<Outcome> done) {
    TraceData data = new TraceData(body, spans);
    context.runOnContext(v -> sender.send(data).onComplete(ar -> {
      if (ar.failed()) {
        done.accept(Outcome.failed(String.valueOf(ar.cause())));
        return;
      }
      SendResult r = ar.result();
      if (!r.sent()) {
        done.accept(Outcome.failed(r.message()));
      } else if (r.rejectedSpans() > 0) {
        done.accept(Outcome.failed("partial success: " + r.rejectedSpans() + " spans rejected: " + r.message()));
      } else {
        done.accept(Outcome.OK);
      }
    }));
  }

  @Override
  public String endpoint() {
    return endpoint;
  }

  @Override
  public Future<Void> close() {
    return sender.closeAsync();
  }
}

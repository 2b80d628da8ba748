package io.tailshard.loadtest.generate;

import io.vertx.core.Future;
import java.util.function.Consumer;

/**
 * One connection to one OTLP endpoint. {@link #send} is called on the planner thread and returns at
 * once; the outcome is delivered on the connection's event loop. The generator never retries: a
 * retry would turn a receiver's slow answer into duplicates that the sink would blame on the
 * product. A failed request is reported, and its spans are marked uncertain in the ground truth.
 */
interface Transport {
  void send(byte[] body, int spans, Consumer<Outcome> done);

  String endpoint();

  Future<Void> close();

  /** What became of one request: accepted whole, or not (with why). */
  record Outcome(boolean ok, String error) {
    static final Outcome OK = new Outcome(true, null);

    static Outcome failed(String error) {
      return new Outcome(false, error);
    }
  }
}

package io.tailshard.common.component;

import io.vertx.core.Future;
import java.util.List;

/**
 * The lifecycle every component shares. {@link #start()} returns quickly (slow work continues in
 * the background and is reported through health); {@link #shutdown()} is idempotent, safe without
 * a prior start, and flushes what the component holds downstream before it completes.
 *
 * <p>Pipelines are started consumers-first (exporters before processors before receivers) and shut
 * down producers-first, so no component ever hands data to one that is not running.
 */
public interface Component {
  Future<Void> start();

  Future<Void> shutdown();

  /**
   * The addresses this component listens on once started, e.g. {@code grpc=0.0.0.0:4317}, with
   * the port actually bound when port 0 was asked. The service logs them at start. Empty for
   * components that listen on nothing (the default).
   */
  default List<String> endpoints() {
    return List.of();
  }
}

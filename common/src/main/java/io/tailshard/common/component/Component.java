package io.tailshard.common.component;

import io.vertx.core.Future;

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
}

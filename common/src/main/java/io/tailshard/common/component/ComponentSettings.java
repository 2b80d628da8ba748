package io.tailshard.common.component;

import io.tailshard.common.telemetry.Telemetry;
import io.vertx.core.Vertx;
import java.util.logging.Logger;

/**
 * What a factory hands to the component it creates: its id, the process's Vert.x, its telemetry,
 * the host (to find extensions such as storage), and a logger named after the component.
 */
public record ComponentSettings(ComponentId id, ComponentKind kind, Vertx vertx, Telemetry telemetry, Host host) {

  /** A logger named {@code tailshard.<kind>.<id>}. */
  public Logger logger() {
    return Logger.getLogger("tailshard." + kind.word() + "." + id);
  }
}

package io.tailshard.common.telemetry;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The node's readiness: ready when no component has declared itself not ready. Components report
 * with a short reason ("no backends in the ring", "store full"), which the health endpoint shows
 * in its 503 answer so an operator sees why. Thread-safe.
 */
public final class Health {
  private final Map<String, String> notReady = new ConcurrentHashMap<>();

  /** Marks {@code who} as not ready for {@code reason}; replaces an earlier reason of the same reporter. */
  public void notReady(String who, String reason) {
    notReady.put(who, reason);
  }

  /** Clears {@code who}'s not-ready reason. */
  public void ready(String who) {
    notReady.remove(who);
  }

  public boolean isReady() {
    return notReady.isEmpty();
  }

  /** The current reasons, by reporter, sorted. Empty when ready. */
  public Map<String, String> reasons() {
    return new TreeMap<>(notReady);
  }
}

package io.tailshard.common.component;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The in-process link between a sampler that decides which traces are kept (it {@linkplain #publish
 * publishes} their spans) and components that care (they {@linkplain #subscribe subscribe}). One
 * per running service, reached through {@link Host#keptTraces()}; nothing here knows either side.
 *
 * <p>Thread-safe. Publishing with no listener costs a volatile read and nothing else.
 */
public final class KeptTraces {
  private static final Logger LOG = Logger.getLogger(KeptTraces.class.getName());
  private static final KeptTraces NONE = new KeptTraces(false);

  /** What {@link #subscribe} returns: closing it ends the subscription. Idempotent. */
  @FunctionalInterface
  public interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  private final boolean connected;
  private final CopyOnWriteArrayList<KeptTracesListener> listeners = new CopyOnWriteArrayList<>();

  private KeptTraces(boolean connected) {
    this.connected = connected;
  }

  /** A new hub, for a service. */
  public static KeptTraces create() {
    return new KeptTraces(true);
  }

  /**
   * The hub of a component created outside a service (tests, tools): it keeps no subscriber and
   * publishing to it does nothing, so nothing leaks between unrelated components.
   */
  public static KeptTraces none() {
    return NONE;
  }

  /** Adds a listener until the returned subscription is closed. */
  public Subscription subscribe(KeptTracesListener listener) {
    if (!connected) {
      return () -> {};
    }
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** True when someone listens, so a sampler can skip building what it would publish. */
  public boolean hasListeners() {
    return !listeners.isEmpty();
  }

  /** Hands {@code kept} to every listener; a listener that throws is logged and the others still run. */
  public void publish(TraceData kept) {
    for (KeptTracesListener l : listeners) {
      try {
        l.keptTraces(kept);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "a kept-traces listener failed", e);
      }
    }
  }
}

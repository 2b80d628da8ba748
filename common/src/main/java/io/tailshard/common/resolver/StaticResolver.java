package io.tailshard.common.resolver;

import io.tailshard.common.telemetry.MetricRegistry;
import io.vertx.core.Future;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The fixed backends of {@code resolver.static}. {@link #start()} calls the listener once, on the
 * calling thread, with the sorted endpoints ({@code :4317} added where no port was written) and
 * counts one successful resolution and one backend update, as the Collector's static resolver
 * does. Like the Collector's, it cannot notice that a host died: pair it with health checks or
 * use {@code dns}. Thread-safe.
 */
public final class StaticResolver implements Resolver {
  static final String TYPE = "static";

  private final List<String> configured;
  private final Consumer<List<String>> listener;
  private final ResolverMetrics metrics;
  private final AtomicBoolean started = new AtomicBoolean();
  private volatile List<String> endpoints = List.of();

  public StaticResolver(StaticResolverConfig config, MetricRegistry metrics, Consumer<List<String>> listener) {
    this.configured = config.endpoints();
    this.listener = Objects.requireNonNull(listener, "listener");
    this.metrics = new ResolverMetrics(metrics, TYPE, () -> endpoints);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Future<Void> start() {
    if (started.compareAndSet(false, true)) {
      endpoints = configured;
      metrics.succeeded.inc();
      metrics.updates.inc();
      listener.accept(configured);
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> shutdown() {
    return Future.succeededFuture();
  }

  @Override
  public List<String> endpoints() {
    return endpoints;
  }
}

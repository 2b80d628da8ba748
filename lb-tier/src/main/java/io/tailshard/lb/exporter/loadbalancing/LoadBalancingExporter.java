package io.tailshard.lb.exporter.loadbalancing;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.RefusedException;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.component.TracesExporter;
import io.tailshard.common.exporter.SendResult;
import io.tailshard.common.exporter.otlp.OtlpTraceSender;
import io.tailshard.common.otlp.wire.AnyValues;
import io.tailshard.common.otlp.wire.TraceRequestIndex;
import io.tailshard.common.otlp.wire.TraceRequestWriter;
import io.tailshard.common.otlp.wire.WireFormatException;
import io.tailshard.common.resolver.Resolver;
import io.tailshard.common.ring.TraceIdRing;
import io.tailshard.common.telemetry.MetricRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Routes every span to the backend that owns its trace (or service) on a consistent-hash ring of
 * the live backends, through one bounded queue per backend.
 *
 * <p>What it does that the Collector's exporter does not (the operators' complaints):
 * <ul>
 *   <li>Admission is all-or-nothing: a request is split by owner and queued only if every owner's
 *       queue has room; otherwise the whole request is refused with a retryable status and nothing
 *       of it was queued, so the sender's retry never duplicates spans a backend already took.
 *   <li>A backend that keeps failing is taken out of the ring until a cool-down passes, and the
 *       batches it holds are re-split on the new ring instead of being retried against a dead node.
 *   <li>A backend that leaves the resolver's answer hands its queued batches back for re-routing
 *       instead of losing them.
 *   <li>Accepted data with nowhere to go (every backend down) is parked, bounded, and routed again
 *       every {@link #PARK_RETRY} until a backend is back; only past the bound is anything counted
 *       as failed.
 * </ul>
 *
 * <p>Thread-safety: {@link #consumeTraces} runs on any event loop; the per-thread index and
 * writer are confined with ThreadLocals; admission to the queues is serialized by one lock held for
 * the few microseconds of the room checks and offers.
 */
final class LoadBalancingExporter implements TracesExporter {
  private static final Duration PARK_RETRY = Duration.ofMillis(500);
  private static final Duration BACKEND_DRAIN = Duration.ofSeconds(10);
  private static final byte[] SERVICE_NAME = "service.name".getBytes(StandardCharsets.UTF_8);

  private final ComponentSettings settings;
  private final LoadBalancingConfig config;
  private final Logger log;
  private final String id;
  private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);
  private final Object admission = new Object();
  private final Map<String, Backend> backends = new LinkedHashMap<>();
  private final ArrayDeque<TraceData> parked = new ArrayDeque<>();
  /** Rebuilds not yet answered by an installed ring, and batches re-routed meanwhile; under admission. */
  private final List<Promise<Void>> waitingForRing = new ArrayList<>();
  private final List<TraceData> rerouteWhileBuilding = new ArrayList<>();
  private final MetricRegistry.Counter reroutedSpans;
  private final MetricRegistry.Counter parkOverflowSpans;
  private final long parkLimitSpans;
  private volatile Routing routing = Routing.EMPTY;
  private List<String> resolved = List.of();
  private Resolver resolver;
  private long parkTimer = -1;
  private long generation;
  private long parkedSpans;
  private boolean stopped;

  /** The live ring and the backend behind each of its positions. Immutable snapshot. */
  private record Routing(TraceIdRing ring, Backend[] byIndex) {
    static final Routing EMPTY = new Routing(null, new Backend[0]);

    boolean isEmpty() {
      return byIndex.length == 0;
    }
  }

  /** Per-thread reusable state for splitting requests. */
  private static final class Scratch {
    final TraceRequestIndex index = new TraceRequestIndex();
    final TraceRequestWriter writer = new TraceRequestWriter();
    int[] groupOf = new int[1024];
    int[] counts = new int[16];
  }

  LoadBalancingExporter(ComponentSettings settings, LoadBalancingConfig config) {
    this.settings = settings;
    this.config = config;
    this.log = settings.logger();
    this.id = settings.id().toString();
    MetricRegistry m = settings.telemetry().metrics();
    this.reroutedSpans = m.counter("tailshard_loadbalancer_rerouted_spans",
        "Spans re-routed to another backend after theirs failed or left the ring.", "exporter", id);
    this.parkOverflowSpans = m.counter("tailshard_loadbalancer_park_overflow_spans",
        "Accepted spans dropped because no backend was up and the park bound was reached.", "exporter", id);
    long perBackend = config.backendQueue().queueSize();
    this.parkLimitSpans = Math.max(100_000, perBackend * 1000);
    m.gauge("tailshard_loadbalancer_parked_spans", "Accepted spans waiting for any backend to come up.",
        this::parkedSpanCount, "exporter", id);
  }

  private synchronized long parkedSpanCount() {
    return parkedSpans;
  }

  @Override
  public Future<Void> start() {
    settings.telemetry().health().notReady(id, "no backends resolved yet");
    resolver = config.resolver().newResolver(settings.vertx(), settings.telemetry().metrics(), this::onEndpoints);
    return resolver.start();
  }

  /** The resolver's new answer: add backends, remove those gone (re-routing what they hold), rebuild. */
  private void onEndpoints(List<String> endpoints) {
    List<Backend> gone = new ArrayList<>();
    synchronized (admission) {
      if (stopped) {
        return;
      }
      resolved = List.copyOf(endpoints);
      for (String e : endpoints) {
        backends.computeIfAbsent(e, this::newBackend);
      }
      for (String e : new ArrayList<>(backends.keySet())) {
        if (!endpoints.contains(e)) {
          gone.add(backends.remove(e));
        }
      }
    }
    rebuildRouting().onComplete(v -> {
      // On the new ring, so the batches of a backend that left go to their new owners.
      for (Backend b : gone) {
        log.info("backend " + b.endpoint + " left the ring; re-routing what it holds");
        List<TraceData> held = b.queue.drain();
        held.forEach(this::reroute);
        b.remove(BACKEND_DRAIN);
      }
    });
  }

  private Backend newBackend(String endpoint) {
    OtlpTraceSender sender = new OtlpTraceSender(settings.vertx(), config.template().withEndpoint(endpoint),
        LoadBalancingConfig.GZIP_LEVEL);
    return new Backend(settings.vertx(), endpoint, sender, config, settings.telemetry().metrics(), id,
        (data, last) -> onGiveUp(endpoint, data, last), this::onHealthChanged);
  }

  private void onHealthChanged(Backend b) {
    synchronized (admission) {
      if (backends.get(b.endpoint) != b) {
        return;
      }
    }
    rebuildRouting().onComplete(v -> {
      // On the ring without it (or with it again), so what it held goes to the current owners.
      List<TraceData> held = b.isDown() ? b.queue.drain() : List.of();
      if (b.isDown()) {
        log.warning("backend " + b.endpoint + " is failing; out of the ring for now, re-routing "
            + held.size() + " queued batches");
      } else {
        log.info("backend " + b.endpoint + " back in the ring");
      }
      held.forEach(this::reroute);
      routeParked();
    });
  }

  /**
   * Rebuilds the ring from the backends that are up. Building takes tens of milliseconds of CPU, so
   * it runs on a worker thread, not on the event loop that asked (a resolver's or a backend's,
   * which has sends and answers to handle meanwhile), and outside the admission lock; a generation
   * number makes sure an older rebuild that finishes last does not replace a newer one. Requests
   * split on the old ring in the meantime are split again at admission (see
   * {@link #consumeTraces}); batches re-routed meanwhile wait for the new ring (see
   * {@link #reroute}). The future completes once the ring of this rebuild or of a newer one is in
   * place, on the thread that put it there (what follows it is thread-safe).
   */
  private Future<Void> rebuildRouting() {
    List<String> live = new ArrayList<>();
    long gen;
    Promise<Void> installed = Promise.promise();
    synchronized (admission) {
      for (Backend b : backends.values()) {
        if (!b.isDown()) {
          live.add(b.endpoint);
        }
      }
      gen = ++generation;
      waitingForRing.add(installed);
    }
    if (live.isEmpty()) {
      install(gen, Routing.EMPTY);
    } else {
      settings.vertx().executeBlocking(() -> TraceIdRing.of(live), false).onComplete(ar -> {
        if (ar.failed()) {
          // Not expected (the ring takes any non-empty endpoint list); keep the old ring.
          log.severe("rebuilding the ring failed: " + ar.cause());
          install(gen, null);
          return;
        }
        TraceIdRing ring = ar.result();
        List<String> order = ring.endpoints();
        Backend[] byIndex = new Backend[order.size()];
        synchronized (admission) {
          for (int i = 0; i < byIndex.length; i++) {
            byIndex[i] = backends.get(order.get(i));
          }
        }
        install(gen, new Routing(ring, byIndex));
      });
    }
    return installed.future();
  }

  /**
   * Puts a rebuilt ring in place unless a newer rebuild was started meanwhile; once the newest is in
   * place, routes what was re-routed while it was being built and completes every waiting rebuild.
   * {@code next} null: keep the current ring (a failed build), but still release the waiters.
   */
  private void install(long gen, Routing next) {
    List<TraceData> deferred;
    List<Promise<Void>> waiters;
    synchronized (admission) {
      if (gen != generation) {
        return;
      }
      if (next != null) {
        routing = next;
      }
      Routing r = routing;
      if (r.isEmpty()) {
        settings.telemetry().health().notReady(id, backends.isEmpty()
            ? "no backends resolved" : "every backend is failing: " + String.join(", ", backends.keySet()));
      } else {
        settings.telemetry().health().ready(id);
      }
      deferred = new ArrayList<>(rerouteWhileBuilding);
      rerouteWhileBuilding.clear();
      waiters = new ArrayList<>(waitingForRing);
      waitingForRing.clear();
    }
    for (TraceData d : deferred) {
      if (!tryRoute(d)) {
        park(d);
      }
    }
    waiters.forEach(Promise::tryComplete);
  }

  private void onGiveUp(String endpoint, TraceData data, SendResult last) {
    if (last.outcome() == SendResult.Outcome.PERMANENT) {
      // The backend will never take this batch (malformed, too large): re-routing cannot help.
      log.warning("backend " + endpoint + " refused a batch of " + data.spanCount() + " spans for good: " + last.message());
      return;
    }
    reroute(data);
  }

  @Override
  public Future<Void> consumeTraces(TraceData data) {
    Routing r = routing;
    if (r.isEmpty()) {
      return Future.failedFuture(RefusedException.retryable("no sampling backend is available"));
    }
    Scratch s = scratch.get();
    byte[][] parts;
    try {
      parts = split(s, r, data);
    } catch (WireFormatException e) {
      return Future.failedFuture(RefusedException.permanent(e.getMessage()));
    }
    synchronized (admission) {
      if (routing != r) {
        // The ring changed while we split: split again on the current one, under the lock.
        r = routing;
        if (r.isEmpty()) {
          return Future.failedFuture(RefusedException.retryable("no sampling backend is available"));
        }
        try {
          parts = split(s, r, data);
        } catch (WireFormatException e) {
          return Future.failedFuture(RefusedException.permanent(e.getMessage()));
        }
      }
      for (int g = 0; g < parts.length; g++) {
        if (parts[g] != null && !r.byIndex[g].queue.hasRoom(new TraceData(parts[g], s.counts[g]))) {
          return Future.failedFuture(RefusedException.retryable(
              "sending queue of backend " + r.byIndex[g].endpoint + " is full"));
        }
      }
      for (int g = 0; g < parts.length; g++) {
        if (parts[g] != null) {
          r.byIndex[g].queue.offer(new TraceData(parts[g], s.counts[g]));
        }
      }
    }
    return Future.succeededFuture();
  }

  /** Splits {@code data} by owner on {@code r}; parts[g] belongs to r.byIndex[g] (null: none). */
  private byte[][] split(Scratch s, Routing r, TraceData data) throws WireFormatException {
    TraceRequestIndex idx = s.index.index(data.array(), data.offset(), data.length());
    int n = idx.spanCount();
    int groups = r.byIndex.length;
    if (s.groupOf.length < n) {
      s.groupOf = new int[Math.max(n, s.groupOf.length * 2)];
    }
    if (s.counts.length < groups) {
      s.counts = new int[Math.max(groups, s.counts.length * 2)];
    }
    if (config.routingKey() == LoadBalancingConfig.RoutingKey.TRACE_ID) {
      for (int i = 0; i < n; i++) {
        s.groupOf[i] = r.ring.owner(idx.traceIdHigh(i), idx.traceIdLow(i));
      }
    } else {
      int lastResource = -1;
      int owner = 0;
      for (int i = 0; i < n; i++) {
        int res = idx.resourceOf(i);
        if (res != lastResource) {
          owner = ownerOfService(r, idx, res);
          lastResource = res;
        }
        s.groupOf[i] = owner;
      }
    }
    return s.writer.split(idx, groups, s.groupOf, s.counts);
  }

  /** Routing by service: FNV-1a over the service name's bytes, spread over the ring like a trace id. */
  private static int ownerOfService(Routing r, TraceRequestIndex idx, int resource) {
    long pos = idx.resourceAttribute(resource, SERVICE_NAME);
    long h = 0xcbf29ce484222325L;
    long range = pos < 0 ? -1 : AnyValues.stringRange(idx.buffer(), pos);
    if (range >= 0) {
      byte[] b = idx.buffer();
      int off = (int) (range >>> 32);
      int len = (int) range;
      for (int i = off; i < off + len; i++) {
        h ^= b[i] & 0xFF;
        h *= 0x100000001b3L;
      }
    }
    return r.ring.owner(h, Long.rotateLeft(h, 31) * 0x9E3779B97F4A7C15L);
  }

  /**
   * Sends an already accepted batch to the current owners. Never refuses: what finds no room
   * (every owner's queue full, or no backend up) is parked and routed again later.
   */
  private void reroute(TraceData data) {
    reroutedSpans.add(data.spanCount());
    synchronized (admission) {
      if (!waitingForRing.isEmpty()) {
        // A ring is being built (a backend failed or left): routing this now would put it on the
        // ring about to be replaced, possibly back onto the failing backend. It goes when the new
        // ring is in place.
        rerouteWhileBuilding.add(data);
        return;
      }
    }
    if (!tryRoute(data)) {
      park(data);
    }
  }

  private boolean tryRoute(TraceData data) {
    Routing r = routing;
    if (r.isEmpty()) {
      return false;
    }
    Future<Void> f = consumeTraces(data);
    if (f.succeeded()) {
      return true;
    }
    if (f.cause() instanceof RefusedException && !((RefusedException) f.cause()).retryable()) {
      log.warning("dropping a re-routed batch that cannot be read: " + f.cause().getMessage());
      return true;
    }
    return false;
  }

  private void park(TraceData data) {
    synchronized (this) {
      if (parkedSpans + data.spanCount() > parkLimitSpans) {
        parkOverflowSpans.add(data.spanCount());
        log.severe("no backend could take " + data.spanCount() + " accepted spans and the park bound ("
            + parkLimitSpans + " spans) is reached; counted in tailshard_loadbalancer_park_overflow_spans");
        return;
      }
      parked.addLast(data);
      parkedSpans += data.spanCount();
      if (parkTimer < 0) {
        parkTimer = settings.vertx().setPeriodic(PARK_RETRY.toMillis(), t -> routeParked());
      }
    }
  }

  private void routeParked() {
    while (true) {
      TraceData next;
      synchronized (this) {
        next = parked.peekFirst();
        if (next == null) {
          if (parkTimer >= 0) {
            settings.vertx().cancelTimer(parkTimer);
            parkTimer = -1;
          }
          return;
        }
      }
      if (!tryRoute(next)) {
        return;
      }
      synchronized (this) {
        parked.pollFirst();
        parkedSpans -= next.spanCount();
      }
    }
  }

  /** The endpoints of the ring in place (sorted), for tests: the resolver's view once rebuilt. */
  List<String> routedEndpoints() {
    Routing r = routing;
    return r.isEmpty() ? List.of() : r.ring.endpoints().stream().sorted().toList();
  }

  /** The backends currently resolved, for tests and the admin view. */
  List<String> resolvedEndpoints() {
    synchronized (admission) {
      return resolved;
    }
  }

  @Override
  public Future<Void> shutdown() {
    List<Backend> all;
    synchronized (admission) {
      if (stopped) {
        return Future.succeededFuture();
      }
      stopped = true;
      all = new ArrayList<>(backends.values());
    }
    Future<Void> stopDiscovery = resolver == null ? Future.succeededFuture() : resolver.shutdown();
    List<Future<Void>> drains = new ArrayList<>();
    for (Backend b : all) {
      // Flush: each backend sends what it holds within the grace period.
      drains.add(b.queue.shutdown(BACKEND_DRAIN));
    }
    return stopDiscovery.compose(v -> Future.join(drains)).<Void>mapEmpty().eventually(() -> {
      synchronized (this) {
        if (parkTimer >= 0) {
          settings.vertx().cancelTimer(parkTimer);
        }
        if (parkedSpans > 0) {
          log.severe(parkedSpans + " accepted spans were still waiting for a backend at shutdown");
        }
      }
      List<Future<Void>> closes = new ArrayList<>();
      for (Backend b : all) {
        closes.add(b.remove(Duration.ZERO));
      }
      return Future.join(closes);
    });
  }
}

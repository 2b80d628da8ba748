package io.tailshard.common.resolver;

import com.google.common.net.HostAndPort;
import com.google.common.net.InetAddresses;
import io.tailshard.common.telemetry.MetricRegistry;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.dns.DnsClient;
import io.vertx.core.dns.DnsClientOptions;
import io.vertx.core.dns.DnsException;
import io.vertx.core.dns.DnsResponseCode;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Resolves the A and AAAA records of {@link DnsResolverConfig#hostname()} every
 * {@code interval} with Vert.x's asynchronous DNS client; each address plus {@code :port} is an
 * endpoint ({@code [v6]:port} for IPv6, addresses in canonical text so every node writes them
 * alike). Defaults, from {@link DnsResolverConfig}: port 4317, interval 5s, timeout 1s, the
 * system's DNS server.
 *
 * <h2>Outcomes</h2>
 * <ul>
 *   <li><b>Records</b>: the set of endpoints. The listener is called when it differs from the
 *       current set, and only then; record order and duplicates do not matter.
 *   <li><b>NXDOMAIN or no records</b> for every name tried: the empty set, counted as a successful
 *       resolution. Callers report themselves not ready. (The Collector keeps its old backends
 *       here; a Service whose name is gone has no pods to send to.)
 *   <li><b>Failure</b> (no answer within {@code timeout}, SERVFAIL, REFUSED, any other error):
 *       the last good set is kept, {@code success="false"} is counted, and the failure is logged,
 *       at most once a minute while it lasts.
 * </ul>
 *
 * <h2>DNS server and names</h2>
 * With {@code server} set, that server is asked for exactly {@code hostname}. Without it the
 * system's configuration applies, read from {@code /etc/resolv.conf} on a worker thread at start:
 * the first {@code nameserver} is asked, and {@code hostname} is expanded with the {@code search}
 * domains following {@code ndots}, as the system resolver (and so the Collector) does: in a
 * Kubernetes pod a short Service name works. The first name with any A or AAAA record wins. When
 * the file is missing or names no server, Vert.x's own default applies (Netty's platform default
 * name servers).
 *
 * <h2>Metrics</h2>
 * {@code otelcol_loadbalancer_num_resolutions{resolver="dns",success}},
 * {@code otelcol_loadbalancer_num_backends{resolver="dns"}} and
 * {@code otelcol_loadbalancer_num_backend_updates{resolver="dns"}}, as the Collector names them.
 *
 * <h2>Threads</h2>
 * All work runs on one Vert.x context (the caller's, or a new event-loop context), never blocking
 * it: queries are asynchronous and file reading happens on a worker. The listener is called on
 * that context and must not block; building a {@link io.tailshard.common.ring.TraceIdRing} from
 * the new set belongs on a worker. {@link #endpoints()} may be called from any thread.
 * A resolution that is still running when the next is due is not overlapped; the tick is skipped.
 */
public final class DnsResolver implements Resolver {
  static final String TYPE = "dns";

  private static final Logger LOG = Logger.getLogger("tailshard.resolver.dns");
  private static final long FAILURE_LOG_INTERVAL_NANOS = 60_000_000_000L;

  private final Vertx vertx;
  private final DnsResolverConfig config;
  private final Consumer<List<String>> listener;
  private final Callable<ResolvConf> systemConf;
  private final Context context;
  private final ResolverMetrics metrics;
  private final AtomicReference<Future<Void>> started = new AtomicReference<>();
  private volatile List<String> endpoints = List.of();

  // Confined to the context.
  private DnsClient client;
  private ResolvConf conf = ResolvConf.EMPTY;
  private long timerId = -1;
  private boolean resolving;
  private boolean stopped;
  private long consecutiveFailures;
  private long failuresSinceLog;
  private long lastFailureLogNanos;

  /** A resolver that reads the system's {@code /etc/resolv.conf} when {@code server} is not set. */
  public DnsResolver(Vertx vertx, DnsResolverConfig config, MetricRegistry metrics, Consumer<List<String>> listener) {
    this(vertx, config, metrics, listener, () -> ResolvConf.read(ResolvConf.SYSTEM_FILE));
  }

  /** For tests: {@code systemConf} stands for the system's resolv.conf. */
  DnsResolver(Vertx vertx, DnsResolverConfig config, MetricRegistry metrics, Consumer<List<String>> listener,
      Callable<ResolvConf> systemConf) {
    this.vertx = Objects.requireNonNull(vertx, "vertx");
    this.config = Objects.requireNonNull(config, "config");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.systemConf = systemConf;
    this.context = vertx.getOrCreateContext();
    this.metrics = new ResolverMetrics(metrics, TYPE, () -> endpoints);
  }

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public Future<Void> start() {
    Promise<Void> first = Promise.promise();
    if (!started.compareAndSet(null, first.future())) {
      return started.get();
    }
    context.runOnContext(v -> begin(first));
    return first.future();
  }

  @Override
  public Future<Void> shutdown() {
    Promise<Void> done = Promise.promise();
    context.runOnContext(v -> {
      stopped = true;
      if (timerId >= 0) {
        vertx.cancelTimer(timerId);
        timerId = -1;
      }
      DnsClient c = client;
      client = null;
      (c == null ? Future.<Void>succeededFuture() : c.close()).onComplete(ar -> done.complete());
    });
    return done.future();
  }

  @Override
  public List<String> endpoints() {
    return endpoints;
  }

  /** Reads the system configuration and creates the client on a worker, then resolves and schedules. */
  private void begin(Promise<Void> first) {
    vertx.executeBlocking(this::setUp).onComplete(ar -> {
      if (stopped) {
        if (ar.succeeded()) {
          ar.result().client.close();
        }
        first.complete();
        return;
      }
      if (ar.failed()) {
        // Only a broken option can fail here; every tick then counts a failure, so it shows in the metrics.
        LOG.log(Level.WARNING, "dns resolver for " + config.hostname() + ": cannot create the DNS client", ar.cause());
      } else {
        client = ar.result().client;
        conf = ar.result().conf;
      }
      long interval = config.interval().toMillis();
      timerId = vertx.setPeriodic(interval, interval, id -> resolveOnce());
      resolveOnce().onComplete(x -> first.complete());
    });
  }

  /** What start-up prepares on a worker. */
  private static final class SetUp {
    final DnsClient client;
    final ResolvConf conf;

    SetUp(DnsClient client, ResolvConf conf) {
      this.client = client;
      this.conf = conf;
    }
  }

  /** Blocking: may read /etc/resolv.conf, and Vert.x may read system files as it makes the DNS client. */
  private SetUp setUp() throws Exception {
    ResolvConf system = config.server().isPresent() ? ResolvConf.EMPTY : systemConf.call();
    DnsClientOptions options = new DnsClientOptions()
        .setQueryTimeout(config.timeout().toMillis())
        .setRecursionDesired(true);
    HostAndPort server = config.server().orElse(system.nameserver().orElse(null));
    if (server != null) {
      options.setHost(server.getHost()).setPort(server.getPort());
    }
    DnsClient c = vertx.createDnsClient(options);
    LOG.fine(() -> "dns resolver for " + config.hostname() + ": server " + (server == null ? "Vert.x default" : server)
        + ", " + system);
    return new SetUp(c, system);
  }

  private Future<Void> resolveOnce() {
    if (stopped || resolving) {
      return Future.succeededFuture();
    }
    if (client == null) {
      metrics.failed.inc();
      return Future.succeededFuture();
    }
    resolving = true;
    Promise<Set<String>> outcome = Promise.promise();
    long deadline = vertx.setTimer(config.timeout().toMillis(),
        id -> outcome.tryFail(new TimeoutException("no answer within " + config.timeout().toMillis() + " ms")));
    List<String> names = config.server().isPresent() ? List.of(stripDot(config.hostname())) : conf.candidates(config.hostname());
    lookup(client, names, 0).onComplete(ar -> {
      vertx.cancelTimer(deadline);
      if (ar.succeeded()) {
        outcome.tryComplete(ar.result());
      } else {
        outcome.tryFail(ar.cause());
      }
    });
    return outcome.future().transform(ar -> {
      resolving = false;
      apply(ar);
      return Future.<Void>succeededFuture();
    });
  }

  /** Queries A and AAAA of names[i]; moves to the next name when both are empty or NXDOMAIN. */
  private Future<Set<String>> lookup(DnsClient c, List<String> names, int i) {
    if (i == names.size()) {
      return Future.succeededFuture(Set.of());
    }
    Future<List<String>> a = c.resolveA(names.get(i));
    Future<List<String>> aaaa = c.resolveAAAA(names.get(i));
    return Future.join(a, aaaa).transform(ignored -> {
      Set<String> found = new TreeSet<>();
      for (Future<List<String>> f : List.of(a, aaaa)) {
        if (f.failed()) {
          if (!isNxDomain(f.cause())) {
            return Future.failedFuture(f.cause());
          }
          continue;
        }
        for (String address : f.result()) {
          String endpoint = endpoint(address);
          if (endpoint != null) {
            found.add(endpoint);
          }
        }
      }
      return found.isEmpty() ? lookup(c, names, i + 1) : Future.succeededFuture(found);
    });
  }

  private void apply(AsyncResult<Set<String>> ar) {
    if (stopped) {
      return;
    }
    if (ar.failed()) {
      metrics.failed.inc();
      logFailure(ar.cause());
      return;
    }
    metrics.succeeded.inc();
    if (consecutiveFailures > 0) {
      long failures = consecutiveFailures;
      LOG.info(() -> "dns resolver for " + config.hostname() + ": resolving again after " + failures + " failures");
      consecutiveFailures = 0;
      failuresSinceLog = 0;
    }
    List<String> next = List.copyOf(ar.result()); // a TreeSet: sorted, distinct
    if (next.equals(endpoints)) {
      return;
    }
    endpoints = next;
    metrics.updates.inc();
    LOG.info(() -> "dns resolver for " + config.hostname() + ": " + next.size() + " backends " + next);
    try {
      listener.accept(next);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "dns resolver for " + config.hostname() + ": the endpoint listener failed", e);
    }
  }

  /** The first failure of a run is logged at once, then at most one summary a minute while it lasts. */
  private void logFailure(Throwable cause) {
    consecutiveFailures++;
    failuresSinceLog++;
    long now = System.nanoTime();
    if (consecutiveFailures == 1 || now - lastFailureLogNanos >= FAILURE_LOG_INTERVAL_NANOS) {
      LOG.warning("dns resolver for " + config.hostname() + ": resolution failed (" + failuresSinceLog
          + " since the last report), keeping " + endpoints.size() + " backends: " + cause);
      lastFailureLogNanos = now;
      failuresSinceLog = 0;
    }
  }

  private String endpoint(String address) {
    try {
      return HostAndPort.fromParts(InetAddresses.toAddrString(InetAddresses.forString(address)), config.port()).toString();
    } catch (IllegalArgumentException e) {
      LOG.warning(() -> "dns resolver for " + config.hostname() + ": ignoring a record that is not an address: " + address);
      return null;
    }
  }

  private static boolean isNxDomain(Throwable t) {
    return t instanceof DnsException && ((DnsException) t).code() == DnsResponseCode.NXDOMAIN;
  }

  private static String stripDot(String s) {
    return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
  }
}

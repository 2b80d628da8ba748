package io.tailshard.lb.exporter.loadbalancing;

import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.exporter.BatchConfig;
import io.tailshard.common.exporter.MemoryQueue;
import io.tailshard.common.exporter.QueueConfig;
import io.tailshard.common.exporter.RetryConfig;
import io.tailshard.common.exporter.otlp.OtlpClientConfig;
import io.tailshard.common.resolver.ResolverConfig;
import java.time.Duration;

/**
 * The {@code loadbalancing} exporter's config, with the Collector's keys.
 *
 * <ul>
 *   <li>{@code routing_key}: {@code traceID} (default) or {@code service}.
 *   <li>{@code resolver}: exactly one of {@code static} or {@code dns}; see {@link ResolverConfig}.
 *   <li>{@code protocol.otlp}: the template of each backend's OTLP/gRPC client (its {@code endpoint} is
 *       the resolver's), with its {@code sending_queue} and {@code retry_on_failure}. Batches
 *       waiting in a backend's queue when a send lane frees up are merged into one request (up to
 *       {@link #MERGE_LIMIT_BYTES}); {@code sending_queue.batch} (the Collector's key:
 *       {@code flush_timeout}, {@code min_size}, {@code max_size}, {@code sizer}) makes a free lane
 *       wait for {@code min_size} or {@code flush_timeout} first. Absent, nothing waits: the
 *       Collector's loadbalancing exporter sends each batch as it comes.
 *   <li>top-level {@code timeout}, {@code sending_queue}, {@code retry_on_failure}: accepted as in the
 *       Collector. Re-routing a failed batch onto the current ring is always on here, so the top-level
 *       queue adds no behaviour; its keys are validated and its {@code queue_size} caps the data held
 *       across all backends when enabled.
 *   <li>{@code failing_backends} (ours, not the Collector's): what happens to a backend that keeps
 *       failing while the resolver still lists it. {@code reroute} (default): it leaves the ring for
 *       a cool-down and its batches are re-split onto the others, so throughput recovers at once,
 *       but a trace whose spans were split between a crashed node and its stand-ins is decided
 *       twice, in parts. {@code wait}: it keeps its place in the ring and its batches wait in its
 *       queue, retried per {@code retry_on_failure} and re-routed only when that budget is spent,
 *       so a sampling node restarted on its volume (a StatefulSet pod after a crash) gets every
 *       span of the traces it holds; when its queue is full, requests with spans for it are
 *       refused with a retryable status, as the Collector does. A backend that leaves the
 *       resolver's answer is re-routed in both modes.
 * </ul>
 *
 * <p>Where we differ on purpose: with no {@code tls} key in the template, backends are spoken to in
 * plaintext (the Collector defaults to TLS, which makes its own documented example fail against
 * plain receivers); backends are tailshard sampling nodes on the cluster network. Set
 * {@code protocol.otlp.tls.insecure: false} for TLS. Per-backend retries default to a shorter
 * budget (30s elapsed) than the Collector's 300s, because a batch that cannot reach its backend is
 * re-routed to the next owner instead of waiting: see docs/architecture.md.
 */
public record LoadBalancingConfig(
    RoutingKey routingKey,
    ResolverConfig resolver,
    OtlpClientConfig template,
    QueueConfig backendQueue,
    MemoryQueue.Merging backendMerging,
    RetryConfig backendRetry,
    Duration timeout,
    QueueConfig topLevelQueue,
    RetryConfig topLevelRetry,
    FailingBackends failingBackends) {

  /** What happens to a backend that keeps failing while the resolver lists it; see the class comment. */
  public enum FailingBackends {
    REROUTE("reroute"),
    WAIT("wait");

    final String yaml;

    FailingBackends(String yaml) {
      this.yaml = yaml;
    }
  }

  /** What a batch is routed by. */
  public enum RoutingKey {
    TRACE_ID("traceID"),
    SERVICE("service");

    final String yaml;

    RoutingKey(String yaml) {
      this.yaml = yaml;
    }
  }

  /** Child retry default: the Collector's intervals with a 30s budget, after which a batch is re-routed. */
  static final RetryConfig BACKEND_RETRY_DEFAULT =
      new RetryConfig(true, Duration.ofMillis(500), 0.5, 1.5, Duration.ofSeconds(5), Duration.ofSeconds(30));

  static final QueueConfig TOP_LEVEL_QUEUE_DEFAULT = new QueueConfig(false, 10, 1000, QueueConfig.Sizer.REQUESTS, null);
  static final RetryConfig TOP_LEVEL_RETRY_DEFAULT =
      new RetryConfig(false, Duration.ofSeconds(5), 0.5, 1.5, Duration.ofSeconds(30), Duration.ofSeconds(300));

  /**
   * The most bytes one merged request to a backend holds (a single larger batch is sent alone):
   * a quarter of the receivers' default {@code max_recv_msg_size_mib} (4), and just within the
   * sampling tier's HTTP/2 stream window (1 MiB) with the gRPC frame prefix, so a merged request
   * needs no flow-control round trip.
   */
  static final long MERGE_LIMIT_BYTES = (1L << 20) - 1024;

  /**
   * The gzip level of requests to backends when {@code compression: gzip}: 1, zlib's fastest.
   * Pod-to-pod traffic of the cluster, where CPU costs more than bytes: on OTLP spans level 1 loses
   * a few percent of level 6's ratio at less than half its CPU (docs/benchmarks.md).
   */
  static final int GZIP_LEVEL = Integer.getInteger("tailshard.lb.gzipLevel", 1);

  /** Batches waiting for a backend are always merged up to the limit; {@code batch} adds waiting. */
  static MemoryQueue.Merging backendBatch(BatchConfig batch) {
    return new MemoryQueue.Merging(MERGE_LIMIT_BYTES, batch);
  }

  static LoadBalancingConfig parse(ConfigMap m) {
    String key = m.oneOf("routing_key", "traceID", "traceID", "service", "attributes", "resource", "metric", "streamID");
    RoutingKey routingKey;
    switch (key) {
      case "traceID":
        routingKey = RoutingKey.TRACE_ID;
        break;
      case "service":
        routingKey = RoutingKey.SERVICE;
        break;
      default:
        throw m.error("routing_key", "'" + key + "' is not built for traces yet; allowed: traceID, service");
    }
    m.get("routing_attributes");
    if (m.has("routing_attributes")) {
      throw m.error("routing_attributes", "routing by attributes is not built yet; allowed routing_key: traceID, service");
    }
    if (!m.has("resolver")) {
      throw m.error("resolver: required key is missing; set exactly one of static, dns");
    }
    ResolverConfig resolver = ResolverConfig.parse(m.map("resolver"));

    ConfigMap protocol = m.map("protocol");
    ConfigMap otlp = protocol.map("otlp");
    protocol.done();
    OtlpClientConfig template = OtlpClientConfig.parse(otlp, false, OtlpClientConfig.Tls.PLAINTEXT);
    if (GZIP_LEVEL < 1 || GZIP_LEVEL > 9) {
      throw otlp.error("the JVM property tailshard.lb.gzipLevel is " + GZIP_LEVEL + "; a gzip level is 1 to 9");
    }
    if (template.endpoint() != null) {
      throw otlp.error("endpoint", "the resolver supplies each backend's endpoint; remove this key");
    }
    ConfigMap sendingQueue = otlp.map("sending_queue");
    // The Collector's sending_queue.batch: read here (only this exporter merges), before the queue's
    // own keys, so the queue parser's strict check sees it asked for.
    BatchConfig batch = sendingQueue.has("batch") ? BatchConfig.parse(sendingQueue.map("batch")) : null;
    QueueConfig backendQueue = QueueConfig.parse(sendingQueue, QueueConfig.DEFAULT);
    RetryConfig backendRetry = RetryConfig.parse(otlp.map("retry_on_failure"), BACKEND_RETRY_DEFAULT);
    if (backendQueue.storage() != null) {
      // lb-tier keeps no state: a backend's queue lives as long as the backend is in the ring.
      throw otlp.error("sending_queue", "lb-tier has no storage for a persistent queue; remove storage");
    }
    otlp.done();

    Duration timeout = m.duration("timeout", Duration.ZERO);
    QueueConfig topQueue = QueueConfig.parse(m.map("sending_queue"), TOP_LEVEL_QUEUE_DEFAULT);
    RetryConfig topRetry = RetryConfig.parse(m.map("retry_on_failure"), TOP_LEVEL_RETRY_DEFAULT);
    FailingBackends failing = m.oneOf("failing_backends", "reroute", "reroute", "wait").equals("wait")
        ? FailingBackends.WAIT : FailingBackends.REROUTE;
    m.done();
    if (topQueue.storage() != null) {
      throw m.error("sending_queue", "a persistent queue is not built for the loadbalancing exporter; remove storage");
    }
    return new LoadBalancingConfig(routingKey, resolver, template, backendQueue, backendBatch(batch), backendRetry, timeout,
        topQueue, topRetry, failing);
  }
}

package io.tailshard.loadtest.cluster;

import io.tailshard.common.config.Durations;
import java.nio.file.Path;

/**
 * The config files of a run's nodes: Collector-style YAML for each tier, as an operator would
 * write it, with every listener on the node's own loopback address.
 *
 * <p>lb nodes: OTLP gRPC and HTTP in, {@code memory_limiter}, the {@code loadbalancing} exporter
 * resolving the sampling tier's name at the run's DNS server, with short retry intervals so a
 * restarted node gets its held batches within a second.
 *
 * <p>Sampling nodes: OTLP gRPC in, {@code memory_limiter}, {@code tail_sampling} with the scenario's
 * policies and a decision cache (so late spans follow their trace's decision), {@code batch}, and
 * an {@code otlp} exporter to the sink with its sending queue off: a kept trace is acknowledged to
 * the trace buffer only once the sink has it, so a SIGKILL loses nothing the node acknowledged.
 * The trace buffer lives in the node's own data directory, kept across restarts like a
 * StatefulSet's volume.
 */
final class NodeConfigs {
  /** Decision cache sizes (trace ids): far more than the traces a run decides within a late delay. */
  static final int DECISION_CACHE = 200_000;

  private NodeConfigs() {}

  static String lb(Scenario s, Layout l, int k, String dnsServer) {
    String a = l.lbAddress(k);
    return String.join("\n",
        "# lb-" + k + " of a cluster run (written by loadtest cluster from " + s.source() + ")",
        "receivers:",
        "  otlp:",
        "    protocols:",
        "      grpc: {endpoint: \"" + a + ":" + l.otlpPort() + "\"}",
        "      http: {endpoint: \"" + a + ":" + l.httpPort() + "\"}",
        "processors:",
        "  memory_limiter: {check_interval: 1s, limit_percentage: 80, spike_limit_percentage: 20}",
        "exporters:",
        "  loadbalancing:",
        "    routing_key: traceID",
        "    failing_backends: " + s.failingBackends(),
        "    protocol:",
        "      otlp:",
        "        timeout: 5s",
        "        compression: " + s.compression(),
        "        tls: {insecure: true}",
        "        retry_on_failure: {initial_interval: 100ms, max_interval: 1s}",
        lbBatch(s),
        "    resolver:",
        "      dns:",
        "        hostname: " + Layout.SAMPLING_NAME,
        "        port: \"" + l.otlpPort() + "\"",
        "        interval: " + Durations.format(s.dnsInterval()),
        "        timeout: 500ms",
        "        server: \"" + dnsServer + "\"",
        "extensions:",
        "  health_check: {endpoint: \"" + a + ":" + l.healthPort() + "\"}",
        "service:",
        "  extensions: [health_check]",
        "  pipelines:",
        "    traces: {receivers: [otlp], processors: [memory_limiter], exporters: [loadbalancing]}",
        "  telemetry:",
        "    logs: {level: info}",
        "    metrics: {address: \"" + a + ":" + l.metricsPort() + "\"}",
        "");
  }

  /** The scenario's {@code lb_batch} as {@code sending_queue.batch}, or a comment saying there is none. */
  private static String lbBatch(Scenario s) {
    if (s.lbBatchYaml() == null) {
      return "        # sending_queue.batch: none (waiting batches merged when a lane frees up, no waiting)";
    }
    if (s.lbBatchYaml().equals("{}")) {
      return "        sending_queue: {batch: {}}";
    }
    return "        sending_queue:\n          batch:\n" + s.lbBatchYaml().indent(12).stripTrailing();
  }

  static String sampling(Scenario s, Layout l, int k, Path dataDir) {
    String a = l.samplingAddress(k);
    return String.join("\n",
        "# sampling-" + k + " of a cluster run (written by loadtest cluster from " + s.source() + ")",
        "receivers:",
        "  otlp:",
        "    protocols:",
        "      grpc: {endpoint: \"" + a + ":" + l.otlpPort() + "\"}",
        "processors:",
        "  memory_limiter: {check_interval: 1s, limit_percentage: 80, spike_limit_percentage: 20}",
        "  tail_sampling:",
        "    decision_wait: " + Durations.format(s.decisionWait()),
        "    decision_cache: {sampled_cache_size: " + DECISION_CACHE + ", non_sampled_cache_size: "
            + DECISION_CACHE + "}",
        "    policies:",
        s.policiesYaml().indent(6).stripTrailing(),
        "  batch: {}",
        "exporters:",
        "  otlp:",
        "    endpoint: \"" + l.sinkAddress() + ":" + l.otlpPort() + "\"",
        "    tls: {insecure: true}",
        "    sending_queue: {enabled: false}",
        "    retry_on_failure: {initial_interval: 100ms, max_interval: 1s, max_elapsed_time: 60s}",
        "extensions:",
        "  health_check: {endpoint: \"" + a + ":" + l.healthPort() + "\"}",
        "  rocksdb: {directory: " + YamlText.quote(dataDir.toAbsolutePath().toString()) + "}",
        "service:",
        "  extensions: [health_check, rocksdb]",
        "  pipelines:",
        "    traces: {receivers: [otlp], processors: [memory_limiter, tail_sampling, batch], exporters: [otlp]}",
        "  telemetry:",
        "    logs: {level: info}",
        "    metrics: {address: \"" + a + ":" + l.metricsPort() + "\"}",
        "");
  }
}

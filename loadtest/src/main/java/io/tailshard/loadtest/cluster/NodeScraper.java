package io.tailshard.loadtest.cluster;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Reads the nodes' self-metrics ({@code /metrics}, Prometheus text) and health endpoints over HTTP
 * on loopback, with short timeouts so one stuck node cannot stall the once-a-second view.
 */
final class NodeScraper {
  /** Spans a node's OTLP receiver accepted (lb: from the generator; sampling: from the lb tier). */
  static final String ACCEPTED = "otelcol_receiver_accepted_spans_total";
  /** Spans a node's receiver refused (retryable or not). */
  static final String REFUSED = "otelcol_receiver_refused_spans_total";
  /** Batches in an lb node's per-backend sending queues. */
  static final String QUEUE = "otelcol_exporter_queue_size";
  /** Accepted spans an lb node holds while no backend can take them. */
  static final String PARKED = "tailshard_loadbalancer_parked_spans";
  /** Undecided traces in a sampling node's buffer. */
  static final String ON_MEMORY = "otelcol_processor_tail_sampling_sampling_traces_on_memory";

  private static final Set<String> WANTED = Set.of(ACCEPTED, REFUSED, QUEUE, PARKED, ON_MEMORY);
  private static final Duration TIMEOUT = Duration.ofMillis(800);

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

  /** The wanted metrics' sums, or a future of null when the node does not answer in time. */
  CompletableFuture<Map<String, Double>> metrics(String hostPort) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + hostPort + "/metrics")).timeout(TIMEOUT).build();
    return http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenApply(r -> r.statusCode() == 200 ? PromText.sums(r.body(), WANTED) : null)
        .exceptionally(t -> null);
  }

  /** True when the health endpoint answers 200 (ready). */
  boolean healthy(String hostPort) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + hostPort + "/"))
        .timeout(Duration.ofMillis(500)).build();
    try {
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (java.io.IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}

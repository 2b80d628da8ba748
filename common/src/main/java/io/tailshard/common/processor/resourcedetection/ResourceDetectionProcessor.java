package io.tailshard.common.processor.resourcedetection;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.component.TracesConsumer;
import io.tailshard.common.component.TracesProcessor;
import io.tailshard.common.otlp.model.AttributeMap;
import io.tailshard.common.otlp.model.ResourceNode;
import io.tailshard.common.processor.internal.KeptTraces;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Detects resource attributes once, at start, and merges them into the resource of every kept
 * trace.
 *
 * <p>Detection reads files and may ask DNS, so it runs on a worker thread, never the event loop,
 * bounded by {@code timeout}: what the detectors found by then is used, and a detector that fails
 * is logged and skipped, as in the Collector. {@link #start()} returns at once; requests that
 * arrive before detection is over wait for it. Detectors merge in order, the first to detect an
 * attribute winning; the result is applied with {@code override} deciding whether it replaces a
 * resource's own values. The schema URL of the system detector is set on resources that have none.
 *
 * <p>Thread-safe: the attributes applied are a copy published before the detection future completes.
 */
final class ResourceDetectionProcessor implements TracesProcessor {
  private final Vertx vertx;
  private final String id;
  private final ResourceDetectionConfig config;
  private final TracesConsumer next;
  private final Logger log;
  private final List<Detector> detectors;
  private final Promise<Void> detected = Promise.promise();
  /** Filled by the detection thread, which may still run after a timeout; guarded by itself. */
  private final Map<String, AnyValue> attributes = new LinkedHashMap<>();
  private String schemaUrl = "";
  /** What is applied: a copy taken when detection ended (or timed out), set before {@code detected} completes. */
  private volatile Map<String, AnyValue> applied = Map.of();
  private volatile String appliedSchemaUrl = "";
  private boolean started;

  ResourceDetectionProcessor(ComponentSettings settings, ResourceDetectionConfig config, TracesConsumer next,
      List<Detector> detectors) {
    this.vertx = settings.vertx();
    this.id = settings.id().toString();
    this.config = config;
    this.next = next;
    this.log = settings.logger();
    this.detectors = detectors;
  }

  @Override
  public synchronized Future<Void> start() {
    if (!started) {
      started = true;
      vertx.<Void>executeBlocking(() -> {
            detectAll();
            return null;
          }, false)
          .timeout(config.timeout().toMillis(), TimeUnit.MILLISECONDS)
          .onComplete(ar -> {
            if (ar.failed()) {
              log.warning("resource detection did not finish within " + config.timeout().toMillis()
                  + " ms; using what was detected by then: " + ar.cause().getMessage());
            }
            synchronized (attributes) {
              applied = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
              appliedSchemaUrl = schemaUrl;
            }
            log.info("detected resource attributes: " + applied.keySet());
            detected.tryComplete();
          });
    }
    return Future.succeededFuture();
  }

  private void detectAll() {
    for (Detector d : detectors) {
      LinkedHashMap<String, AnyValue> found;
      try {
        found = d.detect();
      } catch (Exception e) {
        log.warning("failed to detect resource with the " + d.name() + " detector: " + e.getMessage());
        continue;
      }
      synchronized (attributes) {
        for (Map.Entry<String, AnyValue> e : found.entrySet()) {
          if (config.attributes().isEmpty() || config.attributes().get().contains(e.getKey())) {
            attributes.putIfAbsent(e.getKey(), e.getValue());
          }
        }
        if (schemaUrl.isEmpty() && !found.isEmpty()) {
          schemaUrl = d.schemaUrl();
        }
      }
    }
  }

  /** The detected attributes once detection is over. */
  Future<Map<String, AnyValue>> detectedAttributes() {
    return detected.future().map(v -> applied);
  }

  @Override
  public Future<Void> consumeTraces(TraceData data) {
    if (!detected.future().isComplete()) {
      return detected.future().compose(v -> consumeTraces(data));
    }
    Map<String, AnyValue> attrs = applied;
    String url = appliedSchemaUrl;
    if (attrs.isEmpty()) {
      return next.consumeTraces(data);
    }
    return KeptTraces.edit(id, data, next, model -> {
      for (ResourceNode r : model.resources()) {
        AttributeMap target = r.attributes();
        for (Map.Entry<String, AnyValue> e : attrs.entrySet()) {
          if (config.override() || !target.containsKey(e.getKey())) {
            target.put(e.getKey(), e.getValue());
          }
        }
        r.setSchemaUrlIfAbsent(url);
      }
    });
  }

  @Override
  public Future<Void> shutdown() {
    return Future.succeededFuture();
  }
}

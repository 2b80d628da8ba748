package io.tailshard.common.processor;

import static io.tailshard.common.processor.ProcessorTesting.kv;
import static io.tailshard.common.processor.ProcessorTesting.plain;
import static io.tailshard.common.processor.ProcessorTesting.span;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.Components;
import io.tailshard.common.component.ProcessorFactory;
import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.service.PlannedTypes;
import io.tailshard.common.service.Service;
import io.tailshard.common.service.ServiceConfig;
import io.tailshard.common.telemetry.Telemetry;
import io.tailshard.common.testing.Await;
import io.tailshard.common.testing.TestComponents;
import io.vertx.core.Vertx;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Seed 001's traces/all pipeline (k8sattributes and the vendor exporter left out) built from its
 * processor blocks as written, run end to end through the service graph.
 */
class Seed001PipelineTest {
  @Test
  void theSeedsProcessorsLoadAndProduceTheExpectedAttributesOnKeptSpans() {
    TestComponents test = new TestComponents();
    ServiceConfig config = ServiceConfig.parse(
        new ConfigLoader(Map.<String, String>of()::get).loadResource("processors/seed001-processors.yaml"),
        test.components(Processors.all()));
    assertEquals("traces/all: [test_receiver] -> [resource, resourcedetection, transform, attributes/sidekiq, batch]"
        + " -> [test_exporter]", config.describePipelines());

    Vertx vertx = Vertx.vertx();
    Service service = Service.create(config, vertx, Telemetry.forTests("seed001"));
    try {
      Await.result(service.start());
      ExportTraceServiceRequest in = ExportTraceServiceRequest.newBuilder()
          .addResourceSpans(ProcessorTesting.request(List.of(
                  kv("service.name", "mastodon-web"),
                  kv("k8s.node.name", "ip-10-0-1-7"),
                  kv("vcs.repository.ref.revision", "4f2a9c1"),
                  kv("vcs.repository.url.full", "https://github.com/mastodon/mastodon")),
              span("Api::V1::StatusesController#create", kv("code.namespace", "Api::V1::StatusesController"),
                  kv("code.function", "create")),
              span("GET /health")).getResourceSpans(0))
          .addResourceSpans(ProcessorTesting.request(List.of(kv("service.name", "mastodon-sidekiq")),
              span("PushUpdateWorker perform", kv("messaging.sidekiq.job_class", "PushUpdateWorker"),
                  kv("code.namespace", "PushUpdateWorker"), kv("code.function", "perform"))).getResourceSpans(0))
          .build();
      // The batch processor acknowledges only once the exporter took the batch (200ms timeout).
      Await.result(test.receivers("test_receiver").get(0).push(ProcessorTesting.data(in)));

      List<ExportTraceServiceRequest> exported = test.exporters("test_exporter").get(0).received().stream()
          .map(ProcessorTesting::decode).toList();
      assertEquals(1, exported.size());
      ResourceSpans web = exported.get(0).getResourceSpans(0);
      ResourceSpans sidekiq = exported.get(0).getResourceSpans(1);

      // resource: upserted values and inserts from other attributes.
      Map<String, Object> webResource = plain(web.getResource().getAttributesList());
      assertEquals("production", webResource.get("deployment.environment.name"));
      assertEquals("mastodon.social", webResource.get("property"));
      assertEquals("4f2a9c1", webResource.get("git.commit.sha"));
      assertEquals("https://github.com/mastodon/mastodon", webResource.get("git.repository_url"));
      // resourcedetection: the host's system attributes the seed enables.
      for (String key : List.of("host.name", "os.type", "os.description", "host.arch")) {
        assertTrue(webResource.containsKey(key), key + " missing from " + webResource.keySet());
      }
      assertEquals("linux", webResource.get("os.type"));
      // transform, resource context: the node name gets its suffix where it exists, only there.
      assertEquals("ip-10-0-1-7-k8s-1", webResource.get("k8s.node.name"));
      assertFalse(plain(sidekiq.getResource().getAttributesList()).containsKey("k8s.node.name"));

      // transform, span context: resource.name = code.namespace#code.function where code.namespace is set.
      List<Span> webSpans = web.getScopeSpans(0).getSpansList();
      assertEquals("Api::V1::StatusesController#create", plain(webSpans.get(0).getAttributesList()).get("resource.name"));
      assertFalse(plain(webSpans.get(1).getAttributesList()).containsKey("resource.name"));
      // attributes/sidekiq runs after transform and upserts the job class over it.
      assertEquals("PushUpdateWorker",
          plain(sidekiq.getScopeSpans(0).getSpans(0).getAttributesList()).get("resource.name"));
    } finally {
      Await.result(service.shutdown());
      Await.result(vertx.close());
    }
  }

  @Test
  void everyFactoryReplacesItsPlannedEntry() {
    Components.Builder b = PlannedTypes.register(Components.builder());
    Processors.all().forEach(b::add);
    Components c = b.build();
    for (ProcessorFactory<?> f : Processors.all()) {
      assertTrue(c.whyNotBuilt(ComponentKind.PROCESSOR, f.type()).isEmpty(), f.type());
      assertTrue(c.factory(ComponentKind.PROCESSOR, f.type()).isPresent(), f.type());
    }
    assertEquals(List.of("memory_limiter", "batch", "resource", "attributes", "transform", "filter", "redaction",
        "resourcedetection"), Processors.all().stream().map(ProcessorFactory::type).toList());
  }
}

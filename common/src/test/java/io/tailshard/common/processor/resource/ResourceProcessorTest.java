package io.tailshard.common.processor.resource;

import static io.tailshard.common.processor.ProcessorTesting.kv;
import static io.tailshard.common.processor.ProcessorTesting.plain;
import static io.tailshard.common.processor.ProcessorTesting.span;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.tailshard.common.component.TracesProcessor;
import io.tailshard.common.config.ConfigException;
import io.tailshard.common.processor.ProcessorTesting;
import io.tailshard.common.processor.ProcessorTesting.Recorder;
import io.tailshard.common.telemetry.Telemetry;
import io.tailshard.common.testing.Await;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResourceProcessorTest {
  private final ResourceFactory factory = new ResourceFactory();

  @Test
  void seed001ResourceBlockUpsertsValuesAndInsertsFromAttributes() {
    ResourceConfig config = ProcessorTesting.configFromResource(factory, "processors/seed001-processors.yaml", "resource");
    Recorder out = new Recorder();
    TracesProcessor p = factory.createTracesProcessor(
        ProcessorTesting.settings(null, Telemetry.forTests("t"), "resource"), config, out);
    ExportTraceServiceRequest in = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ProcessorTesting.request(List.of(
            kv("service.name", "mastodon-web"),
            kv("deployment.environment.name", "staging"),
            kv("vcs.repository.ref.revision", "4f2a9c1"),
            kv("vcs.repository.url.full", "https://github.com/mastodon/mastodon")), span("GET /")).getResourceSpans(0))
        .addResourceSpans(ProcessorTesting.request(List.of(
            kv("service.name", "mastodon-sidekiq"),
            kv("git.commit.sha", "already-set"),
            kv("vcs.repository.ref.revision", "4f2a9c1")), span("job")).getResourceSpans(0))
        .build();
    Await.result(p.consumeTraces(ProcessorTesting.data(in)));
    ExportTraceServiceRequest result = out.requests().get(0);

    Map<String, Object> first = new LinkedHashMap<>();
    first.put("service.name", "mastodon-web");
    first.put("deployment.environment.name", "production");
    first.put("vcs.repository.ref.revision", "4f2a9c1");
    first.put("vcs.repository.url.full", "https://github.com/mastodon/mastodon");
    first.put("property", "mastodon.social");
    first.put("git.commit.sha", "4f2a9c1");
    first.put("git.repository_url", "https://github.com/mastodon/mastodon");
    assertEquals(first, plain(result.getResourceSpans(0).getResource().getAttributesList()));

    Map<String, Object> second = plain(result.getResourceSpans(1).getResource().getAttributesList());
    assertEquals("already-set", second.get("git.commit.sha"), "insert never overwrites");
    assertEquals("production", second.get("deployment.environment.name"));
    assertTrue(!second.containsKey("git.repository_url"), "insert from an absent attribute does nothing");
    // Spans are untouched.
    assertEquals(in.getResourceSpans(0).getScopeSpans(0), result.getResourceSpans(0).getScopeSpans(0));
  }

  @Test
  void theActionListIsRequiredAndIncludeIsNotAnOption() {
    ConfigException e = assertThrows(ConfigException.class, () -> ProcessorTesting.config(factory, "{}"));
    assertEquals("test.yaml:1: block.attributes: at least one action is required", e.getMessage());
    ConfigException e2 = assertThrows(ConfigException.class, () -> ProcessorTesting.config(factory,
        "attributes: [{key: a, action: delete}]\ninclude: {match_type: strict, services: [a]}"));
    assertTrue(e2.getMessage().contains("block.include: unknown key; allowed: attributes"), e2.getMessage());
  }
}

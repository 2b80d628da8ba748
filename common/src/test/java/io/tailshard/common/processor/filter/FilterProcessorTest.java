package io.tailshard.common.processor.filter;

import static io.tailshard.common.processor.ProcessorTesting.kv;
import static io.tailshard.common.processor.ProcessorTesting.span;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailshard.common.component.RefusedException;
import io.tailshard.common.component.TracesProcessor;
import io.tailshard.common.config.ConfigException;
import io.tailshard.common.processor.ProcessorTesting;
import io.tailshard.common.processor.ProcessorTesting.Recorder;
import io.tailshard.common.telemetry.Telemetry;
import io.tailshard.common.testing.Await;
import java.util.List;
import org.junit.jupiter.api.Test;

class FilterProcessorTest {
  private final FilterFactory factory = new FilterFactory();
  private final Telemetry telemetry = Telemetry.forTests("t");
  private final Recorder out = new Recorder();

  private static final String CONFIG = String.join("\n",
      "error_mode: ignore",
      "traces:",
      "  span:",
      "    - attributes[\"http.route\"] == \"/health\"",
      "    - IsMatch(name, \"^redis \") and resource.attributes[\"service.name\"] == \"sidekiq\"",
      "  spanevent:",
      "    - name == \"debug\" or attributes[\"user.email\"] != nil");

  @Test
  void dropsMatchingSpansAndEventsAndEmptiedResources() {
    TracesProcessor p = create(CONFIG);
    Span withEvents = span("POST /api/v1/statuses").toBuilder()
        .addEvents(Span.Event.newBuilder().setName("debug"))
        .addEvents(Span.Event.newBuilder().setName("exception").addAttributes(kv("user.email", "a@b.c")))
        .addEvents(Span.Event.newBuilder().setName("exception").addAttributes(kv("exception.type", "Timeout")))
        .build();
    ExportTraceServiceRequest in = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ProcessorTesting.request(List.of(kv("service.name", "web")),
            span("GET /health", kv("http.route", "/health")), withEvents).getResourceSpans(0))
        .addResourceSpans(ProcessorTesting.request(List.of(kv("service.name", "sidekiq")),
            span("redis GET")).getResourceSpans(0))
        .build();
    Await.result(p.consumeTraces(ProcessorTesting.data(in)));

    ExportTraceServiceRequest result = out.requests().get(0);
    assertEquals(1, result.getResourceSpansCount(), "the sidekiq resource lost its only span and is gone");
    assertEquals(1, out.received().get(0).spanCount());
    Span kept = result.getResourceSpans(0).getScopeSpans(0).getSpans(0);
    assertEquals("POST /api/v1/statuses", kept.getName());
    assertEquals(1, kept.getEventsCount());
    assertEquals("Timeout", kept.getEvents(0).getAttributes(0).getValue().getStringValue());
    assertEquals(kept.getStartTimeUnixNano(), withEvents.getStartTimeUnixNano());
    assertEquals(2, telemetry.metrics().sum("otelcol_processor_filter_spans_filtered", "filter", "filter"));
  }

  @Test
  void aRequestWithEverySpanDroppedIsAcknowledgedWithoutGoingDownstream() {
    TracesProcessor p = create(CONFIG);
    Await.result(p.consumeTraces(ProcessorTesting.data(ProcessorTesting.request(List.of(),
        span("GET /health", kv("http.route", "/health"))))));
    assertTrue(out.received().isEmpty());
  }

  @Test
  void theOlderIncludeExcludeFormDropsWhatIsNotIncludedOrIsExcluded() {
    TracesProcessor p = create(String.join("\n",
        "spans:",
        "  include: {match_type: regexp, span_names: ['^(GET|POST) ']}",
        "  exclude: {match_type: strict, attributes: [{key: http.route, value: /health}]}"));
    Await.result(p.consumeTraces(ProcessorTesting.data(ProcessorTesting.request(List.of(),
        span("GET /a"), span("GET /health", kv("http.route", "/health")), span("redis SET"), span("POST /b")))));
    assertEquals(List.of("GET /a", "POST /b"), out.requests().get(0).getResourceSpans(0).getScopeSpans(0)
        .getSpansList().stream().map(Span::getName).toList());
  }

  @Test
  void aFailingConditionKeepsTheSpanUnderIgnoreAndRefusesTheRequestUnderPropagate() {
    String failing = "traces:\n  span:\n    - ToLowerCase(attributes[\"absent\"]) == \"x\"\n    - name == \"drop\"";
    TracesProcessor ignore = create("error_mode: ignore\n" + failing);
    Await.result(ignore.consumeTraces(ProcessorTesting.data(ProcessorTesting.request(List.of(),
        span("keep"), span("drop")))));
    assertEquals(List.of("keep"), out.requests().get(0).getResourceSpans(0).getScopeSpans(0)
        .getSpansList().stream().map(Span::getName).toList());

    TracesProcessor propagate = create(failing);
    Throwable t = Await.failure(propagate.consumeTraces(ProcessorTesting.data(ProcessorTesting.request(List.of(),
        span("keep")))));
    assertTrue(t instanceof RefusedException r && !r.retryable());
    assertTrue(t.getMessage().startsWith("filter: failed to evaluate condition 'ToLowerCase(attributes[\"absent\"])"
        + " == \"x\"': target: expected string but got nil"), t.getMessage());
  }

  @Test
  void configErrorsNameTheirPlace() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ProcessorTesting.config(factory, "traces:\n  span:\n    - name = \"x\""));
    assertTrue(e.getMessage().startsWith("test.yaml:4: block.traces.span[0]: cannot parse OTTL condition (span"
        + " context): expected a comparison operator"), e.getMessage());
    ConfigException metrics = assertThrows(ConfigException.class,
        () -> ProcessorTesting.config(factory, "metrics:\n  metric: ['name == \"x\"']"));
    assertTrue(metrics.getMessage().contains("block.metrics: tailshard carries traces only"), metrics.getMessage());
  }

  private TracesProcessor create(String yaml) {
    TracesProcessor p = factory.createTracesProcessor(
        ProcessorTesting.settings(null, telemetry, "filter"), ProcessorTesting.config(factory, yaml), out);
    Await.result(p.start());
    return p;
  }
}

package io.tailshard.common.processor.transform;

import static io.tailshard.common.processor.ProcessorTesting.kv;
import static io.tailshard.common.processor.ProcessorTesting.plain;
import static io.tailshard.common.processor.ProcessorTesting.span;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailshard.common.component.RefusedException;
import io.tailshard.common.component.TracesProcessor;
import io.tailshard.common.config.ConfigException;
import io.tailshard.common.ottl.ErrorMode;
import io.tailshard.common.ottl.OttlContext;
import io.tailshard.common.processor.ProcessorTesting;
import io.tailshard.common.processor.ProcessorTesting.Recorder;
import io.tailshard.common.telemetry.Telemetry;
import io.tailshard.common.testing.Await;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TransformProcessorTest {
  private final TransformFactory factory = new TransformFactory();

  @Test
  void seed001TransformBlockNamesCodeSpansAndSuffixesKubernetesNodeNames() {
    TransformConfig config = ProcessorTesting.configFromResource(factory, "processors/seed001-processors.yaml", "transform");
    assertEquals(ErrorMode.IGNORE, config.errorMode());
    assertEquals(List.of(OttlContext.SPAN, OttlContext.RESOURCE),
        config.traceGroups().stream().map(TransformConfig.Group::context).toList());
    assertEquals(2, config.ignoredGroups(), "the metric and log groups load but do not run");

    ExportTraceServiceRequest in = ExportTraceServiceRequest.newBuilder()
        .addResourceSpans(ProcessorTesting.request(List.of(kv("service.name", "web"), kv("k8s.node.name", "ip-10-0-1-7")),
            span("StatusesController#create", kv("code.namespace", "Api::V1::StatusesController"),
                kv("code.function", "create")),
            span("GET /health")).getResourceSpans(0))
        .addResourceSpans(ProcessorTesting.request(List.of(kv("service.name", "sidekiq")),
            span("perform", kv("code.namespace", "PushUpdateWorker"))).getResourceSpans(0))
        .build();
    ExportTraceServiceRequest out = run(config, in);

    Map<String, Object> web = plain(out.getResourceSpans(0).getResource().getAttributesList());
    assertEquals("ip-10-0-1-7-k8s-1", web.get("k8s.node.name"));
    assertFalse(plain(out.getResourceSpans(1).getResource().getAttributesList()).containsKey("k8s.node.name"));
    List<Span> webSpans = out.getResourceSpans(0).getScopeSpans(0).getSpansList();
    assertEquals("Api::V1::StatusesController#create", plain(webSpans.get(0).getAttributesList()).get("resource.name"));
    assertFalse(plain(webSpans.get(1).getAttributesList()).containsKey("resource.name"), "no code.namespace, no change");
    assertEquals("PushUpdateWorker#<nil>",
        plain(out.getResourceSpans(1).getScopeSpans(0).getSpans(0).getAttributesList()).get("resource.name"));
  }

  @Test
  void groupsRunInOrderAndAnyConditionLetsTheStatementsRun() {
    TransformConfig config = ProcessorTesting.config(factory, String.join("\n",
        "trace_statements:",
        "  - context: span",
        "    conditions:",
        "      - name == \"a\"",
        "      - attributes[\"force\"] == true",
        "    statements:",
        "      - set(attributes[\"step\"], 1)",
        "      - set(attributes[\"step2\"], attributes[\"step\"])",
        "  - set(resource.attributes[\"tier\"], \"kept\")",
        "  - context: spanevent",
        "    statements:",
        "      - set(attributes[\"span\"], span.name)"));
    assertEquals(List.of(OttlContext.SPAN, OttlContext.RESOURCE, OttlContext.SPANEVENT),
        config.traceGroups().stream().map(TransformConfig.Group::context).toList(), "short form infers the context");
    Span withEvent = span("b", kv("force", true)).toBuilder()
        .addEvents(Span.Event.newBuilder().setName("exception").setTimeUnixNano(1)).build();
    ExportTraceServiceRequest out = run(config,
        ProcessorTesting.request(List.of(kv("service.name", "x")), span("a"), withEvent, span("c")));
    List<Span> spans = out.getResourceSpans(0).getScopeSpans(0).getSpansList();
    assertEquals(Map.of("step", 1L, "step2", 1L), plain(spans.get(0).getAttributesList()));
    assertEquals(1L, plain(spans.get(1).getAttributesList()).get("step2"));
    assertEquals(Map.of(), plain(spans.get(2).getAttributesList()));
    assertEquals("kept", plain(out.getResourceSpans(0).getResource().getAttributesList()).get("tier"));
    assertEquals(Map.of("span", "b"), plain(spans.get(1).getEvents(0).getAttributesList()));
  }

  @Test
  void errorModesDecideWhatAFailingStatementDoes() {
    String statements = String.join("\n",
        "trace_statements:",
        "  - context: span",
        "    statements:",
        "      - set(attributes[\"lower\"], ToLowerCase(attributes[\"absent\"]))",
        "      - set(attributes[\"after\"], true)");
    ExportTraceServiceRequest in = ProcessorTesting.request(List.of(), span("a"));

    TransformConfig propagate = ProcessorTesting.config(factory, statements);
    assertEquals(ErrorMode.PROPAGATE, propagate.errorMode(), "the Collector's default");
    Recorder out = new Recorder();
    TracesProcessor p = factory.createTracesProcessor(ProcessorTesting.settings(null, Telemetry.forTests("t"), "transform"),
        propagate, out);
    Throwable t = Await.failure(p.consumeTraces(ProcessorTesting.data(in)));
    assertTrue(t instanceof RefusedException r && !r.retryable(), String.valueOf(t));
    assertTrue(t.getMessage().contains("transform: failed to run statement 'set(attributes[\"lower\"],"
        + " ToLowerCase(attributes[\"absent\"]))': target: expected string but got nil"), t.getMessage());
    assertTrue(out.received().isEmpty());

    for (String mode : List.of("ignore", "silent")) {
      TransformConfig c = ProcessorTesting.config(factory, "error_mode: " + mode + "\n" + statements);
      Map<String, Object> attrs = plain(run(c, in).getResourceSpans(0).getScopeSpans(0).getSpans(0).getAttributesList());
      assertEquals(Map.of("after", true), attrs, mode);
    }
  }

  @Test
  void aStatementOutsideTheSubsetFailsAtStartupWithItsPathAndColumn() {
    ConfigException e = assertThrows(ConfigException.class, () -> ProcessorTesting.config(factory, String.join("\n",
        "trace_statements:",
        "  - context: span",
        "    statements:",
        "      - set(attributes[\"a\"],",
        "        attributes[\"b\"] attributes[\"c\"])")));
    assertEquals("test.yaml:5: block.trace_statements[0].statements[0]: cannot parse OTTL statement (span context):"
        + " expected ',' or ')' but found 'attributes' at column 38 in: set(attributes[\"a\"], attributes[\"b\"]"
        + " attributes[\"c\"])", e.getMessage());
    ConfigException ctx = assertThrows(ConfigException.class, () -> ProcessorTesting.config(factory,
        "trace_statements: [{context: datapoint, statements: ['set(name, \"x\")']}]"));
    assertTrue(ctx.getMessage().contains("'datapoint' is not a traces context"), ctx.getMessage());
    ConfigException cond = assertThrows(ConfigException.class, () -> ProcessorTesting.config(factory,
        "trace_statements: [{context: resource, conditions: ['name == 1'], statements: ['delete_key(attributes, \"a\")']}]"));
    assertTrue(cond.getMessage().contains("conditions[0]: cannot parse OTTL condition (resource context): unknown path"
        + " 'name' in the resource context at column 1"), cond.getMessage());
  }

  private ExportTraceServiceRequest run(TransformConfig config, ExportTraceServiceRequest in) {
    Recorder out = new Recorder();
    TracesProcessor p = factory.createTracesProcessor(
        ProcessorTesting.settings(null, Telemetry.forTests("t"), "transform"), config, out);
    Await.result(p.start());
    Await.result(p.consumeTraces(ProcessorTesting.data(in)));
    Await.result(p.shutdown());
    return out.requests().get(0);
  }
}

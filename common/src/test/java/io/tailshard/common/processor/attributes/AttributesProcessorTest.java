package io.tailshard.common.processor.attributes;

import static io.tailshard.common.processor.ProcessorTesting.kv;
import static io.tailshard.common.processor.ProcessorTesting.plain;
import static io.tailshard.common.processor.ProcessorTesting.span;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailshard.common.component.TraceData;
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

class AttributesProcessorTest {
  private final AttributesFactory factory = new AttributesFactory();

  @Test
  void seed001SidekiqBlockCopiesTheJobClassIntoResourceNameOfSidekiqSpansOnly() {
    AttributesConfig config =
        ProcessorTesting.configFromResource(factory, "processors/seed001-processors.yaml", "attributes/sidekiq");
    List<Map<String, Object>> out = run(config,
        span("job", kv("messaging.sidekiq.job_class", "PushUpdateWorker"), kv("resource.name", "old")),
        span("web", kv("http.route", "/api/v1/statuses")),
        span("job2", kv("messaging.sidekiq.job_class", "FeedInsertWorker")));
    assertEquals(Map.of("messaging.sidekiq.job_class", "PushUpdateWorker", "resource.name", "PushUpdateWorker"), out.get(0));
    assertEquals(Map.of("http.route", "/api/v1/statuses"), out.get(1));
    assertEquals(Map.of("messaging.sidekiq.job_class", "FeedInsertWorker", "resource.name", "FeedInsertWorker"), out.get(2));
  }

  @Test
  void insertUpdateAndUpsertSetTypedValuesOrCopyFromAnotherAttribute() {
    AttributesConfig config = ProcessorTesting.config(factory, String.join("\n",
        "actions:",
        "  - {key: inserted, value: 42, action: insert}",
        "  - {key: present, value: 'new', action: insert}",
        "  - {key: present2, value: true, action: UPDATE}",
        "  - {key: absent, value: 1.5, action: update}",
        "  - {key: up1, value: \"x\", action: upsert}",
        "  - {key: up2, from_attribute: present, action: upsert}",
        "  - {key: up3, from_attribute: missing, action: upsert}",
        "  - {key: quoted, value: '12', action: insert}"));
    Map<String, Object> attrs = run(config, span("s", kv("present", "old"), kv("present2", "p"), kv("up1", 7L))).get(0);
    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("present", "old");
    expected.put("present2", true);
    expected.put("up1", "x");
    expected.put("inserted", 42L);
    expected.put("up2", "old");
    expected.put("quoted", "12");
    assertEquals(expected, attrs);
    assertEquals(List.copyOf(expected.keySet()), List.copyOf(attrs.keySet()), "updated keys keep their place");
  }

  @Test
  void deleteAndHashTakeAKeyAPatternOrBoth() {
    AttributesConfig config = ProcessorTesting.config(factory, String.join("\n",
        "actions:",
        "  - {key: password, action: delete}",
        "  - {pattern: ^http\\.request\\.header\\., action: delete}",
        "  - {key: user.email, action: hash}",
        "  - {key: user.id, action: hash}",
        "  - {pattern: \"token$\", action: hash}",
        "  - {key: nothing.here, action: hash}"));
    Map<String, Object> attrs = run(config, span("s",
        kv("password", "hunter2"), kv("http.request.header.authorization", "Bearer abc"),
        kv("http.request.header.cookie", "c=1"), kv("http.route", "/login"), kv("user.email", "abc"),
        kv("user.id", 1L), kv("csrf_token", "t"), kv("ok", true))).get(0);
    assertEquals(List.of("http.route", "user.email", "user.id", "csrf_token", "ok"), List.copyOf(attrs.keySet()));
    // SHA-256 of the UTF-8 bytes, lowercase hex.
    assertEquals("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", attrs.get("user.email"));
    // An int is hashed over its 8 little-endian bytes, as the Collector does.
    assertEquals("7c9fa136d4413fa6173637e883b6998d32e1d675f88cddff9dcbcf331820f4b8", attrs.get("user.id"));
    assertEquals("e3b98a4da31a127d4bde6e43033f66ba274cab0eb7eb1c70ec41402bf6273dd8", attrs.get("csrf_token"));
    assertEquals(true, attrs.get("ok"));
  }

  @Test
  void extractSetsOneAttributePerNamedGroupGoSyntaxIncluded() {
    AttributesConfig config = ProcessorTesting.config(factory, String.join("\n",
        "actions:",
        "  - key: http.target",
        "    pattern: ^/api/v1/document/(?P<document_id>[^/]*)/(?P<verb>.*)$",
        "    action: extract"));
    List<Map<String, Object>> out = run(config,
        span("a", kv("http.target", "/api/v1/document/12345678/update"), kv("verb", "old")),
        span("b", kv("http.target", "/other")),
        span("c", kv("http.target", 5L)));
    assertEquals(Map.of("http.target", "/api/v1/document/12345678/update", "verb", "update", "document_id", "12345678"),
        out.get(0));
    assertEquals(Map.of("http.target", "/other"), out.get(1));
    assertEquals(Map.of("http.target", 5L), out.get(2));
  }

  @Test
  void convertChangesTheTypeWhenItCanAndLeavesTheValueOtherwise() {
    AttributesConfig config = ProcessorTesting.config(factory, String.join("\n",
        "actions:",
        "  - {key: a, action: convert, converted_type: int}",
        "  - {key: b, action: convert, converted_type: int}",
        "  - {key: c, action: convert, converted_type: int}",
        "  - {key: d, action: convert, converted_type: double}",
        "  - {key: e, action: convert, converted_type: double}",
        "  - {key: f, action: convert, converted_type: string}",
        "  - {key: g, action: convert, converted_type: string}",
        "  - {key: h, action: convert, converted_type: int}"));
    Map<String, Object> attrs = run(config, span("s",
        kv("a", "123"), kv("b", "12x"), kv("c", 3.9), kv("d", 7L), kv("e", "2.5"), kv("f", 2.0), kv("g", true),
        kv("h", true))).get(0);
    assertEquals(123L, attrs.get("a"));
    assertEquals("12x", attrs.get("b"));
    assertEquals(3L, attrs.get("c"));
    assertEquals(7.0, attrs.get("d"));
    assertEquals(2.5, attrs.get("e"));
    assertEquals("2", attrs.get("f"));
    assertEquals("true", attrs.get("g"));
    assertEquals(1L, attrs.get("h"));
  }

  @Test
  void includeAndExcludeSelectSpansByServiceNameKindAttributeAndLibrary() {
    AttributesConfig config = ProcessorTesting.config(factory, String.join("\n",
        "include:",
        "  match_type: regexp",
        "  services: ['^web']",
        "  span_names: ['GET /.*', 'POST /login']",
        "  span_kinds: [SPAN_KIND_SERVER]",
        "  libraries: [{name: test-.*}]",
        "exclude:",
        "  match_type: strict",
        "  attributes: [{key: http.status_code, value: 404}]",
        "actions:",
        "  - {key: selected, value: true, action: insert}"));
    Recorder out = new Recorder();
    TracesProcessor p = factory.createTracesProcessor(ProcessorTesting.settings(null, Telemetry.forTests("t"), "attributes"), config, out);
    ExportTraceServiceRequest web = ProcessorTesting.request(List.of(kv("service.name", "web-frontend")),
        span("GET /home", kv("http.status_code", 200L)),
        span("GET /missing", kv("http.status_code", 404L)),
        span("POST /login"),
        span("POST /logout"),
        span("GET /client").toBuilder().setKind(Span.SpanKind.SPAN_KIND_CLIENT).build());
    ExportTraceServiceRequest other = ProcessorTesting.request(List.of(kv("service.name", "sidekiq")), span("GET /x"));
    Await.result(p.consumeTraces(ProcessorTesting.data(web)));
    Await.result(p.consumeTraces(ProcessorTesting.data(other)));
    List<Boolean> selected = out.requests().stream()
        .flatMap(r -> r.getResourceSpans(0).getScopeSpans(0).getSpansList().stream())
        .map(s -> plain(s.getAttributesList()).containsKey("selected"))
        .toList();
    assertEquals(List.of(true, false, true, false, false, false), selected);
  }

  @Test
  void strictAttributeMatchComparesTypeAndValueAndRegexpMatchesTheTextAnywhere() {
    AttributesConfig strict = ProcessorTesting.config(factory, String.join("\n",
        "include: {match_type: strict, attributes: [{key: code, value: '200'}]}",
        "actions: [{key: hit, value: 1, action: insert}]"));
    List<Map<String, Object>> out = run(strict, span("a", kv("code", "200")), span("b", kv("code", 200L)));
    assertTrue(out.get(0).containsKey("hit"));
    assertTrue(!out.get(1).containsKey("hit"), "int 200 is not the string '200'");
    AttributesConfig regexp = ProcessorTesting.config(factory, String.join("\n",
        "include: {match_type: regexp, attributes: [{key: code, value: '0'}], resources: [{key: service.name}]}",
        "actions: [{key: hit, value: 1, action: insert}]"));
    List<Map<String, Object>> out2 = run(regexp, span("a", kv("code", 200L)), span("b", kv("code", 11L)));
    assertTrue(out2.get(0).containsKey("hit"));
    assertTrue(!out2.get(1).containsKey("hit"));
  }

  @Test
  void aRequestNothingMatchedPassesOnAsTheSameBytes() {
    AttributesConfig config = ProcessorTesting.config(factory, "actions: [{key: absent, action: delete}]");
    Recorder out = new Recorder();
    TracesProcessor p = factory.createTracesProcessor(
        ProcessorTesting.settings(null, Telemetry.forTests("t"), "attributes"), config, out);
    TraceData in = ProcessorTesting.data(ProcessorTesting.request(List.of(), span("a", kv("x", 1L))));
    Await.result(p.consumeTraces(in));
    assertSame(in, out.received().get(0));
  }

  @Test
  void invalidActionsAreRefusedAtStartupWithTheirPath() {
    assertMessage("block.actions: at least one action is required", "actions: []");
    assertMessage("block.actions[0].action: 'rename' is not allowed; allowed: insert, update, upsert, delete, hash,"
        + " extract, convert", "actions: [{key: a, action: rename}]");
    assertMessage("block.actions[0]: action insert needs exactly one of value or from_attribute",
        "actions: [{key: a, action: insert}]");
    assertMessage("block.actions[0]: action insert needs exactly one of value or from_attribute",
        "actions: [{key: a, value: 1, from_attribute: b, action: insert}]");
    assertMessage("block.actions[0].pattern: has no named groups, so extract would set nothing",
        "actions: [{key: a, pattern: 'a+', action: extract}]");
    assertMessage("block.actions[0].pattern: has an unnamed group; every group of an extract pattern must be named",
        "actions: [{key: a, pattern: '(?P<x>a)(b)', action: extract}]");
    assertMessage("block.actions[0].from_context: not supported", "actions: [{key: a, from_context: x, action: insert}]");
    assertMessage("block.actions[0].converted_type: 'bool' is not allowed; allowed: int, double, string",
        "actions: [{key: a, converted_type: bool, action: convert}]");
    assertMessage("block.include.match_type: required: strict or regexp",
        "include: {services: [a]}\nactions: [{key: a, action: delete}]");
    assertMessage("block.include.log_bodies: applies to logs or metrics, not to spans",
        "include: {match_type: strict, log_bodies: [a]}\nactions: [{key: a, action: delete}]");
    assertMessage("block.exclude: at least one of services, span_names",
        "exclude: {match_type: strict}\nactions: [{key: a, action: delete}]");
    assertMessage("block.include.span_names: invalid regular expression '(': ",
        "include: {match_type: regexp, span_names: ['(']}\nactions: [{key: a, action: delete}]");
  }

  private void assertMessage(String expected, String yaml) {
    ConfigException e = assertThrows(ConfigException.class, () -> ProcessorTesting.config(factory, yaml));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  /** The attributes of each span after the processor, in order. */
  private List<Map<String, Object>> run(AttributesConfig config, Span... spans) {
    Recorder out = new Recorder();
    TracesProcessor p = factory.createTracesProcessor(
        ProcessorTesting.settings(null, Telemetry.forTests("t"), "attributes"), config, out);
    Await.result(p.start());
    Await.result(p.consumeTraces(ProcessorTesting.data(
        ProcessorTesting.request(List.of(kv("service.name", "web")), spans))));
    Await.result(p.shutdown());
    return out.requests().get(0).getResourceSpans(0).getScopeSpans(0).getSpansList().stream()
        .map(s -> plain(s.getAttributesList()))
        .toList();
  }
}

package io.tailshard.common.ottl;

import static io.tailshard.common.processor.ProcessorTesting.kv;
import static io.tailshard.common.processor.ProcessorTesting.plain;
import static io.tailshard.common.processor.ProcessorTesting.span;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.Span;
import io.opentelemetry.proto.trace.v1.Status;
import io.tailshard.common.otlp.model.SpanNode;
import io.tailshard.common.otlp.model.TraceModel;
import io.tailshard.common.processor.ProcessorTesting;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OttlTest {
  /** Runs statements in the span context on one span; returns the span's attributes afterwards. */
  private static Map<String, Object> onSpan(List<String> statements, KeyValue... attributes) {
    TraceModel model = model(span("GET /users", attributes));
    SpanNode s = model.resources().get(0).scopes().get(0).spans().get(0);
    EvalContext ctx = EvalContext.of(s);
    for (String text : statements) {
      Ottl.parseStatement(text, OttlContext.SPAN).execute(ctx);
    }
    return plain(model.toRequest().getResourceSpans(0).getScopeSpans(0).getSpans(0).getAttributesList());
  }

  private static TraceModel model(Span... spans) {
    ExportTraceServiceRequest req = ProcessorTesting.request(
        List.of(kv("service.name", "web"), kv("k8s.node.name", "node-7")), spans);
    try {
      return TraceModel.decode(ProcessorTesting.data(req));
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new AssertionError(e);
    }
  }

  private static boolean cond(String text, Span span) {
    TraceModel model = model(span);
    return Ottl.parseCondition(text, OttlContext.SPAN)
        .eval(EvalContext.of(model.resources().get(0).scopes().get(0).spans().get(0)));
  }

  @Test
  void seed001StatementsAsYamlFoldsThemWork() {
    // YAML folds the seed's multi-line plain scalars into these single lines.
    String spanStatement = "set(attributes[\"resource.name\"], Concat([attributes[\"code.namespace\"],"
        + " attributes[\"code.function\"]], \"#\"))";
    Map<String, Object> attrs = onSpan(List.of(spanStatement),
        kv("code.namespace", "Api::V1::StatusesController"), kv("code.function", "create"));
    assertEquals("Api::V1::StatusesController#create", attrs.get("resource.name"));
    // A missing value prints as <nil>, as in the Collector.
    assertEquals("Ns#<nil>", onSpan(List.of(spanStatement), kv("code.namespace", "Ns")).get("resource.name"));

    TraceModel model = model(span("x"));
    Statement resourceStatement = Ottl.parseStatement(
        "set (attributes[\"k8s.node.name\"], Concat([attributes[\"k8s.node.name\"], \"k8s-1\"], \"-\"))",
        OttlContext.RESOURCE);
    assertTrue(Ottl.parseCondition("attributes[\"k8s.node.name\"] != nil", OttlContext.RESOURCE)
        .eval(EvalContext.of(model.resources().get(0))));
    resourceStatement.execute(EvalContext.of(model.resources().get(0)));
    assertEquals("node-7-k8s-1",
        plain(model.toRequest().getResourceSpans(0).getResource().getAttributesList()).get("k8s.node.name"));
  }

  @Test
  void conditionsCompareWithNilAndCombineWithNotAndOr() {
    Span s = span("GET /users", kv("http.status_code", 503L), kv("user.id", "u1"), kv("ratio", 0.5))
        .toBuilder().setStatus(Status.newBuilder().setCode(Status.StatusCode.STATUS_CODE_ERROR)).build();
    assertTrue(cond("attributes[\"user.id\"] != nil", s));
    assertTrue(cond("attributes[\"missing\"] == nil", s));
    assertFalse(cond("attributes[\"missing\"] != nil", s));
    assertTrue(cond("attributes[\"http.status_code\"] >= 500 and status.code == STATUS_CODE_ERROR", s));
    assertTrue(cond("attributes[\"http.status_code\"] == 503.0", s), "an int equals a float of the same value");
    assertFalse(cond("attributes[\"http.status_code\"] == \"503\"", s), "an int never equals a string");
    // not binds tightest, and before or.
    assertTrue(cond("not name == \"x\" and kind == SPAN_KIND_SERVER", s));
    assertTrue(cond("name == \"x\" or attributes[\"ratio\"] < 1 and true", s));
    assertFalse(cond("not (name == \"GET /users\" or false)", s));
    assertTrue(cond("IsMatch(name, \"^GET /\") and not IsMatch(attributes[\"user.id\"], \"^admin\")", s));
    assertFalse(cond("IsMatch(attributes[\"missing\"], \".*\")", s), "IsMatch on nil is false");
    assertTrue(cond("IsMatch(attributes[\"http.status_code\"], \"^5\\\\d\\\\d$\")", s), "ints match as text");
    assertTrue(cond("resource.attributes[\"service.name\"] == \"web\" and scope.name == \"test-scope\""
        + " and instrumentation_scope.version == \"1.0\" and span.name == name", s));
    assertTrue(cond("trace_id.string == \"00000000000000000000000000000001\" and end_time_unix_nano > start_time_unix_nano", s));
    assertTrue(cond("trace_id == 0x00000000000000000000000000000001", s));
  }

  @Test
  void editorsChangeMapsAsTheCollectorsDo() {
    Map<String, Object> a = onSpan(List.of(
            "delete_key(attributes, \"password\")",
            "delete_matching_keys(attributes, \"(?i)^http\\\\.request\\\\.header\\\\.\")",
            "replace_pattern(attributes[\"http.url\"], \"token=[^&]*\", \"token=***\")",
            "replace_pattern(attributes[\"db.statement\"], \"'([^']*)'\", \"$$1\", SHA256, \"sha:%s\")"),
        kv("password", "p"), kv("HTTP.Request.Header.Authorization", "Bearer x"), kv("http.method", "GET"),
        kv("http.url", "/a?token=abc&x=1&token=def"), kv("db.statement", "select 'bob'"));
    assertEquals(List.of("http.method", "http.url", "db.statement"), List.copyOf(a.keySet()));
    assertEquals("/a?token=***&x=1&token=***", a.get("http.url"));
    // The statement text came from YAML here as Java text: "$$1" is OTTL's own "$$1", a literal "$1".
    assertEquals("select sha:" + Functions.sha256("$1"), a.get("db.statement"));

    Map<String, Object> b = onSpan(List.of(
            "keep_keys(attributes, [\"a\", \"b\", \"long\"])",
            "truncate_all(attributes, 5)",
            "replace_all_patterns(attributes, \"value\", \"^x\", \"y\")",
            "replace_all_patterns(attributes, \"key\", \"^b$\", \"renamed\")"),
        kv("a", "xyz"), kv("b", 1L), kv("c", "gone"), kv("long", "héllo world"));
    assertEquals(Map.of("a", "yyz", "renamed", 1L, "long", "héll"), b);
    assertEquals(List.of("a", "renamed", "long"), List.copyOf(b.keySet()), "a renamed key keeps its place");

    Map<String, Object> c = onSpan(List.of("limit(attributes, 2, [\"z\"])"), kv("x", 1L), kv("y", 2L), kv("z", 3L));
    assertEquals(List.of("x", "z"), List.copyOf(c.keySet()));

    Map<String, Object> d = onSpan(List.of("truncate_all(attributes, 6, truncation_marker = \"...\")"),
        kv("s", "abcdefgh"), kv("t", "short"));
    assertEquals(Map.of("s", "abc...", "t", "short"), d);
  }

  @Test
  void convertersAndSetOnFieldsAndTheCache() {
    Map<String, Object> a = onSpan(List.of(
            "set(attributes[\"lower\"], ToLowerCase(attributes[\"m\"]))",
            "set(attributes[\"upper\"], ToUpperCase(attributes[\"m\"]))",
            "set(attributes[\"hash\"], SHA256(attributes[\"m\"]))",
            "set(attributes[\"second\"], Split(attributes[\"csv\"], \",\")[1])",
            "set(cache[\"parts\"], Split(attributes[\"csv\"], \",\"))",
            "set(attributes[\"parts\"], cache[\"parts\"])",
            "set(attributes[\"nothing\"], attributes[\"absent\"])",
            "set(attributes[\"nested\"][\"k\"], 1)",
            "set(attributes[\"typed\"], [1, 2.5, true, \"s\", nil])",
            "set(name, Concat([name, \"!\"], \"\")) where kind == SPAN_KIND_SERVER",
            "set(attributes[\"name\"], name)"),
        kv("m", "MiXed"), kv("csv", "a,b,,c"));
    assertEquals("mixed", a.get("lower"));
    assertEquals("MIXED", a.get("upper"));
    assertEquals(Functions.sha256("MiXed"), a.get("hash"));
    assertEquals("b", a.get("second"));
    assertFalse(a.containsKey("nothing"), "set with a nil value does nothing");
    assertEquals("GET /users!", a.get("name"));
    assertEquals("[\"a\",\"b\",\"\",\"c\"]",
        io.tailshard.common.otlp.model.Values.asString((io.opentelemetry.proto.common.v1.AnyValue) a.get("parts")));
    assertEquals("{\"k\":1}",
        io.tailshard.common.otlp.model.Values.asString((io.opentelemetry.proto.common.v1.AnyValue) a.get("nested")));
    assertEquals("[1,2.5,true,\"s\",null]",
        io.tailshard.common.otlp.model.Values.asString((io.opentelemetry.proto.common.v1.AnyValue) a.get("typed")));
  }

  @Test
  void runtimeErrorsAreOttlExceptions() {
    OttlException e = assertThrows(OttlException.class,
        () -> onSpan(List.of("set(attributes[\"x\"], ToLowerCase(attributes[\"absent\"]))")));
    assertEquals("target: expected string but got nil", e.getMessage());
    assertThrows(OttlException.class, () -> onSpan(List.of("delete_key(attributes[\"s\"], \"k\")"), kv("s", "str")));
  }

  @Test
  void parseErrorsNameTheColumn() {
    assertParseError("set(attributes[\"x\"] \"y\")", 21, "expected ',' or ')' but found string \"y\"");
    assertParseError("set(attributes[\"x\"], Concat([\"a\"], \"-\")", 40, "expected ',' or ')' but found the end");
    assertParseError("sett(attributes[\"x\"], 1)", 1, "unknown editor 'sett'; supported: set, delete_key");
    assertParseError("set(atributes[\"x\"], 1)", 5, "unknown path 'atributes' in the span context");
    assertParseError("set(attributes[\"x\"], Upper(name))", 22, "unknown converter 'Upper'");
    assertParseError("set(attributes[\"x\"], 1 + 2)", 24, "math expressions (+ - * /) are not supported");
    assertParseError("set(attributes[\"x\"], \"open)", 22, "string is not closed");
    assertParseError("set(attributes[\"x\"])", 1, "set needs its argument 'value'");
    assertParseError("set(\"x\", 1)", 5, "set's target must be a path");
    assertParseError("set(name, 1) where", 19, "expected a condition but the text ended");
    assertParseError("set(name, 1) where name", 24, "expected a comparison operator");
    assertParseError("replace_pattern(name, \"(\", \"x\")", 23, "invalid regular expression in replace_pattern's regex");
    assertParseError("set(name, SPAN_KIND_SERVR)", 11, "unknown enum 'SPAN_KIND_SERVR'");
    assertParseError("set(name, \"a\\d\")", 13, "unknown escape '\\d'");
    assertParseError("truncate_all(attributes, -1)", 26, "cannot be negative");
    assertParseError("replace_all_patterns(attributes, \"keys\", \"a\", \"b\")", 34, "invalid mode 'keys'");
    OttlParseException e = assertThrows(OttlParseException.class,
        () -> Ottl.parseCondition("attributes[\"a\"] === 1", OttlContext.SPAN));
    assertEquals(19, e.column());
    assertThrows(OttlParseException.class, () -> Ottl.parseStatement("set(name, \"x\")", OttlContext.RESOURCE),
        "a resource has no name");
  }

  private static void assertParseError(String statement, int column, String problem) {
    OttlParseException e = assertThrows(OttlParseException.class,
        () -> Ottl.parseStatement(statement, OttlContext.SPAN), statement);
    assertTrue(e.problem().startsWith(problem) || e.problem().contains(problem), e.getMessage());
    assertEquals(column, e.column(), e.getMessage());
    assertTrue(e.getMessage().endsWith(" at column " + column + " in: " + statement), e.getMessage());
  }
}

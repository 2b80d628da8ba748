package io.tailshard.common.processor.redaction;

import static io.tailshard.common.processor.ProcessorTesting.kv;
import static io.tailshard.common.processor.ProcessorTesting.plain;
import static io.tailshard.common.processor.ProcessorTesting.span;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.trace.v1.Span;
import io.tailshard.common.component.TracesProcessor;
import io.tailshard.common.config.ConfigException;
import io.tailshard.common.processor.ProcessorTesting;
import io.tailshard.common.processor.ProcessorTesting.Recorder;
import io.tailshard.common.telemetry.Telemetry;
import io.tailshard.common.testing.Await;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactionProcessorTest {
  private static final String TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMDkzNDgxMzQxMjMifQ.c2lnbmF0dXJl";
  private final RedactionFactory factory = new RedactionFactory();

  @Test
  void seed000TokensAndUserIdentifiersAreGoneWhilePathsAndTimingsStay() {
    RedactionConfig config = ProcessorTesting.configFromResource(factory, "processors/seed000-pii.yaml", "redaction/pii");
    Span request = span("GET /api/v1/accounts/:id/statuses",
        kv("http.method", "GET"),
        kv("http.route", "/api/v1/accounts/:id/statuses"),
        kv("http.target", "/api/v1/accounts/109348134123/statuses?limit=20"),
        kv("http.url", "https://mastodon.social/api/v1/timelines/home?access_token=" + TOKEN + "&limit=40"),
        kv("http.status_code", 200L),
        kv("http.request.header.authorization", "Bearer " + TOKEN),
        kv("http.request.header.cookie", "_mastodon_session=0a1b2c3d4e5f"),
        kv("user.id", "109348134123"),
        kv("enduser.id", "alice@mastodon.social"))
        .toBuilder()
        .addEvents(Span.Event.newBuilder().setName("exception").setTimeUnixNano(1_100_000_000L)
            .addAttributes(kv("exception.type", "Mastodon::NotPermittedError"))
            .addAttributes(kv("exception.message", "Bearer " + TOKEN + " is not permitted for alice@mastodon.social")))
        .build();
    ExportTraceServiceRequest in = ProcessorTesting.request(
        List.of(kv("service.name", "mastodon-web"), kv("host.name", "web-7f9c")), request);

    Recorder out = new Recorder();
    TracesProcessor p = factory.createTracesProcessor(
        ProcessorTesting.settings(null, Telemetry.forTests("t"), "redaction/pii"), config, out);
    Await.result(p.consumeTraces(ProcessorTesting.data(in)));
    byte[] exported = out.received().get(0).toByteArray();
    ExportTraceServiceRequest result = ProcessorTesting.decode(out.received().get(0));
    Span s = result.getResourceSpans(0).getScopeSpans(0).getSpans(0);

    // Nothing of the token, the session or the user's address leaves, anywhere in the request.
    String all = new String(exported, StandardCharsets.ISO_8859_1);
    assertFalse(all.contains(TOKEN), "the bearer token was exported");
    assertFalse(all.contains("0a1b2c3d4e5f"), "the session cookie was exported");
    assertFalse(all.contains("alice@mastodon.social"), "the user's address was exported");

    Map<String, Object> expected = new LinkedHashMap<>();
    expected.put("http.method", "GET");
    expected.put("http.route", "/api/v1/accounts/:id/statuses");
    expected.put("http.target", "/api/v1/accounts/109348134123/statuses?limit=20");
    expected.put("http.url", "https://mastodon.social/api/v1/timelines/home?****&limit=40");
    expected.put("http.status_code", 200L);
    expected.put("redaction.redacted.keys",
        "enduser.id,http.request.header.authorization,http.request.header.cookie,user.id");
    expected.put("redaction.redacted.count", 4L);
    expected.put("redaction.masked.keys", "http.url");
    expected.put("redaction.masked.count", 1L);
    expected.put("redaction.ignored.count", 1L);
    assertEquals(expected, plain(s.getAttributesList()));

    // Paths and timings are intact.
    assertEquals(request.getName(), s.getName());
    assertEquals(request.getStartTimeUnixNano(), s.getStartTimeUnixNano());
    assertEquals(request.getEndTimeUnixNano(), s.getEndTimeUnixNano());
    assertEquals(request.getTraceId(), s.getTraceId());
    assertEquals(request.getSpanId(), s.getSpanId());
    assertEquals(request.getEvents(0).getTimeUnixNano(), s.getEvents(0).getTimeUnixNano());
    assertEquals(Map.of("exception.type", "Mastodon::NotPermittedError", "redaction.redacted.keys", "exception.message",
        "redaction.redacted.count", 1L), plain(s.getEvents(0).getAttributesList()));
    // Resource attributes go through the same rules: host.name is not on the list.
    assertEquals("mastodon-web", plain(result.getResourceSpans(0).getResource().getAttributesList()).get("service.name"));
    assertFalse(plain(result.getResourceSpans(0).getResource().getAttributesList()).containsKey("host.name"));
  }

  @Test
  void allowAllKeysWithBlockedValuesMasksOnlyTheMatchesAndAllowedValuesWin() {
    RedactionConfig config = ProcessorTesting.config(factory, String.join("\n",
        "allow_all_keys: true",
        "blocked_values: ['4[0-9]{12}(?:[0-9]{3})?', 'secret']",
        "allowed_values: ['@mycompany\\.com$']",
        "blocked_key_patterns: ['.*password.*']",
        "ignored_keys: [safe]",
        "summary: info"));
    Map<String, Object> attrs = run(config, span("s",
        kv("card", "paid with 4111111111111111 today"), kv("note", "secret secret"),
        kv("email", "secret@mycompany.com"), kv("db.password", "hunter2"), kv("safe", "secret"), kv("n", 4111111111111111L)));
    assertEquals("paid with **** today", attrs.get("card"));
    assertEquals("**** ****", attrs.get("note"));
    assertEquals("secret@mycompany.com", attrs.get("email"), "an allowed value is never masked");
    assertEquals("****", attrs.get("db.password"));
    assertEquals("secret", attrs.get("safe"));
    assertEquals(4111111111111111L, attrs.get("n"), "non-string values are left alone without redact_all_types");
    assertEquals(3L, attrs.get("redaction.masked.count"));
    assertEquals(1L, attrs.get("redaction.allowed.count"));
    assertFalse(attrs.containsKey("redaction.masked.keys"), "info gives counts only");

    RedactionConfig allTypes = ProcessorTesting.config(factory,
        "allow_all_keys: true\nredact_all_types: true\nhash_function: sha1\nblocked_values: ['^4[0-9]{15}$']");
    assertEquals("3a36e39a4f54b1d63d9ba0f19a6b3c81b0e7d0bd".length(),
        ((String) run(allTypes, span("s", kv("n", 4111111111111111L))).get("n")).length(), "hashed as hex SHA-1");
  }

  @Test
  void anEmptyAllowListFailsClosed() {
    Map<String, Object> attrs = run(ProcessorTesting.config(factory, "{}"), span("s", kv("a", "1"), kv("b", 2L)));
    assertEquals(Map.of(), attrs);
  }

  @Test
  void unsupportedSanitizersAndBadPatternsAreRefused() {
    assertTrue(assertThrows(ConfigException.class, () -> ProcessorTesting.config(factory, "url_sanitizer: {enabled: true}"))
        .getMessage().contains("block.url_sanitizer: not supported"));
    assertTrue(assertThrows(ConfigException.class, () -> ProcessorTesting.config(factory, "blocked_values: ['(']"))
        .getMessage().contains("block.blocked_values: invalid regular expression '('"));
    assertTrue(assertThrows(ConfigException.class, () -> ProcessorTesting.config(factory, "summary: verbose"))
        .getMessage().contains("'verbose' is not allowed; allowed: debug, info, silent"));
  }

  private Map<String, Object> run(RedactionConfig config, Span span) {
    Recorder out = new Recorder();
    TracesProcessor p = factory.createTracesProcessor(
        ProcessorTesting.settings(null, Telemetry.forTests("t"), "redaction"), config, out);
    Await.result(p.consumeTraces(ProcessorTesting.data(ProcessorTesting.request(List.of(), span))));
    return plain(out.requests().get(0).getResourceSpans(0).getScopeSpans(0).getSpans(0).getAttributesList());
  }
}

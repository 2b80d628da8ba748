package io.tailshard.common.processor.redaction;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.component.TracesConsumer;
import io.tailshard.common.component.TracesProcessor;
import io.tailshard.common.config.GoRegex;
import io.tailshard.common.otlp.model.AttributeMap;
import io.tailshard.common.otlp.model.EventNode;
import io.tailshard.common.otlp.model.ResourceNode;
import io.tailshard.common.otlp.model.ScopeNode;
import io.tailshard.common.otlp.model.SpanNode;
import io.tailshard.common.otlp.model.TraceModel;
import io.tailshard.common.otlp.model.Values;
import io.tailshard.common.processor.internal.KeptTraces;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Deletes attributes not allowed and masks blocked values in the attributes of every resource,
 * scope, span and span event of kept traces, in the Collector's order: for each attribute, an
 * ignored key passes; a key not allowed is deleted; an allowed value passes; a blocked key has its
 * whole value masked; otherwise each blocked-value pattern masks its matches. Optionally it
 * summarizes what it did in {@code redaction.*} attributes on the same element. Thread-safe.
 */
final class RedactionProcessor implements TracesProcessor {
  static final String REDACTED_KEYS = "redaction.redacted.keys";
  static final String REDACTED_COUNT = "redaction.redacted.count";
  static final String MASKED_KEYS = "redaction.masked.keys";
  static final String MASKED_COUNT = "redaction.masked.count";
  static final String ALLOWED_KEYS = "redaction.allowed.keys";
  static final String ALLOWED_COUNT = "redaction.allowed.count";
  static final String IGNORED_COUNT = "redaction.ignored.count";
  /** The summary's own keys stay allowed, so a second redaction processor keeps them. */
  private static final List<String> SUMMARY_KEYS = List.of(REDACTED_KEYS, REDACTED_COUNT, MASKED_KEYS, MASKED_COUNT,
      ALLOWED_KEYS, ALLOWED_COUNT, IGNORED_COUNT, "redaction.body.redacted.keys", "redaction.body.redacted.count",
      "redaction.body.masked.keys", "redaction.body.masked.count", "redaction.body.allowed.keys",
      "redaction.body.allowed.count", "redaction.body.ignored.count");
  private static final GoRegex WHOLE_VALUE = GoRegex.compile(".*");

  private final String id;
  private final RedactionConfig config;
  private final TracesConsumer next;
  private final Set<String> allowed;
  private final Set<String> ignored;

  RedactionProcessor(ComponentSettings settings, RedactionConfig config, TracesConsumer next) {
    this.id = settings.id().toString();
    this.config = config;
    this.next = next;
    this.allowed = new HashSet<>(config.allowedKeys());
    allowed.addAll(SUMMARY_KEYS);
    this.ignored = new HashSet<>(config.ignoredKeys());
  }

  @Override
  public Future<Void> start() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> consumeTraces(TraceData data) {
    return KeptTraces.edit(id, data, next, this::redact);
  }

  private void redact(TraceModel model) {
    for (ResourceNode r : model.resources()) {
      process(r.attributes());
      for (ScopeNode s : r.scopes()) {
        process(s.attributes());
        for (SpanNode span : s.spans()) {
          process(span.attributes());
          for (EventNode e : span.events()) {
            process(e.attributes());
          }
        }
      }
    }
  }

  /** Redacts one attribute map; see the class comment for the order of the rules. */
  void process(AttributeMap attrs) {
    if (attrs.isEmpty()) {
      return;
    }
    List<String> redacted = new ArrayList<>();
    List<String> masked = new ArrayList<>();
    List<String> allowedValues = new ArrayList<>();
    List<String> ignoredKeys = new ArrayList<>();
    for (Map.Entry<String, AnyValue> e : List.copyOf(attrs.entries())) {
      String key = e.getKey();
      AnyValue value = e.getValue();
      if (ignoredKey(key)) {
        ignoredKeys.add(key);
        continue;
      }
      if (!config.allowAllKeys() && !allowed.contains(key)) {
        redacted.add(key);
        continue;
      }
      // As the Collector: a non-string value reads as "" unless redact_all_types asks for its text.
      String text = config.redactAllTypes() ? Values.asString(value)
          : value.getValueCase() == AnyValue.ValueCase.STRING_VALUE ? value.getStringValue() : "";
      if (matchesAny(config.allowedValues(), text)) {
        allowedValues.add(key);
        continue;
      }
      if (matchesAny(config.blockedKeyPatterns(), key)) {
        masked.add(key);
        attrs.put(key, Values.string(mask(text, WHOLE_VALUE)));
        continue;
      }
      String result = text;
      for (GoRegex blocked : config.blockedValues()) {
        if (blocked.find(result)) {
          result = mask(result, blocked);
        }
      }
      if (!result.equals(text)) {
        masked.add(key);
        attrs.put(key, Values.string(result));
      }
    }
    redacted.forEach(attrs::remove);
    summarize(attrs, redacted, REDACTED_KEYS, REDACTED_COUNT);
    summarize(attrs, masked, MASKED_KEYS, MASKED_COUNT);
    summarize(attrs, allowedValues, ALLOWED_KEYS, ALLOWED_COUNT);
    summarize(attrs, ignoredKeys, null, IGNORED_COUNT);
  }

  private boolean ignoredKey(String key) {
    return ignored.contains(key) || matchesAny(config.ignoredKeyPatterns(), key);
  }

  private static boolean matchesAny(List<GoRegex> patterns, String s) {
    for (GoRegex p : patterns) {
      if (p.find(s)) {
        return true;
      }
    }
    return false;
  }

  private String mask(String value, GoRegex pattern) {
    return pattern.replaceAllFunc(value, match -> {
      switch (config.hashFunction()) {
        case "md5":
          return hash("MD5", match);
        case "sha1":
          return hash("SHA-1", match);
        case "sha3":
          return hash("SHA3-256", match);
        default:
          return "****";
      }
    });
  }

  private static String hash(String algorithm, String s) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(s.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has " + algorithm, e);
    }
  }

  /** The Collector's summary attributes, merged with those of an earlier redaction processor. */
  private void summarize(AttributeMap attrs, List<String> keys, String keysAttr, String countAttr) {
    if (keys.isEmpty() || config.summary().equals("silent")) {
      return;
    }
    if (config.summary().equals("debug") && keysAttr != null) {
      List<String> all = new ArrayList<>(keys);
      AnyValue existing = attrs.get(keysAttr);
      if (existing != null && !existing.getStringValue().isEmpty()) {
        all.addAll(Arrays.asList(existing.getStringValue().split(",")));
      }
      Collections.sort(all);
      attrs.put(keysAttr, Values.string(String.join(",", all)));
    }
    long count = keys.size();
    AnyValue existing = attrs.get(countAttr);
    if (existing != null) {
      count += existing.getIntValue();
    }
    attrs.put(countAttr, Values.integer(count));
  }

  @Override
  public Future<Void> shutdown() {
    return Future.succeededFuture();
  }
}

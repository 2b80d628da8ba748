package io.tailshard.common.processor.internal;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.config.ConfigNode;
import io.tailshard.common.config.GoRegex;
import io.tailshard.common.otlp.model.AttributeMap;
import io.tailshard.common.otlp.model.SpanNode;
import io.tailshard.common.otlp.model.Values;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.PatternSyntaxException;

/**
 * The Collector's {@code include} / {@code exclude} span matching (its {@code filterspan}): a span
 * matches one block when it matches every property the block lists.
 *
 * <ul>
 *   <li>{@code match_type} (required): {@code strict} (exact equality) or {@code regexp} (Go
 *       syntax, matching anywhere in the text unless anchored); {@code regexp:} cache options are
 *       accepted and need nothing here;
 *   <li>{@code services}: the resource's {@code service.name} is one of them;
 *   <li>{@code span_names}: the span's name is one of them;
 *   <li>{@code span_kinds}: the kind, written {@code SPAN_KIND_SERVER} and so on, is one of them;
 *   <li>{@code attributes} / {@code resources}: every listed {@code key} is present among the span's
 *       / the resource's attributes and, when a {@code value} is given, equal to it (strict: same
 *       type and value; regexp: the value, as text, matches);
 *   <li>{@code libraries}: the scope's {@code name} (and {@code version}, when given) matches, for
 *       each listed library.
 * </ul>
 *
 * {@link #skip} combines an include and an exclude block as the Collector does: a span is processed
 * when it matches include (or there is none) and does not match exclude. Immutable, thread-safe.
 */
public final class SpanMatcher {
  private static final List<String> SPAN_ONLY_FIELDS =
      List.of("log_bodies", "log_severity_texts", "log_severity_number", "metric_names");
  private static final String[] KINDS = {
    "SPAN_KIND_UNSPECIFIED", "SPAN_KIND_INTERNAL", "SPAN_KIND_SERVER", "SPAN_KIND_CLIENT", "SPAN_KIND_PRODUCER",
    "SPAN_KIND_CONSUMER"
  };

  private record StringSet(boolean regexp, List<String> strict, List<GoRegex> patterns) {
    boolean matches(String s) {
      if (!regexp) {
        return strict.contains(s);
      }
      for (GoRegex p : patterns) {
        if (p.find(s)) {
          return true;
        }
      }
      return false;
    }
  }

  private record AttributeMatch(String key, AnyValue strictValue, GoRegex pattern) {}

  private record LibraryMatch(StringSet name, StringSet version) {}

  private final StringSet services;
  private final StringSet spanNames;
  private final StringSet spanKinds;
  private final List<AttributeMatch> attributes;
  private final List<AttributeMatch> resources;
  private final List<LibraryMatch> libraries;

  private SpanMatcher(StringSet services, StringSet spanNames, StringSet spanKinds, List<AttributeMatch> attributes,
      List<AttributeMatch> resources, List<LibraryMatch> libraries) {
    this.services = services;
    this.spanNames = spanNames;
    this.spanKinds = spanKinds;
    this.attributes = attributes;
    this.resources = resources;
    this.libraries = libraries;
  }

  /** Reads an {@code include} or {@code exclude} block; empty when the block is absent. */
  public static Optional<SpanMatcher> parse(ConfigMap parent, String key) {
    Optional<ConfigNode> node = parent.get(key);
    if (node.isEmpty() || node.get().isNull()) {
      return Optional.empty();
    }
    ConfigMap m = node.get().asMap();
    String type = m.oneOf("match_type", "", "strict", "regexp");
    if (type.isEmpty()) {
      throw m.error("match_type", "required: strict or regexp");
    }
    boolean regexp = type.equals("regexp");
    ConfigMap cache = m.map("regexp");
    cache.bool("cacheenabled", false);
    cache.integer("cachemaxnumentries", 0, 0, Integer.MAX_VALUE);
    cache.done();
    StringSet services = strings(m, "services", regexp);
    StringSet names = strings(m, "span_names", regexp);
    StringSet kinds = strings(m, "span_kinds", regexp);
    List<AttributeMatch> attributes = attributes(m, "attributes", regexp);
    List<AttributeMatch> resources = attributes(m, "resources", regexp);
    List<LibraryMatch> libraries = new ArrayList<>();
    for (ConfigMap lib : m.mapList("libraries")) {
      String name = lib.requiredString("name");
      Optional<ConfigNode> version = lib.get("version");
      libraries.add(new LibraryMatch(
          set(lib, "name", List.of(name), regexp),
          version.isEmpty() || version.get().isNull() ? null : set(lib, "version", List.of(version.get().text()), regexp)));
      lib.done();
    }
    for (String field : SPAN_ONLY_FIELDS) {
      if (m.has(field)) {
        throw m.error(field, "applies to logs or metrics, not to spans");
      }
    }
    m.done();
    if (services == null && names == null && kinds == null && attributes.isEmpty() && resources.isEmpty()
        && libraries.isEmpty()) {
      throw m.error("at least one of services, span_names, span_kinds, attributes, resources or libraries"
          + " must be given");
    }
    return Optional.of(new SpanMatcher(services, names, kinds, attributes, resources, libraries));
  }

  private static StringSet strings(ConfigMap m, String key, boolean regexp) {
    List<String> values = m.stringList(key, List.of());
    return values.isEmpty() ? null : set(m, key, values, regexp);
  }

  private static StringSet set(ConfigMap m, String key, List<String> values, boolean regexp) {
    List<GoRegex> patterns = new ArrayList<>();
    if (regexp) {
      for (String v : values) {
        patterns.add(compile(m, key, v));
      }
    }
    return new StringSet(regexp, List.copyOf(values), patterns);
  }

  private static GoRegex compile(ConfigMap m, String key, String pattern) {
    try {
      return GoRegex.compile(pattern);
    } catch (PatternSyntaxException e) {
      throw m.error(key, "invalid regular expression '" + pattern + "': " + e.getDescription());
    }
  }

  private static List<AttributeMatch> attributes(ConfigMap m, String key, boolean regexp) {
    List<AttributeMatch> out = new ArrayList<>();
    for (ConfigMap a : m.mapList(key)) {
      String k = a.requiredString("key");
      if (k.isEmpty()) {
        throw a.error("key", "must not be empty");
      }
      Optional<ConfigNode> value = a.get("value");
      a.done();
      if (value.isEmpty() || value.get().isNull()) {
        out.add(new AttributeMatch(k, null, null));
      } else if (regexp) {
        if (!value.get().isScalar() || ConfigValues.toAnyValue(value.get()).getValueCase()
            != AnyValue.ValueCase.STRING_VALUE) {
          throw a.error("value", "match_type regexp takes a string value for '" + k + "', found " + value.get().describe());
        }
        out.add(new AttributeMatch(k, null, compile(a, "value", value.get().text())));
      } else {
        out.add(new AttributeMatch(k, ConfigValues.toAnyValue(value.get()), null));
      }
    }
    return List.copyOf(out);
  }

  /**
   * True when a span is to be left alone: it does not match {@code include} (when given) or it
   * matches {@code exclude} (when given).
   */
  public static boolean skip(Optional<SpanMatcher> include, Optional<SpanMatcher> exclude, SpanNode span) {
    if (include.isPresent() && !include.get().matches(span)) {
      return true;
    }
    return exclude.isPresent() && exclude.get().matches(span);
  }

  /** True when the span has every property this block lists. */
  public boolean matches(SpanNode span) {
    if (services != null) {
      AnyValue service = span.resource().attributes().get("service.name");
      if (!services.matches(service == null ? "<nil-service-name>" : Values.asString(service))) {
        return false;
      }
    }
    if (spanNames != null && !spanNames.matches(span.proto().getName())) {
      return false;
    }
    if (spanKinds != null) {
      int kind = span.proto().getKindValue();
      if (!spanKinds.matches(kind >= 0 && kind < KINDS.length ? KINDS[kind] : "")) {
        return false;
      }
    }
    for (LibraryMatch lib : libraries) {
      if (!lib.name().matches(span.scope().name())) {
        return false;
      }
      if (lib.version() != null && !lib.version().matches(span.scope().version())) {
        return false;
      }
    }
    if (!resources.isEmpty() && !matchAll(resources, span.resource().attributes())) {
      return false;
    }
    return attributes.isEmpty() || matchAll(attributes, span.attributes());
  }

  private static boolean matchAll(List<AttributeMatch> wanted, AttributeMap attrs) {
    for (AttributeMatch w : wanted) {
      AnyValue v = attrs.get(w.key());
      if (v == null) {
        return false;
      }
      if (w.pattern() != null) {
        String text;
        switch (v.getValueCase()) {
          case STRING_VALUE:
          case BOOL_VALUE:
          case INT_VALUE:
          case DOUBLE_VALUE:
            text = Values.asString(v);
            break;
          default:
            return false;
        }
        if (!w.pattern().find(text)) {
          return false;
        }
      } else if (w.strictValue() != null && !w.strictValue().equals(v)) {
        return false;
      }
    }
    return true;
  }
}

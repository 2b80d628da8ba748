package io.tailshard.common.processor.filter;

import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.config.ConfigNode;
import io.tailshard.common.ottl.Condition;
import io.tailshard.common.ottl.ErrorMode;
import io.tailshard.common.ottl.OttlContext;
import io.tailshard.common.processor.internal.OttlConfigs;
import io.tailshard.common.processor.internal.SpanMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code filter} processor's config for traces, as the Collector's:
 *
 * <ul>
 *   <li>{@code error_mode} (default {@code propagate}): see {@link ErrorMode};
 *   <li>{@code traces.span}: OTTL conditions in the span context; a span for which any holds is
 *       dropped;
 *   <li>{@code traces.spanevent}: OTTL conditions in the span event context; an event for which any
 *       holds is dropped from its span;
 *   <li>{@code spans.include} / {@code spans.exclude}: the older form, with the attributes
 *       processor's matching (see {@link SpanMatcher}): spans not included, or excluded, are dropped.
 *       It cannot be combined with {@code traces}, as in the Collector.
 * </ul>
 *
 * {@code metrics} and {@code logs} blocks are refused: tailshard carries traces only.
 */
public record FilterConfig(ErrorMode errorMode, List<Condition> span, List<Condition> spanEvent,
    Optional<SpanMatcher> include, Optional<SpanMatcher> exclude) {

  static FilterConfig parse(ConfigMap m) {
    ErrorMode mode = OttlConfigs.errorMode(m, ErrorMode.PROPAGATE);
    ConfigMap traces = m.map("traces");
    List<Condition> span = conditions(traces, "span", OttlContext.SPAN);
    List<Condition> events = conditions(traces, "spanevent", OttlContext.SPANEVENT);
    traces.done();
    ConfigMap spans = m.map("spans");
    Optional<SpanMatcher> include = SpanMatcher.parse(spans, "include");
    Optional<SpanMatcher> exclude = SpanMatcher.parse(spans, "exclude");
    spans.done();
    for (String other : List.of("metrics", "logs")) {
      if (m.has(other)) {
        throw m.error(other, "tailshard carries traces only: remove the " + other + " block (or use traces)");
      }
    }
    m.done();
    if ((include.isPresent() || exclude.isPresent()) && (!span.isEmpty() || !events.isEmpty())) {
      throw m.error("spans", "cannot be used together with traces conditions; use one or the other");
    }
    return new FilterConfig(mode, span, events, include, exclude);
  }

  private static List<Condition> conditions(ConfigMap m, String key, OttlContext context) {
    List<Condition> out = new ArrayList<>();
    for (ConfigNode n : m.list(key, n -> n)) {
      out.add(OttlConfigs.condition(n, context));
    }
    return List.copyOf(out);
  }
}

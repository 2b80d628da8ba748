package io.tailshard.common.processor.filter;

import io.tailshard.common.component.ComponentSettings;
import io.tailshard.common.component.RefusedException;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.component.TracesConsumer;
import io.tailshard.common.component.TracesProcessor;
import io.tailshard.common.otlp.model.EventNode;
import io.tailshard.common.otlp.model.ResourceNode;
import io.tailshard.common.otlp.model.ScopeNode;
import io.tailshard.common.otlp.model.SpanNode;
import io.tailshard.common.otlp.model.TraceModel;
import io.tailshard.common.ottl.Condition;
import io.tailshard.common.ottl.ErrorMode;
import io.tailshard.common.ottl.EvalContext;
import io.tailshard.common.ottl.OttlException;
import io.tailshard.common.processor.internal.KeptTraces;
import io.tailshard.common.processor.internal.SpanMatcher;
import io.tailshard.common.processor.internal.ThrottledLog;
import io.tailshard.common.telemetry.MetricRegistry;
import io.vertx.core.Future;
import java.util.List;

/**
 * Drops spans and span events of kept traces that match its conditions, then scopes and resources
 * left without spans; a request left with no span at all is acknowledged without going downstream
 * (the Collector's "skip processing"). Dropped spans are counted as
 * {@code otelcol_processor_filter_spans_filtered} (label {@code filter=<id>}).
 *
 * <p>A condition that fails is handled by {@code error_mode}: {@code propagate} refuses the whole
 * request permanently; {@code ignore} (logged, throttled) and {@code silent} treat it as not matched,
 * so the span is kept. Thread-safe.
 */
final class FilterProcessor implements TracesProcessor {
  private final String id;
  private final FilterConfig config;
  private final TracesConsumer next;
  private final ThrottledLog errors;
  private final MetricRegistry.Counter filtered;

  FilterProcessor(ComponentSettings settings, FilterConfig config, TracesConsumer next) {
    this.id = settings.id().toString();
    this.config = config;
    this.next = next;
    this.errors = new ThrottledLog(settings.logger());
    this.filtered = settings.telemetry().metrics().counter("otelcol_processor_filter_spans_filtered",
        "Number of spans dropped by the filter processor", "filter", id);
  }

  @Override
  public Future<Void> start() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> consumeTraces(TraceData data) {
    return KeptTraces.edit(id, data, next, this::filter);
  }

  private void filter(TraceModel model) {
    int dropped = 0;
    for (ResourceNode r : model.resources()) {
      for (ScopeNode s : r.scopes()) {
        for (SpanNode span : s.spans()) {
          if (dropSpan(span)) {
            span.remove();
            dropped++;
            continue;
          }
          if (!config.spanEvent().isEmpty()) {
            for (EventNode e : span.events()) {
              if (any(config.spanEvent(), EvalContext.of(e))) {
                e.remove();
              }
            }
          }
        }
      }
    }
    if (dropped > 0) {
      model.removeEmpty();
      filtered.add(dropped);
    }
  }

  private boolean dropSpan(SpanNode span) {
    if (config.include().isPresent() || config.exclude().isPresent()) {
      return SpanMatcher.skip(config.include(), config.exclude(), span);
    }
    return !config.span().isEmpty() && any(config.span(), EvalContext.of(span));
  }

  private boolean any(List<Condition> conditions, EvalContext ctx) {
    for (Condition c : conditions) {
      try {
        if (c.eval(ctx)) {
          return true;
        }
      } catch (OttlException e) {
        if (config.errorMode() == ErrorMode.PROPAGATE) {
          throw RefusedException.permanent(id + ": failed to evaluate condition '" + c.text() + "': " + e.getMessage());
        }
        if (config.errorMode() == ErrorMode.IGNORE) {
          errors.warn("failed to evaluate condition '" + c.text() + "': " + e.getMessage()
              + " (error_mode ignore: the element is kept)");
        }
      }
    }
    return false;
  }

  @Override
  public Future<Void> shutdown() {
    return Future.succeededFuture();
  }
}

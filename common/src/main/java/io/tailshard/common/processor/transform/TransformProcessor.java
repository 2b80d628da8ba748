package io.tailshard.common.processor.transform;

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
import io.tailshard.common.ottl.OttlContext;
import io.tailshard.common.ottl.OttlException;
import io.tailshard.common.ottl.Statement;
import io.tailshard.common.processor.internal.KeptTraces;
import io.tailshard.common.processor.internal.ThrottledLog;
import io.tailshard.common.processor.transform.TransformConfig.Group;
import io.vertx.core.Future;

/**
 * Runs the configured OTTL statement groups over kept traces, in order: each group visits every
 * element of its context (every resource, scope, span or span event) and, when one of its
 * conditions holds (or it has none), runs its statements on that element in order.
 *
 * <p>A failing condition or statement is handled by the group's error mode (else the processor's):
 * {@code ignore} logs it (throttled) and goes on with the next statement, {@code silent} goes on,
 * {@code propagate} refuses the whole request permanently with the statement and the error. A
 * condition that fails counts as false under ignore and silent.
 *
 * <p>Stateless apart from the log throttle; thread-safe.
 */
final class TransformProcessor implements TracesProcessor {
  private final String id;
  private final TransformConfig config;
  private final TracesConsumer next;
  private final ThrottledLog errors;

  TransformProcessor(ComponentSettings settings, TransformConfig config, TracesConsumer next) {
    this.id = settings.id().toString();
    this.config = config;
    this.next = next;
    this.errors = new ThrottledLog(settings.logger());
    if (config.ignoredGroups() > 0) {
      settings.logger().info(config.ignoredGroups() + " metric_statements/log_statements group(s) are not run:"
          + " tailshard carries traces only");
    }
  }

  @Override
  public Future<Void> start() {
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> consumeTraces(TraceData data) {
    if (config.traceGroups().isEmpty()) {
      return next.consumeTraces(data);
    }
    return KeptTraces.edit(id, data, next, this::transform);
  }

  private void transform(TraceModel model) {
    for (Group g : config.traceGroups()) {
      ErrorMode mode = g.errorMode().orElse(config.errorMode());
      for (ResourceNode r : model.resources()) {
        switch (g.context()) {
          case RESOURCE:
            run(g, mode, EvalContext.of(r));
            break;
          case SCOPE:
            for (ScopeNode s : r.scopes()) {
              run(g, mode, EvalContext.of(s));
            }
            break;
          default:
            for (ScopeNode s : r.scopes()) {
              for (SpanNode span : s.spans()) {
                if (g.context() == OttlContext.SPAN) {
                  run(g, mode, EvalContext.of(span));
                } else {
                  for (EventNode e : span.events()) {
                    run(g, mode, EvalContext.of(e));
                  }
                }
              }
            }
        }
      }
    }
  }

  private void run(Group g, ErrorMode mode, EvalContext ctx) {
    if (!g.conditions().isEmpty()) {
      boolean any = false;
      for (Condition c : g.conditions()) {
        try {
          if (c.eval(ctx)) {
            any = true;
            break;
          }
        } catch (OttlException e) {
          fail(mode, "condition", c.text(), e);
        }
      }
      if (!any) {
        return;
      }
    }
    for (Statement s : g.statements()) {
      try {
        s.execute(ctx);
      } catch (OttlException e) {
        fail(mode, "statement", s.text(), e);
      }
    }
  }

  private void fail(ErrorMode mode, String what, String text, OttlException e) {
    switch (mode) {
      case PROPAGATE:
        throw RefusedException.permanent(id + ": failed to run " + what + " '" + text + "': " + e.getMessage());
      case IGNORE:
        errors.warn("failed to run " + what + " '" + text + "': " + e.getMessage() + " (error_mode ignore: going on)");
        break;
      default:
    }
  }

  @Override
  public Future<Void> shutdown() {
    return Future.succeededFuture();
  }
}

package io.tailshard.common.processor.transform;

import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.config.ConfigNode;
import io.tailshard.common.ottl.Condition;
import io.tailshard.common.ottl.ErrorMode;
import io.tailshard.common.ottl.Ottl;
import io.tailshard.common.ottl.OttlContext;
import io.tailshard.common.ottl.Statement;
import io.tailshard.common.processor.internal.OttlConfigs;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code transform} processor's config, as the Collector's:
 *
 * <ul>
 *   <li>{@code error_mode} (default {@code propagate}): see {@link ErrorMode};
 *   <li>{@code trace_statements}: a list of groups, each {@code context} ({@code resource},
 *       {@code scope}, {@code span}, {@code spanevent}; inferred from path prefixes when absent),
 *       {@code conditions} (any one true lets the group run on an element; none means always),
 *       {@code statements} and its own {@code error_mode}; or, in the short form, plain statement
 *       strings, each its own group with the context inferred ({@code span} when no path says);
 *   <li>{@code metric_statements}, {@code log_statements}: accepted so that a Collector config loads
 *       as written, but never run (tailshard carries traces only); their resource and scope
 *       statements are still parsed, so mistakes in them are reported.
 * </ul>
 *
 * Every statement and condition is parsed at start-up; one outside the supported OTTL subset fails
 * with its key path and column.
 */
public record TransformConfig(ErrorMode errorMode, List<Group> traceGroups, int ignoredGroups) {
  /** One group of statements run in one context. */
  public record Group(OttlContext context, List<Condition> conditions, List<Statement> statements,
      Optional<ErrorMode> errorMode) {}

  static TransformConfig parse(ConfigMap m) {
    ErrorMode mode = OttlConfigs.errorMode(m, ErrorMode.PROPAGATE);
    List<Group> traces = groups(m, "trace_statements", true);
    int ignored = groups(m, "metric_statements", false).size() + groups(m, "log_statements", false).size();
    m.done();
    return new TransformConfig(mode, List.copyOf(traces), ignored);
  }

  private static List<Group> groups(ConfigMap m, String key, boolean traces) {
    Optional<ConfigNode> list = m.get(key);
    List<Group> out = new ArrayList<>();
    if (list.isEmpty() || list.get().isNull()) {
      return out;
    }
    for (ConfigNode item : list.get().items()) {
      if (item.isScalar()) {
        OttlContext context = Ottl.inferContext(item.text(), OttlContext.SPAN);
        if (traces || context == OttlContext.RESOURCE || context == OttlContext.SCOPE) {
          out.add(new Group(context, List.of(), List.of(OttlConfigs.statement(item, context)), Optional.empty()));
        } else {
          out.add(null);
        }
        continue;
      }
      ConfigMap g = item.asMap();
      String contextWord = g.string("context", "");
      List<ConfigNode> conditionNodes = g.list("conditions", n -> n);
      List<ConfigNode> statementNodes = g.list("statements", n -> n);
      Optional<ErrorMode> groupMode = g.has("error_mode")
          ? Optional.of(OttlConfigs.errorMode(g, ErrorMode.PROPAGATE)) : Optional.empty();
      g.done();
      if (statementNodes.isEmpty()) {
        throw g.error("statements", "a group needs at least one statement");
      }
      Optional<OttlContext> context;
      if (contextWord.isEmpty()) {
        OttlContext inferred = OttlContext.RESOURCE;
        for (ConfigNode n : statementNodes) {
          OttlContext c = Ottl.inferContext(n.text(), OttlContext.SPAN);
          inferred = c.ordinal() > inferred.ordinal() ? c : inferred;
        }
        context = Optional.of(inferred);
      } else {
        context = OttlContext.parse(contextWord);
      }
      if (context.isEmpty()) {
        if (traces) {
          throw g.error("context", "'" + contextWord + "' is not a traces context; allowed: resource, scope, span,"
              + " spanevent");
        }
        out.add(null); // a metric, datapoint or log context: kept for the config's sake, never run
        continue;
      }
      if (!traces && context.get() != OttlContext.RESOURCE && context.get() != OttlContext.SCOPE) {
        throw g.error("context", "'" + contextWord + "' does not belong here; allowed: resource, scope, or a"
            + (key.startsWith("metric") ? " metric or datapoint" : " log") + " context");
      }
      OttlContext c = context.get();
      List<Condition> conditions = new ArrayList<>();
      for (ConfigNode n : conditionNodes) {
        conditions.add(OttlConfigs.condition(n, c));
      }
      List<Statement> statements = new ArrayList<>();
      for (ConfigNode n : statementNodes) {
        statements.add(OttlConfigs.statement(n, c));
      }
      out.add(new Group(c, List.copyOf(conditions), List.copyOf(statements), groupMode));
    }
    return out;
  }
}

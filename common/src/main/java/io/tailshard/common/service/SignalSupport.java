package io.tailshard.common.service;

import io.tailshard.common.component.ComponentFactory;
import io.tailshard.common.component.ComponentId;
import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.ConnectorFactory;
import io.tailshard.common.component.ExporterFactory;
import io.tailshard.common.component.MetricsExporterFactory;
import io.tailshard.common.component.ProcessorFactory;
import io.tailshard.common.component.ReceiverFactory;
import io.tailshard.common.config.ConfigException;
import io.tailshard.common.config.ConfigNode;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Which signals each component can carry in each place of a pipeline. This is the one place that
 * decides it, from the factory's type: a receiver factory makes traces receivers; an
 * {@link ExporterFactory} makes traces exporters and a {@link MetricsExporterFactory} metrics
 * exporters (a type may be both); a {@link ConnectorFactory} takes traces as an exporter and gives
 * metrics as a receiver; processors carry traces. A factory never has a create method it cannot
 * honour, so support is read from what it implements, not found out by calling it.
 */
final class SignalSupport {
  /** The list of a pipeline a component is named in. */
  enum Role {
    RECEIVER("receivers", "receiver", ComponentKind.RECEIVER),
    PROCESSOR("processors", "processor", ComponentKind.PROCESSOR),
    EXPORTER("exporters", "exporter", ComponentKind.EXPORTER);

    final String list;
    final String word;
    /** The section such a component is configured in; receivers and exporters may also be connectors. */
    final ComponentKind kind;

    Role(String list, String word, ComponentKind kind) {
      this.list = list;
      this.word = word;
      this.kind = kind;
    }
  }

  private SignalSupport() {}

  /** The signals a component of this factory can carry when named in a pipeline's {@code role} list. */
  static Set<Signal> signals(ComponentFactory<?> factory, Role role) {
    Set<Signal> out = EnumSet.noneOf(Signal.class);
    switch (role) {
      case RECEIVER:
        if (factory instanceof ReceiverFactory) {
          out.add(Signal.TRACES);
        }
        if (factory instanceof ConnectorFactory) {
          out.add(Signal.METRICS);
        }
        break;
      case PROCESSOR:
        if (factory instanceof ProcessorFactory) {
          out.add(Signal.TRACES);
        }
        break;
      default:
        if (factory instanceof ExporterFactory || factory instanceof ConnectorFactory) {
          out.add(Signal.TRACES);
        }
        if (factory instanceof MetricsExporterFactory) {
          out.add(Signal.METRICS);
        }
    }
    return out;
  }

  /**
   * Fails on the first component of the pipeline that cannot carry the pipeline's signal. For
   * {@code logs}, which no component carries yet, the message says that such pipelines are not built.
   */
  static void check(PipelineConfig pipeline, ServiceConfig config) {
    Signal signal = pipeline.id().signal();
    checkList(pipeline, config, Role.RECEIVER, pipeline.receivers(), signal);
    checkList(pipeline, config, Role.PROCESSOR, pipeline.processors(), signal);
    checkList(pipeline, config, Role.EXPORTER, pipeline.exporters(), signal);
  }

  private static void checkList(
      PipelineConfig pipeline, ServiceConfig config, Role role, List<ComponentId> ids, Signal signal) {
    List<ConfigNode> nodes = pipeline.node().entries().get(role.list).items();
    for (int i = 0; i < ids.size(); i++) {
      ComponentConfig c = config.resolve(role, ids.get(i));
      if (signals(c.factory(), role).contains(signal)) {
        continue;
      }
      String what = c.kind().word() + " '" + c.id() + "'";
      String problem =
          signal == Signal.LOGS
              ? "logs pipelines are not built yet: " + what + " does not take logs in this tier"
              : what + " does not support " + signal.word() + " as " + article(role.word) + " " + role.word
                  + supported(c.factory(), role);
      throw ConfigException.at(nodes.get(i), problem);
    }
  }

  private static String article(String word) {
    return "aeiou".indexOf(word.charAt(0)) >= 0 ? "an" : "a";
  }

  private static String supported(ComponentFactory<?> factory, Role role) {
    Set<Signal> s = signals(factory, role);
    if (s.isEmpty()) {
      return "";
    }
    StringBuilder sb = new StringBuilder(" (it carries ");
    int n = 0;
    for (Signal x : s) {
      sb.append(n++ == 0 ? "" : ", ").append(x.word());
    }
    return sb.append(" there)").toString();
  }
}

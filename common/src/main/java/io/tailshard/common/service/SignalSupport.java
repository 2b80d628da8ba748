package io.tailshard.common.service;

import io.tailshard.common.component.ComponentFactory;
import io.tailshard.common.component.ComponentId;
import io.tailshard.common.component.ComponentKind;
import io.tailshard.common.component.ExporterFactory;
import io.tailshard.common.component.ProcessorFactory;
import io.tailshard.common.component.ReceiverFactory;
import io.tailshard.common.config.ConfigException;
import io.tailshard.common.config.ConfigNode;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Which signals each component can carry in each place of a pipeline. This is the one place that
 * decides it: when a component gains a signal (the spanmetrics connector takes traces as an
 * exporter and gives metrics as a receiver), this class and {@link Service}'s builder are what
 * change. Today every receiver, processor and exporter factory makes traces components only, and
 * no connector is built, so a {@code metrics} or {@code logs} pipeline is refused at start-up.
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
    switch (role) {
      case RECEIVER:
        return factory instanceof ReceiverFactory ? EnumSet.of(Signal.TRACES) : EnumSet.noneOf(Signal.class);
      case PROCESSOR:
        return factory instanceof ProcessorFactory ? EnumSet.of(Signal.TRACES) : EnumSet.noneOf(Signal.class);
      default:
        // Connectors fall through to "none" on either side: no connector factory exists yet.
        return factory instanceof ExporterFactory ? EnumSet.of(Signal.TRACES) : EnumSet.noneOf(Signal.class);
    }
  }

  /**
   * Fails on the first component of the pipeline that cannot carry the pipeline's signal. For a
   * signal no pipeline can carry yet, the message says that such pipelines are not built yet.
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
          signal == Signal.TRACES
              ? what + " does not support traces"
              : signal.word() + " pipelines are not built yet: " + what + " does not take " + signal.word()
                  + " in this tier";
      throw ConfigException.at(nodes.get(i), problem);
    }
  }
}

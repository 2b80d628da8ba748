package io.tailshard.common.processor.internal;

import io.tailshard.common.config.ConfigException;
import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.config.ConfigNode;
import io.tailshard.common.ottl.Condition;
import io.tailshard.common.ottl.ErrorMode;
import io.tailshard.common.ottl.Ottl;
import io.tailshard.common.ottl.OttlContext;
import io.tailshard.common.ottl.OttlParseException;
import io.tailshard.common.ottl.Statement;
import java.util.Arrays;
import java.util.stream.Collectors;

/** Reading OTTL from config: statements and conditions parsed at start-up, errors with their key path and column. */
public final class OttlConfigs {
  private OttlConfigs() {}

  /** {@code error_mode}: ignore, silent or propagate. */
  public static ErrorMode errorMode(ConfigMap m, ErrorMode defaultValue) {
    String word = m.oneOf("error_mode", defaultValue.word(),
        Arrays.stream(ErrorMode.values()).map(ErrorMode::word).collect(Collectors.toList()));
    return ErrorMode.parse(word).orElseThrow();
  }

  public static Statement statement(ConfigNode node, OttlContext context) {
    try {
      return Ottl.parseStatement(node.text(), context);
    } catch (OttlParseException e) {
      throw ConfigException.at(node, "cannot parse OTTL statement (" + context.word() + " context): " + e.getMessage());
    }
  }

  public static Condition condition(ConfigNode node, OttlContext context) {
    try {
      return Ottl.parseCondition(node.text(), context);
    } catch (OttlParseException e) {
      throw ConfigException.at(node, "cannot parse OTTL condition (" + context.word() + " context): " + e.getMessage());
    }
  }
}

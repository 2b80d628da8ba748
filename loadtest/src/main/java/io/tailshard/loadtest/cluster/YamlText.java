package io.tailshard.loadtest.cluster;

import io.tailshard.common.config.ConfigNode;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Writes a {@link ConfigNode} tree back as block YAML, so a block read from a scenario (the
 * tail_sampling policies) can be pasted into a generated node config and read there as it was
 * written. Scalars that were quoted stay quoted; plain scalars stay plain when they are simple
 * words or numbers, and are double-quoted otherwise (same text, no chance of a different meaning).
 */
final class YamlText {
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_./+-]*");

  private YamlText() {}

  /** The node as YAML lines at indentation 0, ending with a newline. */
  static String render(ConfigNode node) {
    StringBuilder sb = new StringBuilder();
    block(node, 0, sb);
    return sb.toString();
  }

  private static void block(ConfigNode node, int indent, StringBuilder sb) {
    String pad = " ".repeat(indent);
    if (node.isMap()) {
      for (Map.Entry<String, ConfigNode> e : node.entries().entrySet()) {
        sb.append(pad).append(key(e.getKey())).append(':');
        child(e.getValue(), indent, sb);
      }
    } else if (node.isList()) {
      for (ConfigNode item : node.items()) {
        if (item.isMap() && !item.entries().isEmpty()) {
          // The item's first key goes on the dash's line: "- name: x", the rest below it.
          StringBuilder inner = new StringBuilder();
          block(item, indent + 2, inner);
          sb.append(pad).append("- ").append(inner, indent + 2, inner.length());
        } else if (item.isList() && !item.items().isEmpty()) {
          sb.append(pad).append("-\n");
          block(item, indent + 2, sb);
        } else {
          sb.append(pad).append("- ").append(inline(item)).append('\n');
        }
      }
    } else {
      sb.append(pad).append(inline(node)).append('\n');
    }
  }

  private static void child(ConfigNode value, int indent, StringBuilder sb) {
    boolean nested = (value.isMap() && !value.entries().isEmpty()) || (value.isList() && !value.items().isEmpty());
    if (nested) {
      sb.append('\n');
      block(value, indent + 2, sb);
    } else {
      sb.append(' ').append(inline(value)).append('\n');
    }
  }

  /** A scalar, null, or empty collection on one line. */
  private static String inline(ConfigNode n) {
    if (n.isNull()) {
      return "null";
    }
    if (n.isMap()) {
      return "{}";
    }
    if (n.isList()) {
      return "[]";
    }
    String t = n.text();
    return !n.quoted() && PLAIN.matcher(t).matches() ? t : quote(t);
  }

  private static String key(String k) {
    return PLAIN.matcher(k).matches() ? k : quote(k);
  }

  /** A YAML double-quoted scalar (its escapes are JSON's). */
  static String quote(String s) {
    StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\t' -> sb.append("\\t");
        case '\r' -> sb.append("\\r");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    return sb.append('"').toString();
  }
}

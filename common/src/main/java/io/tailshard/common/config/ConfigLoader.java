package io.tailshard.common.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.composer.Composer;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.parser.ParserImpl;
import org.snakeyaml.engine.v2.scanner.StreamReader;

/**
 * Loads Collector-style YAML into a {@link ConfigNode} tree that remembers file, line and key path
 * of every node. Environment references are substituted in scalar values after parsing, as the
 * Collector does: {@code ${env:NAME}}, {@code ${NAME}}, {@code ${env:NAME:-default}}; {@code $$}
 * stands for a literal {@code $}. A reference to an unset variable without a default is an error
 * (write {@code ${env:NAME:-}} to mean "empty when unset"): a silently empty endpoint or key is a
 * worse surprise than a start-up error.
 */
public final class ConfigLoader {
  private static final Pattern REFERENCE =
      Pattern.compile("\\$\\$|\\$\\{(?:env:)?([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\\}");

  private final Function<String, String> env;

  /** A loader that reads the process environment. */
  public ConfigLoader() {
    this(System::getenv);
  }

  /** A loader with an explicit environment, for tests. */
  public ConfigLoader(Function<String, String> env) {
    this.env = env;
  }

  /** Loads a file; an unreadable file is a {@link ConfigException} naming it. */
  public ConfigNode load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(file.toString(), 0, "", "cannot read the config file: " + e);
    }
    return parse(file.toString(), text);
  }

  /** Loads a classpath resource, used for each tier's embedded default config. */
  public ConfigNode loadResource(String resource) {
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new ConfigException(resource, 0, "", "embedded config resource not found");
      }
      return parse("classpath:" + resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConfigException(resource, 0, "", "cannot read embedded config: " + e);
    }
  }

  /** Parses YAML text; {@code file} is only used in messages. An empty document is an empty map. */
  public ConfigNode parse(String file, String text) {
    LoadSettings settings = LoadSettings.builder().setLabel(file).setAllowDuplicateKeys(false).build();
    Optional<Node> root;
    try {
      Composer composer = new Composer(settings, new ParserImpl(settings, new StreamReader(settings, text)));
      root = composer.getSingleNode();
    } catch (MarkedYamlEngineException e) {
      int line = e.getProblemMark().map(m -> m.getLine() + 1).orElse(0);
      throw new ConfigException(file, line, "", "invalid YAML: " + e.getProblem());
    } catch (YamlEngineException e) {
      throw new ConfigException(file, 0, "", "invalid YAML: " + e.getMessage());
    }
    if (root.isEmpty()) {
      return ConfigNode.emptyMap(file, 1, "");
    }
    ConfigNode tree = convert(file, root.get(), "");
    if (tree.isNull()) {
      return ConfigNode.emptyMap(file, tree.line(), "");
    }
    if (!tree.isMap()) {
      throw ConfigException.at(tree, "the config must be a map of sections (receivers, exporters, service, ...)");
    }
    return tree;
  }

  private ConfigNode convert(String file, Node node, String path) {
    int line = node.getStartMark().map(m -> m.getLine() + 1).orElse(0);
    if (node instanceof MappingNode) {
      Map<String, ConfigNode> entries = new LinkedHashMap<>();
      for (NodeTuple t : ((MappingNode) node).getValue()) {
        if (!(t.getKeyNode() instanceof ScalarNode)) {
          int keyLine = t.getKeyNode().getStartMark().map(m -> m.getLine() + 1).orElse(line);
          throw new ConfigException(file, keyLine, path, "map keys must be plain words");
        }
        String key = ((ScalarNode) t.getKeyNode()).getValue();
        String childPath = path.isEmpty() ? key : path + "." + key;
        // A block map's value starts on the line after its key; errors about the entry ("unknown
        // processor type", "not built yet") should point at the key the operator wrote.
        int keyLine = t.getKeyNode().getStartMark().map(m -> m.getLine() + 1).orElse(line);
        if (entries.containsKey(key)) {
          // The composer keeps both; refusing here keeps a pasted config from silently losing one.
          throw new ConfigException(file, keyLine, childPath, "duplicate key; the first one is at line " + entries.get(key).line());
        }
        entries.put(key, convert(file, t.getValueNode(), childPath).atLine(keyLine));
      }
      return ConfigNode.ofMap(file, line, path, entries);
    }
    if (node instanceof SequenceNode) {
      List<ConfigNode> items = new ArrayList<>();
      int i = 0;
      for (Node item : ((SequenceNode) node).getValue()) {
        items.add(convert(file, item, path + "[" + i++ + "]"));
      }
      return ConfigNode.ofList(file, line, path, items);
    }
    ScalarNode scalar = (ScalarNode) node;
    boolean plain = scalar.getScalarStyle() == ScalarStyle.PLAIN;
    String value = scalar.getValue();
    if (plain && (value.isEmpty() || value.equals("~") || value.equalsIgnoreCase("null"))) {
      return ConfigNode.ofNull(file, line, path);
    }
    return ConfigNode.ofScalar(file, line, path, substitute(file, line, path, value), !plain);
  }

  private String substitute(String file, int line, String path, String value) {
    if (value.indexOf('$') < 0) {
      return value;
    }
    Matcher m = REFERENCE.matcher(value);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String replacement;
      if (m.group().equals("$$")) {
        replacement = "$";
      } else {
        String name = m.group(1);
        String v = env.apply(name);
        if (v == null) {
          if (m.group(2) == null) {
            throw new ConfigException(
                file, line, path,
                "environment variable " + name + " is not set (write ${env:" + name + ":-} for an empty default)");
          }
          v = m.group(2);
        }
        replacement = v;
      }
      m.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    m.appendTail(out);
    return out.toString();
  }
}

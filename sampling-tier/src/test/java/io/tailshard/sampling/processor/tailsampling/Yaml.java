package io.tailshard.sampling.processor.tailsampling;

import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.config.ConfigNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Test helper: YAML text or a test resource to the {@code processors.tail_sampling} block. */
final class Yaml {
  private Yaml() {}

  /** Parses a whole document and returns its {@code processors.tail_sampling} map. */
  static ConfigMap block(String file, String yaml) {
    ConfigNode root = new ConfigLoader(name -> null).parse(file, yaml);
    return root.asMap().map("processors").map("tail_sampling");
  }

  /** {@code block} with {@code body} indented under {@code processors: tail_sampling:}. */
  static ConfigMap tailSampling(String body) {
    StringBuilder sb = new StringBuilder("processors:\n  tail_sampling:\n");
    for (String line : body.split("\n", -1)) {
      sb.append("    ").append(line).append('\n');
    }
    return block("test.yaml", sb.toString());
  }

  static TailSamplingConfig parse(String body) {
    return TailSamplingConfig.parse(tailSampling(body));
  }

  static String resource(String name) {
    try (InputStream in = Yaml.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("test resource not found: " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

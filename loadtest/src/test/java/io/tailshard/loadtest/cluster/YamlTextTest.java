package io.tailshard.loadtest.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.config.ConfigNode;
import org.junit.jupiter.api.Test;

class YamlTextTest {
  private static ConfigNode parse(String yaml) {
    return new ConfigLoader(n -> null).parse("t.yaml", yaml);
  }

  @Test
  void aBlockReadsBackAsItWasWritten() {
    String yaml = """
        a: plain
        b: "quoted: with colon"
        c: 'single # not a comment'
        d: [1, 2.5, -3]
        e: {}
        f: []
        g:
          - {x: 1, y: [a, b]}
          - - nested
            - list
          - ~
        "key with space": "line\\nbreak \\"q\\" \\\\ tab\\t"
        h: 127.0.0.1:4317
        """;
    ConfigNode original = parse(yaml);
    String rendered = YamlText.render(original);
    ConfigNode back = parse(rendered);
    assertEquals(original.toPlain(), back.toPlain(), rendered);
    // Quoted stays quoted, plain stays plain (some parsers care, e.g. "10" vs 10).
    assertEquals(original.entries().get("b").quoted(), back.entries().get("b").quoted());
    assertEquals(original.entries().get("a").quoted(), back.entries().get("a").quoted());
  }
}

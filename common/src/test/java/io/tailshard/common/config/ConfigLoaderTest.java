package io.tailshard.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
  private final ConfigLoader loader = new ConfigLoader(Map.of("HOST", "10.0.0.7", "PORT", "4317")::get);

  private String value(String yaml, String... path) {
    ConfigNode n = loader.parse("t.yaml", yaml);
    for (String p : path) {
      n = n.entries().get(p);
    }
    return n.text();
  }

  @Test
  void envReferenceWithPrefixIsSubstituted() {
    assertEquals("10.0.0.7:4317", value("a: ${env:HOST}:${env:PORT}\n", "a"));
  }

  @Test
  void bareEnvReferenceIsSubstituted() {
    assertEquals("10.0.0.7", value("a: ${HOST}\n", "a"));
  }

  @Test
  void envDefaultIsUsedOnlyWhenTheVariableIsUnset() {
    assertEquals("fallback", value("a: ${env:MISSING:-fallback}\n", "a"));
    assertEquals("10.0.0.7", value("a: ${env:HOST:-fallback}\n", "a"));
    assertEquals("", value("a: \"${env:MISSING:-}\"\n", "a"));
  }

  @Test
  void doubleDollarIsALiteralDollar() {
    assertEquals("cost: $5", value("a: 'cost: $$5'\n", "a"));
    assertEquals("${env:HOST}", value("a: $${env:HOST}\n", "a"));
  }

  @Test
  void unsetVariableWithoutDefaultNamesFileLineAndPath() {
    ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("t.yaml", "x:\n  y: ${env:NOPE}\n"));
    assertEquals("t.yaml", e.file());
    assertEquals(2, e.line());
    assertEquals("x.y", e.path());
    assertTrue(e.getMessage().startsWith("t.yaml:2: x.y: environment variable NOPE is not set"), e.getMessage());
  }

  @Test
  void aBlockIsReportedAtTheLineOfItsKey() {
    ConfigNode root = loader.parse("t.yaml", "processors:\n  batch:\n    timeout: 1s\n");
    assertEquals(1, root.entries().get("processors").line());
    assertEquals(2, root.entries().get("processors").entries().get("batch").line());
  }

  @Test
  void invalidYamlNamesTheLine() {
    ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("t.yaml", "a: 1\nb: [1, 2\n"));
    assertTrue(e.getMessage().startsWith("t.yaml:"), e.getMessage());
    assertTrue(e.getMessage().contains("invalid YAML"), e.getMessage());
  }

  @Test
  void duplicateKeysAreRefused() {
    ConfigException e = assertThrows(ConfigException.class, () -> loader.parse("t.yaml", "x:\n  a: 1\n  a: 2\n"));
    assertEquals("t.yaml:3: x.a: duplicate key; the first one is at line 2", e.getMessage());
  }
}

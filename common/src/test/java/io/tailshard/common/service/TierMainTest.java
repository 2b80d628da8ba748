package io.tailshard.common.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tailshard.common.testing.TestComponents;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TierMainTest {
  private final Tier tier = new Tier("test-tier", "a tier for tests", new TestComponents().components(), "tailshard/test-tier-default.yaml");
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  @TempDir Path dir;

  private int run(String... args) {
    return TierMain.execute(
        tier, args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  private Path write(String name, String yaml) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, yaml);
    return p;
  }

  @Test
  void validateAcceptsAGoodFile() throws IOException {
    Path good =
        write(
            "good.yaml",
            "receivers: {test_receiver: }\nexporters: {test_exporter: }\n"
                + "service:\n  pipelines:\n    traces: {receivers: [test_receiver], exporters: [test_exporter]}\n");
    assertEquals(0, run("--validate", "--config", good.toString()));
    assertEquals("config OK: " + good + "\n", out());
    assertEquals("", err());
  }

  @Test
  void validateRefusesABadFileWithTheLocatedMessage() throws IOException {
    Path bad = write("bad.yaml", "receivers:\n  test_receiver:\n  zipkin:\nexporters: {test_exporter: }\n");
    assertEquals(1, run("--validate", "--config=" + bad));
    assertEquals(bad + ":3: receivers.zipkin: unknown receiver type 'zipkin'; allowed: test_receiver\n", err());
    assertEquals("", out());
  }

  @Test
  void validateAcceptsTheCollectorsSubcommandForm() throws IOException {
    Path good =
        write(
            "good.yaml",
            "receivers: {test_receiver: }\nexporters: {test_exporter: }\n"
                + "service: {pipelines: {traces: {receivers: [test_receiver], exporters: [test_exporter]}}}\n");
    assertEquals(0, run("validate", "--config=" + good));
  }

  @Test
  void validateWithoutConfigChecksTheEmbeddedDefault() {
    assertEquals(0, run("--validate"));
    assertEquals("config OK: classpath:tailshard/test-tier-default.yaml\n", out());
  }

  @Test
  void aMissingFileIsAConfigError() {
    assertEquals(1, run("--validate", "--config", dir.resolve("nope.yaml").toString()));
    assertTrue(err().contains("cannot read the config file"), err());
  }

  @Test
  void usageErrorsExitWith2() {
    assertEquals(2, run("--frobnicate"));
    assertTrue(err().startsWith("test-tier: unknown option '--frobnicate'"), err());
    assertEquals(2, run("--config"));
    assertEquals(2, run("--config", "a.yaml", "--config", "b.yaml"));
    assertEquals(2, run("--shutdown-timeout", "soon"));
    assertEquals(2, run("--validate=yes"));
  }

  @Test
  void helpListsOptionsAndComponentTypesByKind() {
    assertEquals(0, run("--help"));
    String help = out();
    for (String s :
        new String[] {
          "--config FILE", "--validate", "--shutdown-timeout", "--version", "default 30s",
          "classpath:tailshard/test-tier-default.yaml",
          "receivers:   test_receiver", "not built yet: otlp",
          "extensions:  health_check, test_extension", "not built yet: file_storage, rocksdb",
          "connectors:  test_connector", "not built yet: spanmetrics",
        }) {
      assertTrue(help.contains(s), "expected '" + s + "' in:\n" + help);
    }
  }

  @Test
  void versionPrintsTheTierAndVersion() {
    assertEquals(0, run("--version"));
    assertTrue(out().startsWith("tailshard test-tier "), out());
  }

  @Test
  void optionsAreParsedInBothForms() throws Exception {
    TierMain.Options o = TierMain.parseArgs(new String[] {"--config=x.yaml", "--shutdown-timeout", "45s"});
    assertEquals(Path.of("x.yaml"), o.config());
    assertEquals(java.time.Duration.ofSeconds(45), o.shutdownTimeout());
    assertEquals(TierMain.DEFAULT_SHUTDOWN_TIMEOUT, TierMain.parseArgs(new String[0]).shutdownTimeout());
  }
}

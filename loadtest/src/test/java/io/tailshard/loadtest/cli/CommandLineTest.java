package io.tailshard.loadtest.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CommandLineTest {
  private static CommandLine cli() {
    return new CommandLine("demo", "A demo.")
        .option("rate", "N", "100", "rate")
        .option("wait", "D", "2s", "wait")
        .flag("quiet", "quiet");
  }

  @Test
  void parsesBothFormsAndAppliesDefaults() throws Exception {
    CommandLine.Values v = cli().parse(new String[] {"--rate", "5", "--quiet"});
    assertEquals(5, v.intValue("rate", 0, 10));
    assertEquals(Duration.ofSeconds(2), v.duration("wait"));
    assertTrue(v.flag("quiet"));
    assertEquals(Duration.ofMillis(300), cli().parse(new String[] {"--wait=300ms"}).duration("wait"));
  }

  @Test
  void refusesUnknownOptionsMissingValuesAndBadNumbers() {
    assertThrows(CommandLine.UsageException.class, () -> cli().parse(new String[] {"--rat", "5"}));
    assertThrows(CommandLine.UsageException.class, () -> cli().parse(new String[] {"--rate"}));
    assertThrows(CommandLine.UsageException.class, () -> cli().parse(new String[] {"--rate", "x"}).intValue("rate", 0, 9));
    assertThrows(CommandLine.UsageException.class, () -> cli().parse(new String[] {"--rate", "11"}).intValue("rate", 0, 10));
  }

  @Test
  void helpListsEveryOptionWithItsDefault() {
    String help = cli().help();
    assertTrue(help.contains("--rate N"), help);
    assertTrue(help.contains("(default 2s)"), help);
    assertTrue(help.contains("--help"), help);
  }
}

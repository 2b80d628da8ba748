package io.tailshard.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LoadTestMainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return LoadTestMain.run(
        args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void helpListsTheCommandsAndSaysNoneIsBuiltYet() {
    assertEquals(0, run("--help"));
    String help = out.toString(StandardCharsets.UTF_8);
    for (String c : new String[] {"generate", "sink", "cluster", "report", "none is built yet"}) {
      assertTrue(help.contains(c), help);
    }
  }

  @Test
  void anUnknownCommandExits2AndListsTheCommands() {
    assertEquals(2, run("blast"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown command 'blast'; commands: generate, sink, cluster, report"));
  }

  @Test
  void aPlannedCommandSaysItIsNotBuiltInsteadOfPretending() {
    assertEquals(2, run("generate", "--rate", "1000"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("'generate' command is not built yet"));
    assertEquals(2, run());
  }
}

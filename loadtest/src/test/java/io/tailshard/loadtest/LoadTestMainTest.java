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
  void helpListsEveryCommand() {
    assertEquals(0, run("--help"));
    String help = out.toString(StandardCharsets.UTF_8);
    for (Commands.Command c : Commands.all()) {
      assertTrue(help.contains(c.name()) && help.contains(c.description()), help);
    }
  }

  @Test
  void anUnknownCommandExits2AndListsTheCommands() {
    assertEquals(2, run("blast"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown command 'blast'; commands: generate, sink"),
        err.toString(StandardCharsets.UTF_8));
    assertEquals(2, run());
  }

  @Test
  void aCommandGetsItsOwnArguments() {
    // The command prints its own help (to the process's stdout) and exits 0; an unknown option is its usage error.
    assertEquals(0, run("generate", "--help"));
    assertEquals(2, run("generate", "--no-such-option"));
  }
}

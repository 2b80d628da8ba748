package io.tailshard.loadtest.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One process of a cluster run (a node, the generator or the sink), started again on the same
 * command after a kill. Each start is an incarnation; the log file collects every incarnation's
 * output, each after a marker line.
 *
 * <p>Every incarnation runs under GNU {@code timeout} with the time left until the run's hard
 * deadline, so it stops by itself even if the controlling JVM dies without cleaning up (SIGKILL).
 * Signals go to the JVM itself (the wrapper's only child): SIGTERM for a graceful stop, SIGKILL
 * for a crash. The wrapper exits with the JVM's status (143 after a SIGTERM, 137 after a SIGKILL)
 * or 124 when the deadline struck.
 *
 * <p>CPU is the JVM's, read from /proc, and cumulative over incarnations (a killed incarnation's
 * last second before the kill is not counted). Not thread-safe: the cluster run drives it from one
 * thread.
 */
final class ChildProcess {
  /** The wrapper's exit status when the hard deadline stopped the process. */
  static final int TIMED_OUT = 124;

  /** How one incarnation ended. */
  record Exit(int incarnation, int code, Stop requested) {}

  /** What the run asked of an incarnation before it ended. */
  enum Stop {
    NONE,
    TERM,
    KILL
  }

  final String name;
  final String role;
  final Path log;
  private final List<String> command;
  private final List<Exit> exits = new ArrayList<>();
  private Process wrapper;
  private ProcessHandle jvm;
  private int incarnation;
  private Stop requested = Stop.NONE;
  private double cpuEarlier;
  private double cpuLast;

  ChildProcess(String name, String role, Path log, List<String> command) {
    this.name = name;
    this.role = role;
    this.log = log;
    this.command = List.copyOf(command);
  }

  /** Starts an incarnation that is stopped by {@code timeout} at {@code deadline} at the latest. */
  void start(Instant deadline) throws IOException {
    if (isRunning()) {
      throw new IllegalStateException(name + " is already running");
    }
    long seconds = Math.max(1, deadline.getEpochSecond() - Instant.now().getEpochSecond());
    List<String> wrapped = new ArrayList<>(List.of("timeout", "--kill-after=5s", seconds + "s"));
    wrapped.addAll(command);
    incarnation++;
    cpuEarlier += cpuLast;
    cpuLast = 0;
    requested = Stop.NONE;
    Files.writeString(log, String.format("==== %s incarnation %d at %s: %s%n", name, incarnation, Instant.now(),
        String.join(" ", wrapped)), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    wrapper = new ProcessBuilder(wrapped)
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .start();
    jvm = findJvm();
  }

  /** The wrapper forks the JVM at once; wait a moment for it to show up among its children. */
  private ProcessHandle findJvm() {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
    while (System.nanoTime() < until && wrapper.isAlive()) {
      Optional<ProcessHandle> child = wrapper.toHandle().children().findFirst();
      if (child.isPresent()) {
        return child.get();
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    // Not found (it already ended): signals then go to the wrapper, which forwards them.
    return wrapper.toHandle();
  }

  int incarnation() {
    return incarnation;
  }

  /** The JVM's pid (the wrapper's while the JVM is not known), -1 before the first start. */
  long pid() {
    return jvm == null ? -1 : jvm.pid();
  }

  boolean isRunning() {
    return wrapper != null && wrapper.isAlive();
  }

  /** Whether a stop was asked of the current incarnation. */
  Stop requested() {
    return requested;
  }

  /** SIGTERM: a graceful stop. */
  void terminate() {
    if (isRunning()) {
      requested = Stop.TERM;
      jvm.destroy();
    }
  }

  /** SIGKILL: a crash, as the kernel's OOM killer or a node failure would do it. */
  void kill() {
    if (isRunning()) {
      requested = Stop.KILL;
      jvm.destroyForcibly();
    }
  }

  /** SIGKILL to the JVM and its wrapper: cleanup at the end or on an abort. */
  void killAll() {
    if (jvm != null && jvm.isAlive()) {
      jvm.destroyForcibly();
    }
    if (wrapper != null && wrapper.isAlive()) {
      wrapper.destroyForcibly();
    }
  }

  /** Waits up to {@code millis} for the current incarnation to end; true when it has. */
  boolean awaitExit(long millis) {
    if (wrapper == null) {
      return true;
    }
    try {
      return wrapper.waitFor(millis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return !wrapper.isAlive();
    }
  }

  /**
   * Records the current incarnation's end if it has ended and was not recorded yet; returns it,
   * or null when it is still running or already recorded.
   */
  Exit reapIfExited() {
    if (wrapper == null || wrapper.isAlive()) {
      return null;
    }
    if (!exits.isEmpty() && exits.get(exits.size() - 1).incarnation() == incarnation) {
      return null;
    }
    Exit e = new Exit(incarnation, wrapper.exitValue(), requested);
    exits.add(e);
    return e;
  }

  List<Exit> exits() {
    return List.copyOf(exits);
  }

  /** Reads the JVM's CPU time now; cumulative over incarnations. Keeps the last reading once it is gone. */
  double cpuSeconds() {
    if (jvm != null) {
      double now = ProcCpu.seconds(jvm.pid());
      if (now >= 0) {
        cpuLast = now;
      }
    }
    return cpuEarlier + cpuLast;
  }

  /** The log of the current incarnation (after its marker line), for checks of how it stopped. */
  String currentLog() {
    try {
      String all = Files.readString(log, StandardCharsets.UTF_8);
      int marker = all.lastIndexOf("==== " + name + " incarnation " + incarnation + " ");
      return marker < 0 ? all : all.substring(marker);
    } catch (IOException e) {
      return "";
    }
  }
}

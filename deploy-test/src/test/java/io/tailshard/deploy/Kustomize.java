package io.tailshard.deploy;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders a kustomization with the kustomize binary, once per directory per test JVM.
 *
 * <p>The renderer is looked for in this order: {@code $KUSTOMIZE} (a path, or a command such as
 * {@code kubectl kustomize}); {@code kustomize} on the PATH; {@code $GOBIN}, {@code $GOPATH/bin},
 * {@code $HOME/go/bin} (where {@code .ci/run} installs it with {@code go install}); and last
 * {@code kubectl kustomize} when that kubectl embeds kustomize v5. When none is found the tests
 * that render fail under CI ({@code CI=true}: {@code .ci/run} must have installed it) and are
 * skipped elsewhere.
 */
final class Kustomize {
  private static final Pattern KUBECTL_KUSTOMIZE = Pattern.compile("Kustomize Version: v(\\d+)\\.");
  private static final long TIMEOUT_SECONDS = 120;

  private static final Map<String, Rendered> CACHE = new ConcurrentHashMap<>();
  private static volatile Optional<List<String>> command;

  private Kustomize() {}

  /** The rendering of {@code deploy/kubernetes/<dir>}, every object validated (see {@link Schema}). */
  static Rendered render(String dir) {
    List<String> cmd = requireCommand();
    return CACHE.computeIfAbsent(dir, d -> Rendered.parse(d, build(cmd, Repo.path(Repo.KUSTOMIZE_DIR).resolve(d))));
  }

  static List<String> requireCommand() {
    Optional<List<String>> c = find();
    if (c.isEmpty()) {
      String msg = "no kustomize: install it with the kustomize step of .ci/run "
          + "(go install sigs.k8s.io/kustomize/kustomize/v5@<version>), put it on the PATH, or set KUSTOMIZE";
      if ("true".equalsIgnoreCase(System.getenv("CI"))) {
        fail("CI=true and " + msg);
      }
      assumeTrue(false, "skipped: " + msg);
    }
    return c.get();
  }

  private static synchronized Optional<List<String>> find() {
    if (command == null) {
      command = locate();
      command.ifPresent(c -> System.out.println("[deploy-test] kustomize: " + String.join(" ", c) + " (" + version(c) + ")"));
    }
    return command;
  }

  private static Optional<List<String>> locate() {
    String env = System.getenv("KUSTOMIZE");
    if (env != null && !env.isBlank()) {
      List<String> c = List.of(env.trim().split("\\s+"));
      if (!Files.isExecutable(Path.of(c.get(0))) && onPath(c.get(0)).isEmpty()) {
        fail("KUSTOMIZE=" + env + " is not an executable");
      }
      return Optional.of(c);
    }
    Optional<Path> p = onPath("kustomize");
    if (p.isPresent()) {
      return Optional.of(List.of(p.get().toString()));
    }
    List<Path> goBins = new ArrayList<>();
    addIfSet(goBins, System.getenv("GOBIN"), "");
    addIfSet(goBins, System.getenv("GOPATH"), "bin");
    addIfSet(goBins, System.getenv("HOME"), "go/bin");
    addIfSet(goBins, System.getProperty("user.home"), "go/bin");
    for (Path dir : goBins) {
      Path k = dir.resolve("kustomize");
      if (Files.isExecutable(k)) {
        return Optional.of(List.of(k.toString()));
      }
    }
    Optional<Path> kubectl = onPath("kubectl");
    if (kubectl.isPresent()) {
      Matcher m = KUBECTL_KUSTOMIZE.matcher(run(List.of(kubectl.get().toString(), "version", "--client"), false));
      if (m.find() && Integer.parseInt(m.group(1)) >= 5) {
        return Optional.of(List.of(kubectl.get().toString(), "kustomize"));
      }
    }
    return Optional.empty();
  }

  private static void addIfSet(List<Path> dirs, String base, String sub) {
    if (base != null && !base.isBlank()) {
      for (String part : base.split(File.pathSeparator)) {
        if (!part.isBlank()) {
          dirs.add(Path.of(part).resolve(sub));
        }
      }
    }
  }

  private static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isBlank()) {
        Path p = Path.of(dir).resolve(name);
        if (Files.isExecutable(p) && !Files.isDirectory(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  private static String version(List<String> cmd) {
    List<String> v = new ArrayList<>(cmd);
    if (v.size() > 1 && v.get(v.size() - 1).equals("kustomize")) {
      return run(List.of(v.get(0), "version", "--client"), false).replace('\n', ' ').trim();
    }
    v.add("version");
    return run(v, false).trim();
  }

  private static String build(List<String> cmd, Path dir) {
    List<String> c = new ArrayList<>(cmd);
    if (cmd.size() == 1) {
      c.add("build"); // kustomize build DIR; `kubectl kustomize DIR` has no subcommand
    }
    c.add(dir.toString());
    return run(c, true);
  }

  /** Runs a command and returns its standard output; with {@code check}, a failure fails the test. */
  private static String run(List<String> cmd, boolean check) {
    try {
      Path err = Files.createTempFile("kustomize", ".err");
      try {
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          fail(String.join(" ", cmd) + ": no exit within " + TIMEOUT_SECONDS + "s");
        }
        if (check && p.exitValue() != 0) {
          fail(String.join(" ", cmd) + " exited " + p.exitValue() + ":\n" + Files.readString(err, StandardCharsets.UTF_8));
        }
        return new String(out, StandardCharsets.UTF_8);
      } finally {
        Files.deleteIfExists(err);
      }
    } catch (IOException e) {
      if (check) {
        fail("cannot run " + String.join(" ", cmd) + ": " + e.getMessage(), e);
      }
      return "";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}

package io.tailshard.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Dockerfile, checked without a Docker engine (there is none on CI; {@link ImageClusterTest}
 * builds and runs it where there is): its structure, that it agrees with the tier configs and the
 * Kubernetes manifests, and the entrypoint script's choice of tier, run with a stub {@code java}.
 */
class DockerfileTest {
  static final String DOCKERFILE = "deploy/docker/Dockerfile";
  static final String ENTRYPOINT = "deploy/docker/entrypoint.sh";
  private static final Pattern VAR = Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)\\}?");

  /** One instruction: keyword and its arguments, continuation lines joined. */
  record Instruction(String keyword, String args, int stage) {}

  static List<Instruction> parse(String text) {
    List<Instruction> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int stage = -1;
    for (String line : text.split("\n", -1)) {
      String t = line.strip();
      if (cur.length() == 0 && (t.isEmpty() || t.startsWith("#"))) {
        continue;
      }
      if (cur.length() > 0 && t.startsWith("#")) {
        continue; // comment lines inside a continued instruction
      }
      if (t.endsWith("\\")) {
        cur.append(t, 0, t.length() - 1).append(' ');
        continue;
      }
      cur.append(t);
      String full = cur.toString().strip();
      cur.setLength(0);
      int sp = full.indexOf(' ');
      String kw = (sp < 0 ? full : full.substring(0, sp)).toUpperCase();
      String args = sp < 0 ? "" : full.substring(sp + 1).strip();
      if (kw.equals("FROM")) {
        stage++;
      }
      out.add(new Instruction(kw, args, stage));
    }
    return out;
  }

  private static List<Instruction> dockerfile() {
    return parse(Repo.read(DOCKERFILE));
  }

  private static int finalStage(List<Instruction> ins) {
    return ins.stream().mapToInt(Instruction::stage).max().orElseThrow();
  }

  private static List<Instruction> of(List<Instruction> ins, String kw, int stage) {
    return ins.stream().filter(i -> i.keyword().equals(kw) && i.stage() == stage).collect(Collectors.toList());
  }

  @Test
  void isMultiStageOnPinnedBaseImages() {
    List<Instruction> ins = dockerfile();
    Map<String, String> args = new HashMap<>();
    ins.stream().filter(i -> i.stage() == -1 && i.keyword().equals("ARG")).forEach(i -> {
      String[] kv = i.args().split("=", 2);
      args.put(kv[0], kv.length > 1 ? kv[1] : "");
    });
    List<Instruction> froms = ins.stream().filter(i -> i.keyword().equals("FROM")).collect(Collectors.toList());
    assertTrue(froms.size() >= 2, "a build stage and a runtime stage");
    assertTrue(froms.get(0).args().matches("(?i).*\\s+AS\\s+build"), "the first stage is named build: " + froms.get(0));
    for (Instruction f : froms) {
      String image = substitute(f.args().split("\\s+")[0], args);
      int slash = image.lastIndexOf('/');
      int colon = image.lastIndexOf(':');
      assertTrue(colon > slash || image.contains("@sha256:"), "base image without a tag: " + image);
      assertFalse(image.endsWith(":latest"), "a moving base image: " + image);
    }
    String runtime = substitute(froms.get(froms.size() - 1).args().split("\\s+")[0], args);
    assertTrue(runtime.contains("jre"), "the runtime stage is a JRE, not a JDK: " + runtime);
    int last = finalStage(ins);
    assertTrue(of(ins, "COPY", last).stream().anyMatch(i -> i.args().startsWith("--from=build")), "the jars come from the build stage");
  }

  @Test
  void runtimeCarriesBothTierJarsWhereTheEntrypointLooks() {
    List<Instruction> ins = dockerfile();
    int last = finalStage(ins);
    String copied = of(ins, "COPY", last).stream().filter(i -> i.args().startsWith("--from=build")).map(Instruction::args)
        .collect(Collectors.joining(" "));
    assertTrue(copied.contains("lb-tier.jar") && copied.contains("sampling-tier.jar") && copied.trim().endsWith("/opt/tailshard/"), copied);
    String env = of(ins, "ENV", last).stream().map(Instruction::args).collect(Collectors.joining(" "));
    assertTrue(env.contains("TAILSHARD_HOME=/opt/tailshard"), env);
    assertTrue(env.contains("MaxRAMPercentage"), "the image's default heap follows the container limit: " + env);
  }

  @Test
  void runsAsANumericNonRootUser() {
    List<Instruction> ins = dockerfile();
    List<Instruction> users = of(ins, "USER", finalStage(ins));
    assertFalse(users.isEmpty(), "the runtime stage sets USER");
    String user = users.get(users.size() - 1).args();
    assertTrue(user.matches("[1-9][0-9]*(:[1-9][0-9]*)?"), "USER must be numeric uid[:gid], not root: " + user);
  }

  @Test
  void exposesThePortsOfTheTierConfigs() {
    List<Instruction> ins = dockerfile();
    Set<Integer> exposed = of(ins, "EXPOSE", finalStage(ins)).stream()
        .flatMap(i -> List.of(i.args().split("\\s+")).stream())
        .map(p -> Integer.parseInt(p.replace("/tcp", "")))
        .collect(Collectors.toCollection(TreeSet::new));
    Set<Integer> ports = new TreeSet<>();
    for (String f : List.of(Repo.LB_DEFAULT_CONFIG, Repo.SAMPLING_DEFAULT_CONFIG)) {
      TierConfig c = new TierConfig(f, Repo.read(f));
      ports.add(c.listenPort("receivers.otlp.protocols.grpc.endpoint"));
      ports.add(c.listenPort("receivers.otlp.protocols.http.endpoint"));
      ports.add(c.listenPort("extensions.health_check.endpoint"));
      ports.add(c.selfMetricsPort());
      c.at("exporters.prometheus.endpoint").ifPresent(e -> ports.add(c.listenPort("exporters.prometheus.endpoint")));
    }
    assertEquals(ports, exposed);
  }

  @Test
  void entrypointIsTheScriptThatPicksTheTier() throws IOException {
    List<Instruction> ins = dockerfile();
    int last = finalStage(ins);
    List<Instruction> eps = of(ins, "ENTRYPOINT", last);
    assertEquals(1, eps.size());
    Matcher m = Pattern.compile("\\[\\s*\"([^\"]+)\"\\s*\\]").matcher(eps.get(0).args());
    assertTrue(m.matches(), "exec-form ENTRYPOINT (so SIGTERM reaches the JVM): " + eps.get(0).args());
    String target = m.group(1);
    assertTrue(of(ins, "COPY", last).stream().anyMatch(i -> i.args().equals(ENTRYPOINT + " " + target)),
        "ENTRYPOINT " + target + " is " + ENTRYPOINT + ", copied there");
    Path script = Repo.path(ENTRYPOINT);
    assertTrue(Files.isExecutable(script), ENTRYPOINT + " must be executable (git file mode 755)");
    String text = Files.readString(script, StandardCharsets.UTF_8);
    assertTrue(text.startsWith("#!/bin/sh\n"), "POSIX sh: the JRE image has no bash guarantee");
    assertTrue(text.contains("exec java"), "the JVM replaces the shell, so it gets the signals");
  }

  @Test
  void copiesEveryReactorModulesPomAndOnlyFilesThatExist() {
    List<Instruction> ins = dockerfile();
    List<String> sources = ins.stream()
        .filter(i -> i.keyword().equals("COPY") && !i.args().startsWith("--from"))
        .flatMap(i -> {
          List<String> parts = List.of(i.args().split("\\s+"));
          return parts.subList(0, parts.size() - 1).stream();
        })
        .collect(Collectors.toList());
    for (String s : sources) {
      assertTrue(Files.exists(Repo.path(s)), DOCKERFILE + " copies " + s + ", which is not in the repository");
    }
    Set<String> modules = new TreeSet<>();
    Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(Repo.read("pom.xml"));
    while (m.find()) {
      modules.add(m.group(1).trim() + "/pom.xml");
    }
    Set<String> copiedPoms = sources.stream().filter(s -> s.endsWith("/pom.xml")).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(modules, copiedPoms, "Maven reads every module of the reactor: the Dockerfile must copy each module's pom");
  }

  @Test
  void hasOpenContainerLabels() {
    List<Instruction> ins = dockerfile();
    String labels = of(ins, "LABEL", finalStage(ins)).stream().map(Instruction::args).collect(Collectors.joining(" "));
    for (String k : List.of("org.opencontainers.image.title", "org.opencontainers.image.version", "org.opencontainers.image.revision",
        "org.opencontainers.image.description")) {
      assertTrue(labels.contains(k + "="), "missing label " + k);
    }
  }

  @Test
  void agreesWithTheKubernetesManifests() {
    List<Instruction> ins = dockerfile();
    int last = finalStage(ins);
    String user = of(ins, "USER", last).get(0).args();
    List<Instruction> workdirs = of(ins, "WORKDIR", last);
    String workdir = workdirs.get(workdirs.size() - 1).args();
    Rendered r = Kustomize.render("base");
    for (Pods.Tier t : Pods.both(r)) {
      assertEquals(user.split(":")[0], String.valueOf(t.template().getSpec().getSecurityContext().getRunAsUser()), t.what());
    }
    assertEquals(workdir, Pods.sampling(r).container().getWorkingDir(), "the image's WORKDIR, where ./data is");
  }

  // The entrypoint, run for real with a stub `java` that prints what it was given.

  @Test
  @DisabledOnOs(OS.WINDOWS)
  void entrypointRunsTheNamedTierWithJavaOpts(@TempDir Path tmp) throws Exception {
    Run r = entrypoint(tmp, Map.of("JAVA_OPTS", "-XX:MaxRAMPercentage=50 -Dx=y"), "lb", "--config", "/etc/tailshard/config.yaml");
    assertEquals(0, r.code, r.out);
    assertEquals("-XX:MaxRAMPercentage=50 -Dx=y -jar " + tmp.resolve("home/lb-tier.jar") + " --config /etc/tailshard/config.yaml", r.out.strip());
    r = entrypoint(tmp, Map.of(), "sampling-tier", "--validate");
    assertEquals(0, r.code, r.out);
    assertEquals("-jar " + tmp.resolve("home/sampling-tier.jar") + " --validate", r.out.strip());
  }

  @Test
  @DisabledOnOs(OS.WINDOWS)
  void entrypointTakesTheTierFromTheEnvironment(@TempDir Path tmp) throws Exception {
    Run r = entrypoint(tmp, Map.of("TAILSHARD_TIER", "sampling"), "--version");
    assertEquals(0, r.code, r.out);
    assertEquals("-jar " + tmp.resolve("home/sampling-tier.jar") + " --version", r.out.strip());
  }

  @Test
  @DisabledOnOs(OS.WINDOWS)
  void entrypointRefusesAnUnknownOrMissingTier(@TempDir Path tmp) throws Exception {
    Run r = entrypoint(tmp, Map.of(), "collector");
    assertEquals(2, r.code, r.out);
    assertTrue(r.out.contains("unknown tier 'collector'"), r.out);
    r = entrypoint(tmp, Map.of());
    assertEquals(2, r.code, r.out);
    assertTrue(r.out.contains("no tier given"), r.out);
    r = entrypoint(tmp, Map.of("TAILSHARD_TIER", "both"));
    assertEquals(2, r.code, r.out);
  }

  @Test
  @DisabledOnOs(OS.WINDOWS)
  void entrypointSaysWhenTheJarIsMissing(@TempDir Path tmp) throws Exception {
    stubs(tmp);
    Files.delete(tmp.resolve("home/lb-tier.jar"));
    Run r = entrypoint(tmp, Map.of(), "lb-tier");
    assertEquals(1, r.code, r.out);
    assertTrue(r.out.contains("lb-tier.jar is missing"), r.out);
  }

  private record Run(int code, String out) {}

  /** A stub {@code java} in tmp/bin that prints its arguments, and empty jars in tmp/home. */
  private static void stubs(Path tmp) throws IOException {
    Path bin = tmp.resolve("bin");
    Path home = tmp.resolve("home");
    if (!Files.isDirectory(bin)) {
      Files.createDirectories(bin);
      Files.createDirectories(home);
      Path java = bin.resolve("java");
      Files.writeString(java, "#!/bin/sh\necho \"$*\"\n");
      Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.createFile(home.resolve("lb-tier.jar"));
      Files.createFile(home.resolve("sampling-tier.jar"));
    }
  }

  private static Run entrypoint(Path tmp, Map<String, String> env, String... args) throws Exception {
    stubs(tmp);
    Path bin = tmp.resolve("bin");
    Path home = tmp.resolve("home");
    List<String> cmd = new ArrayList<>(List.of("/bin/sh", Repo.path(ENTRYPOINT).toString()));
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    Map<String, String> e = pb.environment();
    e.remove("JAVA_OPTS");
    e.remove("TAILSHARD_TIER");
    e.put("PATH", bin + ":/usr/bin:/bin");
    e.put("TAILSHARD_HOME", home.toString());
    e.putAll(new LinkedHashMap<>(env));
    Process p = pb.start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    return new Run(p.exitValue(), out);
  }

  private static String substitute(String s, Map<String, String> args) {
    Matcher m = VAR.matcher(s);
    StringBuilder sb = new StringBuilder();
    while (m.find()) {
      String v = args.get(m.group(1));
      assertNotNull(v, "ARG " + m.group(1) + " has no default");
      m.appendReplacement(sb, Matcher.quoteReplacement(v));
    }
    m.appendTail(sb);
    return sb.toString();
  }
}

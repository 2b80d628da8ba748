package io.tailshard.loadtest.cluster;

import io.tailshard.common.config.Durations;
import io.tailshard.common.dns.LoopbackDnsServer;
import io.tailshard.loadtest.LoadTestMain;
import io.tailshard.loadtest.report.ReportCommand;
import io.tailshard.loadtest.truth.GroundTruthFiles;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * One run of a scenario on loopback: a DNS server for the sampling tier's name, the sink, the
 * sampling and lb nodes as separate JVMs, then the generator; a loop that applies the scenario's
 * steps, scrapes every node once a second, prints the live line and appends
 * {@code nodes-timeseries.csv}; after the load, a wait for every backlog to drain; then a graceful
 * stop (lb nodes, sampling nodes, the sink, which judges) and the verdict.
 *
 * <p>Bounded: every process runs under {@code timeout} with the run's hard deadline, the loop
 * checks the deadline each tick, and a JVM shutdown hook kills every child if the run itself is
 * interrupted. Not thread-safe; {@link #run} is called once.
 */
final class ClusterRun {
  private static final Duration STARTUP_BUDGET = Duration.ofSeconds(90);
  private static final Duration GENERATOR_SLACK = Duration.ofSeconds(60);
  private static final Duration SHUTDOWN_BUDGET = Duration.ofSeconds(90);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(60);
  private static final long TICK_MILLIS = 100;
  /** Seconds in a row with every backlog empty before the load counts as drained. */
  private static final int DRAINED_SECONDS = 2;

  private final Scenario s;
  private final ClusterOptions o;
  private final Layout layout;
  private final PrintStream out;
  private final Path dir;
  private final Path nodesDir;
  private final NodeScraper scraper = new NodeScraper();
  private final List<Node> lbs = new ArrayList<>();
  private final List<Node> samplings = new ArrayList<>();
  /** What went wrong with the run itself (start-up, the generator, draining, the sink). */
  private final List<String> problems = new ArrayList<>();
  /** Processes that ended in a way nobody asked for, or did not stop cleanly. */
  private final List<String> exitProblems = new ArrayList<>();
  private final List<JsonObject> events = new ArrayList<>();
  /** Each SIGKILL: the node, its endpoint and the DNS answer (the ring) at that moment. */
  private final List<JsonObject> kills = new ArrayList<>();
  private final Instant deadline;
  private LoopbackDnsServer dns;
  private ChildProcess sink;
  private ChildProcess generator;
  private BufferedWriter nodesCsv;
  private long loadStart = -1;
  private int wantSampling;
  private int lastSecond;
  private int loadEndSecond = -1;
  private int drainedSecond = -1;
  private boolean aborted;
  private double loadAverageStart = Double.NaN;

  /** One node and what the run knows of it. */
  private static final class Node {
    final int index;
    final String address;
    final ChildProcess proc;
    final boolean sampling;
    // Sampling-tier membership: in the DNS answer, and the steps in flight.
    boolean inDns;
    boolean starting;
    long drainingSince = -1;
    long restartAt = -1;
    int kills;
    // The latest scrape.
    boolean scraped;
    double accepted = Double.NaN;
    double acceptedTotal;
    double refused;
    double backlog = Double.NaN;
    double parked;
    double spansPerSecond;
    boolean negativeBacklogSeen;
    /** Per second: {second, accepted spans so far (over incarnations), CPU seconds so far}. */
    final List<double[]> history = new ArrayList<>();

    Node(int index, String address, ChildProcess proc, boolean sampling) {
      this.index = index;
      this.address = address;
      this.proc = proc;
      this.sampling = sampling;
    }

    String name() {
      return proc.name;
    }
  }

  /** A failure that ends the run early (a node that never got ready, a port in use, ...). */
  private static final class Abort extends Exception {
    Abort(String message) {
      super(message);
    }
  }

  ClusterRun(ClusterOptions o, PrintStream console) throws IOException {
    this.s = o.scenario();
    this.o = o;
    this.layout = o.layout();
    this.dir = o.out();
    this.nodesDir = dir.resolve("nodes");
    prepareDirectory();
    this.out = new PrintStream(new Tee(console, Files.newOutputStream(dir.resolve("cluster.log"))), true,
        StandardCharsets.UTF_8);
    this.deadline = Instant.now().plus(hardBound(s));
  }

  /** The whole run's upper bound: start-up, load, the generator's drain, settle, and shutdown. */
  static Duration hardBound(Scenario s) {
    return STARTUP_BUDGET.plus(s.duration()).plus(GENERATOR_SLACK).plus(s.settle()).plus(SHUTDOWN_BUDGET);
  }

  /** Runs the scenario to its verdict; returns the exit code (0 pass, 1 fail). */
  int run() {
    Thread hook = new Thread(this::killEverything, "tailshard-loadtest-cluster-cleanup");
    Runtime.getRuntime().addShutdownHook(hook);
    long started = System.nanoTime();
    loadAverageStart = loadAverage();
    ClusterVerdict verdict;
    try {
      try {
        setUp();
        runLoad();
      } catch (Abort e) {
        aborted = true;
        problems.add(e.getMessage());
        event("ABORT: " + e.getMessage());
      } catch (IOException e) {
        aborted = true;
        problems.add("I/O: " + e.getMessage());
        event("ABORT: " + e);
      }
      stopEverything();
      verdict = ClusterVerdict.judge(resultJson(), dir, problems, exitProblems);
    } finally {
      killEverything();
      if (dns != null) {
        dns.close();
      }
      closeCsv();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // The hook is running already; it kills what is left.
      }
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    verdict.write(dir, seconds, loadAverageStart, loadAverage());
    out.print(verdict.text(seconds));
    if (o.report()) {
      report();
    }
    out.println("run directory: " + dir);
    out.close();
    return verdict.pass() ? 0 : 1;
  }

  // ---------------------------------------------------------------- set-up

  private void prepareDirectory() throws IOException {
    if (Files.isDirectory(dir)) {
      boolean earlierRun = Files.exists(dir.resolve("scenario.yaml")) || Files.exists(dir.resolve("cluster.log"));
      boolean empty;
      try (Stream<Path> list = Files.list(dir)) {
        empty = list.findAny().isEmpty();
      }
      if (!empty && !earlierRun) {
        throw new IOException(dir + " is not empty and holds no earlier cluster run; choose another --out");
      }
      if (earlierRun) {
        deleteTree(dir);
      }
    }
    Files.createDirectories(dir.resolve("nodes"));
    Files.copy(o.scenarioFile(), dir.resolve("scenario.yaml"));
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private void setUp() throws IOException, Abort {
    out.printf("cluster: %s: %d lb, %d sampling node(s) (up to %d), %s of load at %s spans/s, settle %s; "
            + "hard bound %s%n", s.source(), s.lbNodes(), s.samplingNodes(), s.maxSamplingNodes(),
        Durations.format(s.duration()), Scenario.plain(s.initialRate()), Durations.format(s.settle()),
        Durations.format(hardBound(s)));
    checkAddressesFree();
    dns = LoopbackDnsServer.start(layout.sinkAddress(), 0);
    for (int k = 1; k <= s.maxSamplingNodes(); k++) {
      Path data = nodesDir.resolve("sampling-" + k).resolve("data");
      Files.createDirectories(data);
      Path config = nodesDir.resolve("sampling-" + k + ".yaml");
      Files.writeString(config, NodeConfigs.sampling(s, layout, k, data), StandardCharsets.UTF_8);
      samplings.add(new Node(k, layout.samplingAddress(k), new ChildProcess("sampling-" + k, "sampling",
          nodesDir.resolve("sampling-" + k + ".log"), nodeCommand(o.samplingJar(), config)), true));
    }
    for (int k = 1; k <= s.lbNodes(); k++) {
      Path config = nodesDir.resolve("lb-" + k + ".yaml");
      Files.writeString(config, NodeConfigs.lb(s, layout, k, dns.address()), StandardCharsets.UTF_8);
      lbs.add(new Node(k, layout.lbAddress(k), new ChildProcess("lb-" + k, "lb", nodesDir.resolve("lb-" + k + ".log"),
          nodeCommand(o.lbJar(), config)), false));
    }
    validate(o.samplingJar(), nodesDir.resolve("sampling-1.yaml"));
    validate(o.lbJar(), nodesDir.resolve("lb-1.yaml"));

    sink = new ChildProcess("sink", "sink", dir.resolve("sink.log"), toolCommand(sinkArgs()));
    sink.start(deadline);
    awaitPort(layout.sinkAddress(), layout.otlpPort(), sink);
    event("sink listening on " + layout.sinkAddress() + ":" + layout.otlpPort() + " (pid " + sink.pid() + ")");

    wantSampling = s.samplingNodes();
    for (int k = 1; k <= wantSampling; k++) {
      Node n = samplings.get(k - 1);
      n.proc.start(deadline);
      n.starting = true;
      n.inDns = true;
    }
    publishDns();
    for (Node n : lbs) {
      n.proc.start(deadline);
      n.starting = true;
    }
    long until = System.nanoTime() + READY_TIMEOUT.toNanos();
    List<Node> waiting = new ArrayList<>(lbs);
    waiting.addAll(samplings.subList(0, wantSampling));
    while (!waiting.isEmpty()) {
      for (Node n : new ArrayList<>(waiting)) {
        if (!n.proc.isRunning()) {
          throw new Abort(n.name() + " exited during start-up; see " + n.proc.log);
        }
        if (scraper.healthy(n.address + ":" + layout.healthPort())) {
          n.starting = false;
          waiting.remove(n);
          event(n.name() + " ready on " + n.address + " (pid " + n.proc.pid() + ")");
        }
      }
      if (System.nanoTime() > until) {
        throw new Abort("not ready within " + Durations.format(READY_TIMEOUT) + ": "
            + waiting.stream().map(Node::name).toList());
      }
      sleep(200);
    }
    nodesCsv = Files.newBufferedWriter(dir.resolve(GroundTruthFiles.NODES_TIMESERIES), StandardCharsets.UTF_8);
    nodesCsv.write("t_s,unix_ms,process,role,spans_per_s,backlog,cpu_seconds\n");
  }

  /** Every listener of the run must be free before anything starts: a clear message beats a node's bind error. */
  private void checkAddressesFree() throws Abort {
    List<InetSocketAddress> all = new ArrayList<>();
    for (int k = 1; k <= s.lbNodes(); k++) {
      for (int p : new int[] {layout.otlpPort(), layout.httpPort(), layout.metricsPort(), layout.healthPort()}) {
        all.add(new InetSocketAddress(layout.lbAddress(k), p));
      }
    }
    for (int k = 1; k <= s.maxSamplingNodes(); k++) {
      for (int p : new int[] {layout.otlpPort(), layout.metricsPort(), layout.healthPort()}) {
        all.add(new InetSocketAddress(layout.samplingAddress(k), p));
      }
    }
    all.add(new InetSocketAddress(layout.sinkAddress(), layout.otlpPort()));
    for (InetSocketAddress a : all) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(a);
      } catch (IOException e) {
        throw new Abort(a.getHostString() + ":" + a.getPort() + " cannot be bound (" + e.getMessage()
            + "); another cluster run? choose another --address-prefix");
      }
    }
  }

  private List<String> nodeCommand(Path jar, Path config) {
    List<String> cmd = new ArrayList<>();
    cmd.add(o.java());
    cmd.addAll(s.jvmOptions());
    cmd.addAll(List.of("-jar", jar.toString(), "--config", config.toString()));
    return cmd;
  }

  private List<String> toolCommand(List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(o.java());
    cmd.addAll(o.toolJvmOptions());
    cmd.addAll(List.of("-cp", o.loadtestClasspath(), LoadTestMain.class.getName()));
    cmd.addAll(args);
    return cmd;
  }

  /** The tier checks its own config (policies included) before any node starts. */
  private void validate(Path jar, Path config) throws IOException, Abort {
    List<String> cmd = new ArrayList<>(List.of(o.java(), "-Xmx256m", "-jar", jar.toString(), "--validate",
        "--config", config.toString()));
    Path log = dir.resolve("nodes").resolve(config.getFileName() + ".validate.log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new Abort("validating " + config + " took more than 60s");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new Abort("interrupted");
    }
    if (p.exitValue() != 0) {
      throw new Abort(config + " is not a valid config: " + Files.readString(log, StandardCharsets.UTF_8).strip());
    }
  }

  private List<String> sinkArgs() {
    long bound = Math.max(60, Duration.between(Instant.now(), deadline).toSeconds());
    return new ArrayList<>(List.of("sink",
        "--grpc", layout.sinkAddress() + ":" + layout.otlpPort(), "--http", "off",
        "--truth", dir.toString(), "--out", dir.toString(),
        "--duration", bound + "s",
        // The run stops the sink itself once every backlog drained; this is only its own bound.
        "--settle", s.settle().plusSeconds(60).toSeconds() + "s",
        "--sampling-percentage", Scenario.plain(s.samplingPercentage()),
        "--hash-salt", s.hashSalt(), "--exact-rule", "--quiet"));
  }

  private List<String> generatorArgs() {
    List<String> args = new ArrayList<>(List.of("generate"));
    int port = s.protocol().equals("grpc") ? layout.otlpPort() : layout.httpPort();
    List<String> endpoints = lbs.stream().map(n -> n.address + ":" + port).toList();
    args.addAll(List.of("--endpoint", String.join(",", endpoints), "--duration", s.duration().toMillis() + "ms",
        "--out", dir.toString(), "--quiet"));
    List<String> given = s.generateArgs();
    if (!given.contains("--connections")) {
      args.addAll(List.of("--connections", String.valueOf(Math.max(4, lbs.size()))));
    }
    if (!given.contains("--drain-timeout")) {
      args.addAll(List.of("--drain-timeout", "20s"));
    }
    args.addAll(given);
    String steps = Scenario.rateSteps(s.steps());
    if (!steps.isEmpty()) {
      args.addAll(List.of("--rate-steps", steps));
    }
    return args;
  }

  private void awaitPort(String host, int port, ChildProcess p) throws Abort {
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < until) {
      if (!p.isRunning()) {
        throw new Abort(p.name + " exited during start-up; see " + p.log);
      }
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress(host, port), 200);
        return;
      } catch (IOException e) {
        sleep(100);
      }
    }
    throw new Abort(p.name + " did not listen on " + host + ":" + port + " within 30s; see " + p.log);
  }

  // ---------------------------------------------------------------- the load

  private void runLoad() throws IOException, Abort {
    generator = new ChildProcess("generate", "generate", dir.resolve("generate.log"), toolCommand(generatorArgs()));
    generator.start(deadline);
    loadStart = System.nanoTime();
    event("load started: generator pid " + generator.pid() + " -> " + lbs.stream().map(n -> n.address).toList());
    CsvTail generatorSeries = new CsvTail(dir.resolve(GroundTruthFiles.GENERATE_TIMESERIES));
    CsvTail sinkSeries = new CsvTail(dir.resolve(GroundTruthFiles.SINK_TIMESERIES));
    long generatorBound = loadStart + s.duration().plus(GENERATOR_SLACK).toNanos();
    long runEnd = deadline.minus(SHUTDOWN_BUDGET).toEpochMilli();
    int stepIndex = 0;
    long nextSecond = loadStart + TimeUnit.SECONDS.toNanos(1);
    long generatorDoneAt = -1;
    int drainedStreak = 0;
    while (true) {
      long now = System.nanoTime();
      if (System.currentTimeMillis() > runEnd) {
        throw new Abort("the hard bound was reached before the load drained");
      }
      while (stepIndex < s.steps().size() && now - loadStart >= s.steps().get(stepIndex).at().toNanos()) {
        apply(s.steps().get(stepIndex++), now);
      }
      reconcileSampling(now);
      reapNodes();
      if (generatorDoneAt < 0 && !generator.isRunning()) {
        generatorDoneAt = now;
        ChildProcess.Exit e = generator.reapIfExited();
        loadEndSecond = lastSecond;
        event("generator finished (exit " + (e == null ? "?" : e.code()) + "); waiting up to "
            + Durations.format(s.settle()) + " for every backlog to drain");
        if (e != null && e.code() != 0 && e.code() != 1) {
          problems.add("the generator exited with " + e.code() + "; see " + generator.log);
        }
      }
      if (generatorDoneAt < 0 && now > generatorBound) {
        problems.add("the generator ran past its bound and was killed");
        generator.killAll();
      }
      if (now >= nextSecond) {
        lastSecond++;
        boolean drained = second(lastSecond, generatorSeries, sinkSeries);
        nextSecond += TimeUnit.SECONDS.toNanos(1);
        if (generatorDoneAt >= 0) {
          drainedStreak = drained ? drainedStreak + 1 : 0;
          if (drainedStreak >= DRAINED_SECONDS) {
            drainedSecond = lastSecond;
            event("drained: every queue and trace buffer is empty");
            return;
          }
          if (now - generatorDoneAt > s.settle().toNanos()) {
            problems.add("backlogs did not drain within settle (" + Durations.format(s.settle()) + ")");
            event("settle time over with backlogs left");
            return;
          }
        }
      }
      long sleep = Math.min(TICK_MILLIS, TimeUnit.NANOSECONDS.toMillis(nextSecond - System.nanoTime()));
      if (sleep > 0) {
        sleep(sleep);
      }
    }
  }

  private void apply(Scenario.Step step, long now) throws IOException {
    if (step instanceof Scenario.RateStep) {
      event("step: " + step.describe());
    } else if (step instanceof Scenario.ScaleStep scale) {
      event("step: " + step.describe() + " (from " + wantSampling + ")");
      wantSampling = scale.nodes();
    } else if (step instanceof Scenario.KillStep kill) {
      Node n = samplings.get(kill.index() - 1);
      if (!n.proc.isRunning()) {
        event("step: " + step.describe() + ": sampling-" + kill.index() + " is not running; nothing to kill");
        return;
      }
      long pid = n.proc.pid();
      kills.add(new JsonObject()
          .put("node", n.name())
          .put("endpoint", n.address + ":" + layout.otlpPort())
          .put("unix_ms", System.currentTimeMillis())
          .put("ring", new JsonArray(samplings.stream().filter(x -> x.inDns)
              .map(x -> x.address + ":" + layout.otlpPort()).toList())));
      n.proc.kill();
      n.kills++;
      n.starting = false;
      n.restartAt = now + kill.restartAfter().toNanos();
      event("step: kill -9 sampling-" + kill.index() + " (pid " + pid + "); it stays in DNS; restart in "
          + Durations.format(kill.restartAfter()));
    }
  }

  /**
   * Moves every sampling node toward the wanted count: a new node joins the DNS answer once it is
   * ready; a removed node leaves the answer first, drains (the lb nodes re-resolve, its buffered
   * traces reach their decision) and only then gets SIGTERM; a killed node restarts on its data.
   */
  private void reconcileSampling(long now) throws IOException {
    boolean dnsChanged = false;
    for (Node n : samplings) {
      boolean wanted = n.index <= wantSampling;
      if (n.restartAt >= 0 && now >= n.restartAt) {
        n.restartAt = -1;
        if (!n.proc.isRunning()) {
          n.proc.reapIfExited();
          n.proc.start(deadline);
          n.starting = true;
          event("restarted " + n.name() + " on its data directory (pid " + n.proc.pid() + ")");
        }
      }
      if (wanted && n.drainingSince >= 0) {
        n.drainingSince = -1;
        n.inDns = true;
        dnsChanged = true;
        event(n.name() + " is wanted again: back in DNS");
      }
      if (wanted && !n.proc.isRunning() && !n.starting && n.restartAt < 0) {
        n.proc.reapIfExited();
        n.proc.start(deadline);
        n.starting = true;
        event("started " + n.name() + " (pid " + n.proc.pid() + "); it joins DNS when ready");
      }
      if (n.starting && n.proc.isRunning() && scraper.healthy(n.address + ":" + layout.healthPort())) {
        n.starting = false;
        if (wanted && !n.inDns) {
          n.inDns = true;
          dnsChanged = true;
          event(n.name() + " ready; added to DNS");
        } else {
          event(n.name() + " ready");
        }
      }
      if (!wanted && n.inDns) {
        n.inDns = false;
        n.drainingSince = now;
        dnsChanged = true;
        event("removed " + n.name() + " from DNS; it drains, then gets SIGTERM");
      }
      if (!wanted && n.starting && n.proc.isRunning()) {
        n.starting = false;
        n.proc.terminate();
      }
      if (n.drainingSince >= 0 && n.proc.isRunning()) {
        long elapsed = now - n.drainingSince;
        boolean resolved = elapsed >= s.dnsInterval().plusSeconds(1).toNanos();
        boolean empty = n.scraped && n.backlog == 0;
        boolean overdue = elapsed >= s.dnsInterval().plus(s.decisionWait()).plusSeconds(15).toNanos();
        if ((resolved && empty) || overdue) {
          n.drainingSince = -1;
          event("SIGTERM " + n.name() + " (" + (empty ? "drained" : "still " + fmt(n.backlog) + " undecided traces")
              + ")");
          n.proc.terminate();
        }
      } else if (n.drainingSince >= 0) {
        n.drainingSince = -1;
      }
    }
    if (dnsChanged) {
      publishDns();
    }
  }

  private void publishDns() {
    List<String> addresses = samplings.stream().filter(n -> n.inDns).map(n -> n.address).toList();
    dns.setA(Layout.SAMPLING_NAME, addresses);
    event("DNS " + Layout.SAMPLING_NAME + " -> " + addresses);
  }

  /** Notes nodes that ended; one that ended without being asked to is a failure of the run. */
  private void reapNodes() {
    for (Node n : allNodes()) {
      ChildProcess.Exit e = n.proc.reapIfExited();
      if (e != null) {
        judgeExit(n.proc, e);
      }
    }
  }

  private void judgeExit(ChildProcess p, ChildProcess.Exit e) {
    switch (e.requested()) {
      case KILL -> event(p.name + " ended by SIGKILL (exit " + e.code() + "), as the scenario asked");
      case TERM -> {
        String log = p.currentLog();
        boolean clean = (e.code() == 0 || e.code() == 143) && log.contains(" stopped tier=")
            && !log.contains("stopped with errors");
        event(p.name + " stopped after SIGTERM (exit " + e.code() + (clean ? ", clean" : ", NOT clean") + ")");
        if (!clean) {
          exitProblems.add(p.name + " did not stop cleanly after SIGTERM (exit " + e.code() + "); see " + p.log);
        }
      }
      default -> {
        String why = e.code() == ChildProcess.TIMED_OUT ? "stopped by the hard bound" : "exited by itself";
        event(p.name + " " + why + " (exit " + e.code() + ")");
        exitProblems.add(p.name + " " + why + " (exit " + e.code() + ", incarnation " + e.incarnation() + "); see " + p.log);
      }
    }
  }

  /** One second: scrape, print the live line, append the node series. True when every backlog is empty. */
  private boolean second(int t, CsvTail generatorSeries, CsvTail sinkSeries) throws IOException {
    List<Node> nodes = allNodes();
    List<CompletableFuture<Map<String, Double>>> scrapes = new ArrayList<>();
    for (Node n : nodes) {
      scrapes.add(n.proc.isRunning() ? scraper.metrics(n.address + ":" + layout.metricsPort())
          : CompletableFuture.completedFuture(null));
    }
    long unixMs = System.currentTimeMillis();
    boolean drained = true;
    double lbQueued = 0;
    double lbParked = 0;
    double undecided = 0;
    double nodeRefused = 0;
    StringBuilder perNode = new StringBuilder();
    for (int i = 0; i < nodes.size(); i++) {
      Node n = nodes.get(i);
      Map<String, Double> m;
      try {
        m = scrapes.get(i).get(2, TimeUnit.SECONDS);
      } catch (Exception e) {
        m = null;
      }
      double cpu = n.proc.cpuSeconds();
      n.scraped = m != null;
      if (m != null) {
        double accepted = m.getOrDefault(NodeScraper.ACCEPTED, 0.0);
        // A counter that went down belongs to a new incarnation, which started from zero.
        double delta = Double.isNaN(n.accepted) || accepted < n.accepted ? accepted : accepted - n.accepted;
        n.accepted = accepted;
        n.acceptedTotal += delta;
        n.spansPerSecond = delta;
        double refused = m.getOrDefault(NodeScraper.REFUSED, 0.0);
        nodeRefused += Math.max(0, refused - n.refused);
        n.refused = refused;
        n.backlog = n.sampling ? m.getOrDefault(NodeScraper.ON_MEMORY, 0.0) : m.getOrDefault(NodeScraper.QUEUE, 0.0);
        if (n.backlog < 0) {
          // A gauge of held items below zero is the node's own accounting bug: say so once, and
          // read it as empty so that it cannot hold the run open until settle runs out.
          if (!n.negativeBacklogSeen) {
            n.negativeBacklogSeen = true;
            event(n.name() + " reports a negative backlog (" + fmt(n.backlog) + "): a bug in its own metrics");
          }
          n.backlog = 0;
        }
        n.parked = m.getOrDefault(NodeScraper.PARKED, 0.0);
        if (n.sampling) {
          undecided += n.backlog;
        } else {
          lbQueued += n.backlog;
          lbParked += n.parked;
        }
        drained &= n.backlog == 0 && n.parked == 0;
      } else {
        n.spansPerSecond = 0;
        n.backlog = Double.NaN;
        n.accepted = Double.NaN;
        n.refused = 0;
        // Unreadable: fine only for a node that is out of the tier on purpose (scaled down and stopped).
        drained &= !n.proc.isRunning() && !n.inDns && n.restartAt < 0;
      }
      drained &= !n.starting && n.restartAt < 0 && n.drainingSince < 0;
      n.history.add(new double[] {t, n.acceptedTotal, cpu});
      if (n.proc.incarnation() > 0) {
        nodesCsv.write(t + "," + unixMs + "," + n.name() + "," + n.proc.role + "," + Math.round(n.spansPerSecond) + ","
            + (Double.isNaN(n.backlog) ? "" : Long.toString(Math.round(n.backlog))) + ","
            + String.format(Locale.ROOT, "%.2f", cpu) + "\n");
      }
      if (perNode.length() > 0) {
        perNode.append(i > 0 && nodes.get(i - 1).sampling != n.sampling ? " | " : ", ");
      }
      perNode.append(n.name()).append(' ').append(m != null ? fmt(n.spansPerSecond)
          : n.proc.incarnation() == 0 ? "-" : n.restartAt >= 0 || !n.proc.isRunning() ? "down"
          : n.starting ? "starting" : "no answer");
    }
    nodesCsv.flush();
    Map<String, String> g = generatorSeries.last();
    Map<String, String> k = sinkSeries.last();
    double generatorBacklog = CsvTail.number(g, "backlog_spans");
    out.printf("[%4ds] offered %s/s accepted %s/s refused %s/s | backlog gen %s spans, lb %s batches%s, sampling %s traces"
            + " | kept %s spans/s | %s%n",
        t, num(g, "offered_spans_per_s"), num(g, "accepted_spans_per_s"), num(g, "failed_spans_per_s"),
        Double.isNaN(generatorBacklog) ? "-" : fmt(generatorBacklog), fmt(lbQueued),
        lbParked > 0 ? " + " + fmt(lbParked) + " parked spans" : "", fmt(undecided), num(k, "spans_per_s"), perNode);
    if (nodeRefused > 0) {
      out.printf("        nodes refused %s spans this second%n", fmt(nodeRefused));
    }
    return drained;
  }

  private List<Node> allNodes() {
    List<Node> all = new ArrayList<>(lbs);
    all.addAll(samplings);
    return all;
  }

  // ---------------------------------------------------------------- the end

  /** Producers first: the generator (if still up), the lb nodes, the sampling nodes, then the sink, which judges. */
  private void stopEverything() {
    if (generator != null && generator.isRunning()) {
      generator.killAll();
      generator.awaitExit(5_000);
    }
    stopAll(lbs, 30_000);
    for (Node n : samplings) {
      n.restartAt = -1;
    }
    stopAll(samplings, 45_000);
    if (sink != null && sink.isRunning()) {
      event("stopping the sink; it judges what arrived");
      sink.terminate();
      if (!sink.awaitExit(60_000)) {
        problems.add("the sink did not finish judging within 60s");
        sink.killAll();
      }
      ChildProcess.Exit e = sink.reapIfExited();
      if (e != null && e.code() != 0 && e.code() != 1 && e.code() != 143) {
        problems.add("the sink exited with " + e.code() + "; see " + sink.log);
      }
    }
  }

  private void stopAll(List<Node> nodes, long millis) {
    List<Node> running = nodes.stream().filter(n -> n.proc.isRunning()).toList();
    if (running.isEmpty()) {
      reapNodes();
      return;
    }
    event("SIGTERM " + running.stream().map(Node::name).toList());
    running.forEach(n -> n.proc.terminate());
    long until = System.currentTimeMillis() + millis;
    for (Node n : running) {
      if (!n.proc.awaitExit(Math.max(1, until - System.currentTimeMillis()))) {
        exitProblems.add(n.name() + " did not stop within " + millis / 1000 + "s of SIGTERM; killed");
        n.proc.killAll();
        n.proc.awaitExit(5_000);
      }
    }
    reapNodes();
  }

  /** Kills every child still alive; safe to call more than once and from the shutdown hook. */
  private void killEverything() {
    for (Node n : allNodes()) {
      n.proc.killAll();
    }
    if (generator != null) {
      generator.killAll();
    }
    if (sink != null) {
      sink.killAll();
    }
  }

  private void closeCsv() {
    if (nodesCsv != null) {
      try {
        nodesCsv.close();
      } catch (IOException e) {
        out.println("cluster: closing " + GroundTruthFiles.NODES_TIMESERIES + ": " + e.getMessage());
      }
      nodesCsv = null;
    }
  }

  /**
   * The run's own figures: per node and per tier, spans/s over the load after the warm-up, and
   * CPU-seconds per million spans from the end of the warm-up to the end of the run (so the work
   * on the last traces' decisions is counted against the spans that caused it).
   */
  private JsonObject resultJson() {
    int from = (int) s.warmup().toSeconds();
    // The generator starts traces for the scenario's duration, then finishes the last ones: the
    // rate is measured over the part with new traces.
    int loadEnd = (int) Math.min(s.duration().toSeconds(), loadEndSecond > 0 ? loadEndSecond : lastSecond);
    JsonObject processes = new JsonObject();
    Map<String, double[]> tiers = new LinkedHashMap<>();
    for (Node n : allNodes()) {
      if (n.history.isEmpty()) {
        continue;
      }
      double[] a = at(n.history, from);
      double[] b = at(n.history, loadEnd);
      double[] z = n.history.get(n.history.size() - 1);
      double loadSeconds = Math.max(1, b[0] - a[0]);
      double spans = z[1] - a[1];
      double cpu = z[2] - a[2];
      JsonObject p = new JsonObject()
          .put("role", n.proc.role)
          .put("incarnations", n.proc.incarnation())
          .put("sigkills", n.kills)
          .put("spans_total", z[1])
          .put("cpu_seconds_total", z[2])
          .put("spans_per_s", (b[1] - a[1]) / loadSeconds)
          .put("cpu_seconds_per_million_spans", spans > 0 ? cpu / (spans / 1e6) : null)
          .put("exits", new JsonArray(n.proc.exits().stream()
              .map(e -> new JsonObject().put("incarnation", e.incarnation()).put("code", e.code())
                  .put("requested", e.requested().name().toLowerCase(Locale.ROOT)))
              .toList()));
      processes.put(n.name(), p);
      double[] tier = tiers.computeIfAbsent(n.proc.role, r -> new double[3]);
      tier[0] += (b[1] - a[1]) / loadSeconds;
      tier[1] += spans;
      tier[2] += cpu;
    }
    JsonObject tierJson = new JsonObject();
    tiers.forEach((role, v) -> tierJson.put(role, new JsonObject()
        .put("spans_per_s", v[0])
        .put("cpu_seconds_per_million_spans", v[1] > 0 ? v[2] / (v[1] / 1e6) : null)));
    return new JsonObject()
        .put("command", "cluster")
        .put("scenario", s.source())
        .put("lb_nodes", s.lbNodes())
        .put("sampling_nodes", s.samplingNodes())
        .put("failing_backends", s.failingBackends())
        .put("compression", s.compression())
        .put("lb_batch", s.lbBatchYaml() == null ? null : s.lbBatchYaml().strip().replace("\n", "; "))
        .put("jvm_options", new JsonArray(s.jvmOptions()))
        .put("aborted", aborted)
        .put("drained", drainedSecond > 0)
        .put("window", new JsonObject().put("from_s", from).put("load_end_s", loadEnd).put("end_s", lastSecond)
            .put("note", "spans/s over [from_s, load_end_s]; CPU-s per 1M spans over [from_s, end_s]"))
        .put("processes", processes)
        .put("tiers", tierJson)
        .put("kills", new JsonArray(kills))
        .put("events", new JsonArray(events));
  }

  /** The history entry at second {@code t}, or the nearest one before it (the first when none is). */
  private static double[] at(List<double[]> history, int t) {
    double[] best = history.get(0);
    for (double[] h : history) {
      if (h[0] <= t) {
        best = h;
      }
    }
    return best;
  }

  private void report() {
    String[] args = {"--in", dir.toString(), "--title", "tailshard cluster: " + Path.of(s.source()).getFileName()};
    PrintStream previous = System.out;
    // The report command prints to System.out; route it through this run's console and log.
    System.setOut(out);
    try {
      int code = ReportCommand.run(args);
      if (code != 0) {
        out.println("cluster: the report could not be written (exit " + code + ")");
      }
    } finally {
      System.setOut(previous);
    }
  }

  // ---------------------------------------------------------------- helpers

  private void event(String text) {
    String at = loadStart < 0 ? "setup" : String.format("%5.1fs", (System.nanoTime() - loadStart) / 1e9);
    out.printf("[%s] %s%n", at, text);
    events.add(new JsonObject().put("at", at.trim()).put("unix_ms", System.currentTimeMillis()).put("event", text));
  }

  private static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  private static String num(Map<String, String> row, String column) {
    double v = CsvTail.number(row, column);
    return Double.isNaN(v) ? "-" : fmt(v);
  }

  static String fmt(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Console and log file at once. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] buf, int off, int len) throws IOException {
      a.write(buf, off, len);
      b.write(buf, off, len);
    }

    @Override
    public void flush() throws IOException {
      a.flush();
      b.flush();
    }

    @Override
    public void close() throws IOException {
      try {
        b.close();
      } finally {
        a.flush();
      }
    }
  }
}

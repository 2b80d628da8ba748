package io.tailshard.loadtest.cluster;

import io.tailshard.common.config.ConfigException;
import io.tailshard.common.config.ConfigLoader;
import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.config.ConfigNode;
import io.tailshard.common.config.Durations;
import io.tailshard.loadtest.generate.GenerateCommand;
import io.tailshard.loadtest.truth.ProbabilisticRule;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code cluster} scenario: how many nodes of each tier, the sampling policies, the load, and a
 * timeline of steps (rate changes, scaling the sampling tier, SIGKILL and restart of a node). Read
 * from YAML with the project's strict loader, so an unknown key or a bad value fails with
 * {@code file:line: key.path: problem}; see {@code docs/loadtest.md} for the format.
 *
 * <p>Times of steps are measured from the start of the load (the generator's start).
 *
 * @param source the file it was read from, for messages and the run directory
 * @param lbNodes lb-tier processes, all running for the whole run
 * @param samplingNodes sampling-tier processes at the start
 * @param decisionWait the tail_sampling {@code decision_wait}
 * @param policiesYaml the tail_sampling {@code policies} block, rendered as YAML to paste into each
 *     sampling node's config (default: errors + probabilistic 10%)
 * @param samplingPercentage the probabilistic policy's percentage, which the sink judges by (0 when
 *     there is none: only error traces are kept)
 * @param hashSalt the probabilistic policy's {@code hash_salt}
 * @param generateArgs the generator's options from the {@code generate} block, as command-line
 *     arguments (endpoints, duration, rate steps and output are added by the run)
 * @param protocol the generator's protocol ({@code grpc}, {@code http/protobuf}, {@code http/json})
 * @param steps the timeline, in time order
 * @param duration how long the generator starts new traces
 * @param settle after the load, how long at most to wait for every backlog to drain
 * @param warmup the first part of the load left out of the CPU figures
 * @param dnsInterval the lb nodes' DNS resolution interval (how soon they see a scale step)
 * @param failingBackends the loadbalancing exporter's {@code failing_backends}: {@code wait} or
 *     {@code reroute}
 * @param compression between lb and sampling nodes (the loadbalancing exporter's
 *     {@code protocol.otlp.compression}): {@code gzip}, the Collector's default, or {@code none}
 * @param lbBatchYaml the loadbalancing exporter's {@code protocol.otlp.sending_queue.batch} block as
 *     YAML (from the scenario's {@code lb_batch}), or null for none: batches waiting for a backend
 *     are then merged only when a send lane frees up, with no waiting
 * @param jvmOptions JVM options of every node process
 */
public record Scenario(
    String source,
    int lbNodes,
    int samplingNodes,
    Duration decisionWait,
    String policiesYaml,
    double samplingPercentage,
    String hashSalt,
    List<String> generateArgs,
    String protocol,
    List<Step> steps,
    Duration duration,
    Duration settle,
    Duration warmup,
    Duration dnsInterval,
    String failingBackends,
    String compression,
    String lbBatchYaml,
    List<String> jvmOptions) {

  /** At most this many nodes per tier: one /24 of loopback addresses each, and a 2-core machine. */
  public static final int MAX_NODES = 32;

  /**
   * Small heaps and the serial collector: several JVMs share two cores, and the serial collector
   * runs no background GC threads that would compete with the nodes' own work (G1 starts
   * concurrent and parallel workers sized to the machine in every JVM). With heaps this small its
   * pauses stay in the low milliseconds. The sampling tier keeps span bodies in RocksDB, off heap.
   */
  public static final List<String> DEFAULT_JVM_OPTIONS = List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC");

  /** The default policies: every error trace, and 10% of the rest. */
  static final String DEFAULT_POLICIES = String.join("\n",
      "- name: errors",
      "  type: status_code",
      "  status_code: {status_codes: [ERROR]}",
      "- name: baseline",
      "  type: probabilistic",
      "  probabilistic: {sampling_percentage: 10}",
      "");

  /** The generate options a scenario may set (snake_case of the command's {@code --kebab-case}). */
  static final List<String> GENERATE_KEYS = List.of(
      "rate", "protocol", "compression", "connections", "workers", "max_inflight", "batch_spans",
      "batch_interval", "timeout", "services", "operations", "spans_per_trace", "depth", "attributes",
      "attribute_size", "error_ratio", "span_duration", "trace_spread", "late_ratio", "late_delay",
      "late_spans", "drain_timeout", "seed");

  /** One step of the timeline. */
  public sealed interface Step permits RateStep, ScaleStep, KillStep {
    /** When, from the start of the load. */
    Duration at();

    /** What the step does, for the live output. */
    String describe();
  }

  /** From {@code at} on, the generator's target is {@code rate} spans/s. */
  public record RateStep(Duration at, double rate) implements Step {
    @Override
    public String describe() {
      return String.format(Locale.ROOT, "rate %.0f spans/s", rate);
    }
  }

  /** The sampling tier goes to {@code nodes} nodes (started, or removed from DNS and stopped). */
  public record ScaleStep(Duration at, int nodes) implements Step {
    @Override
    public String describe() {
      return "scale the sampling tier to " + nodes + " nodes";
    }
  }

  /** Sampling node {@code index} (1-based) gets SIGKILL and is started again {@code restartAfter} later. */
  public record KillStep(Duration at, int index, Duration restartAfter) implements Step {
    @Override
    public String describe() {
      return "SIGKILL sampling-" + index + ", restart after " + Durations.format(restartAfter);
    }
  }

  public Scenario {
    generateArgs = List.copyOf(generateArgs);
    steps = List.copyOf(steps);
    jvmOptions = List.copyOf(jvmOptions);
  }

  /** The generator's starting rate (the {@code generate.rate} option, default 1000). */
  public double initialRate() {
    int i = generateArgs.indexOf("--rate");
    return i >= 0 ? Double.parseDouble(generateArgs.get(i + 1)) : 1000;
  }

  /** The most sampling nodes that run at once over the whole timeline. */
  public int maxSamplingNodes() {
    int max = samplingNodes;
    for (Step s : steps) {
      if (s instanceof ScaleStep scale) {
        max = Math.max(max, scale.nodes());
      }
    }
    return max;
  }

  /** Reads and checks a scenario file. */
  public static Scenario load(Path file) {
    return parse(new ConfigLoader().load(file));
  }

  /** Reads and checks a scenario from YAML text; {@code file} names it in messages. */
  public static Scenario parse(String file, String text) {
    return parse(new ConfigLoader().parse(file, text));
  }

  private static Scenario parse(ConfigNode root) {
    ConfigMap m = root.asMap();
    int lb = m.integer("lb_nodes", 1, 1, MAX_NODES);
    int sampling = m.integer("sampling_nodes", 2, 1, MAX_NODES);
    Duration decisionWait = positive(m, "decision_wait", Duration.ofSeconds(5));

    String policiesYaml;
    double percentage;
    String salt;
    ConfigNode policies = m.get("policies").filter(n -> !n.isNull()).orElse(null);
    if (policies == null) {
      policiesYaml = DEFAULT_POLICIES;
      percentage = 10;
      salt = ProbabilisticRule.DEFAULT_SALT;
    } else {
      if (!policies.isList() || policies.items().isEmpty()) {
        throw ConfigException.at(policies, "expected a non-empty list of tail_sampling policies");
      }
      double[] p = {0};
      String[] s = {ProbabilisticRule.DEFAULT_SALT};
      for (ConfigNode policy : policies.items()) {
        judgeable(policy, p, s);
      }
      policiesYaml = YamlText.render(policies);
      percentage = p[0];
      salt = s[0];
    }

    ConfigMap generate = m.map("generate");
    List<String> generateArgs = new ArrayList<>();
    Map<String, ConfigNode> generateNodes = new LinkedHashMap<>();
    for (String key : GENERATE_KEYS) {
      generate.get(key).filter(n -> !n.isNull()).ifPresent(n -> {
        if (!n.isScalar()) {
          throw ConfigException.at(n, "expected a single value, found " + n.describe());
        }
        generateArgs.add("--" + key.replace('_', '-'));
        generateArgs.add(n.text());
        generateNodes.put(key.replace('_', '-'), n);
      });
    }
    generate.done();
    String protocol = generate.string("protocol", "grpc");

    Duration duration = positive(m, "duration", Duration.ofSeconds(60));
    List<Step> steps = steps(m, sampling, duration);
    List<String> withSteps = new ArrayList<>(generateArgs);
    String rateSteps = rateSteps(steps);
    if (!rateSteps.isEmpty()) {
      withSteps.add("--rate-steps");
      withSteps.add(rateSteps);
    }
    String problem = GenerateCommand.check(withSteps);
    if (problem != null) {
      throw generateError(m, generate, generateNodes, problem);
    }

    Duration settle = nonNegative(m, "settle", decisionWait.multipliedBy(2).plusSeconds(10));
    Duration warmup = nonNegative(m, "warmup", Duration.ofSeconds(10));
    if (warmup.compareTo(duration) >= 0) {
      throw m.error("warmup", "must be shorter than duration (" + Durations.format(duration) + ")");
    }
    Duration dnsInterval = positive(m, "dns_interval", Duration.ofSeconds(1));
    String failing = m.oneOf("failing_backends", "wait", "wait", "reroute");
    String compression = m.oneOf("compression", "gzip", "gzip", "none");
    ConfigNode batch = m.get("lb_batch").filter(n -> !n.isNull()).orElse(null);
    if (batch != null && !batch.isMap()) {
      throw ConfigException.at(batch, "expected the loadbalancing exporter's sending_queue.batch block "
          + "(flush_timeout, min_size, max_size, sizer), found " + batch.describe());
    }
    // Checked by the lb tier's own --validate, like the policies.
    String lbBatchYaml = batch == null ? null : batch.entries().isEmpty() ? "{}" : YamlText.render(batch);
    List<String> jvm = m.stringList("jvm_options", DEFAULT_JVM_OPTIONS);
    m.done();
    return new Scenario(root.file(), lb, sampling, decisionWait, policiesYaml, percentage, salt, generateArgs,
        protocol, steps, duration, settle, warmup, dnsInterval, failing, compression, lbBatchYaml, jvm);
  }

  /**
   * The sink judges the errors + probabilistic rule, so the policies must be ones it can judge: a
   * {@code status_code} policy on ERROR and at most one {@code probabilistic} policy. The policy's
   * own options are checked by the sampling tier itself when the run validates the node config.
   */
  private static void judgeable(ConfigNode policy, double[] percentage, String[] salt) {
    if (!policy.isMap()) {
      throw ConfigException.at(policy, "expected a policy (a map with name, type and its block)");
    }
    Map<String, ConfigNode> e = policy.entries();
    ConfigNode typeNode = e.get("type");
    String type = typeNode == null || !typeNode.isScalar() ? "" : typeNode.text();
    switch (type) {
      case "status_code": {
        ConfigNode block = e.get("status_code");
        ConfigNode codes = block == null || !block.isMap() ? null : block.entries().get("status_codes");
        if (codes == null || !codes.isList() || codes.items().size() != 1
            || !codes.items().get(0).text().equals("ERROR")) {
          throw ConfigException.at(block == null ? policy : block,
              "the sink judges 'every error trace kept': a status_code policy must be status_codes: [ERROR]");
        }
        return;
      }
      case "probabilistic": {
        if (percentage[0] != 0) {
          throw ConfigException.at(policy, "at most one probabilistic policy: the sink judges one percentage");
        }
        ConfigNode block = e.get("probabilistic");
        Map<String, ConfigNode> b = block == null || !block.isMap() ? Map.of() : block.entries();
        ConfigNode pct = b.get("sampling_percentage");
        try {
          percentage[0] = pct == null ? 0 : Double.parseDouble(pct.text());
        } catch (NumberFormatException ex) {
          throw ConfigException.at(pct, "expected a number, found " + pct.describe());
        }
        if (b.get("hash_salt") != null && !b.get("hash_salt").text().isEmpty()) {
          salt[0] = b.get("hash_salt").text();
        }
        return;
      }
      default:
        throw ConfigException.at(typeNode == null ? policy : typeNode, "policy type '" + type
            + "': the sink judges errors + probabilistic sampling only; allowed types: status_code, probabilistic");
    }
  }

  private static List<Step> steps(ConfigMap m, int initialSampling, Duration duration) {
    List<Step> steps = new ArrayList<>();
    int nodes = initialSampling;
    Duration last = Duration.ZERO;
    for (ConfigMap s : m.mapList("steps")) {
      Duration at = s.duration("at", null);
      if (at == null) {
        throw s.error("at: required key is missing (when the step happens, from the start of the load)");
      }
      if (at.compareTo(last) < 0) {
        throw s.error("at", "steps must be in time order; the previous one is at " + Durations.format(last));
      }
      if (at.compareTo(duration) >= 0) {
        throw s.error("at", "after the load ends (duration " + Durations.format(duration) + ")");
      }
      last = at;
      boolean rate = s.has("rate");
      boolean scale = s.has("scale_sampling");
      boolean kill = s.has("kill_sampling");
      if ((rate ? 1 : 0) + (scale ? 1 : 0) + (kill ? 1 : 0) != 1) {
        throw s.error("a step does exactly one of rate, scale_sampling, kill_sampling");
      }
      Step step;
      if (rate) {
        step = new RateStep(at, s.decimal("rate", 0, 0.001, 1e9));
      } else if (scale) {
        int n = s.integer("scale_sampling", 0, 1, MAX_NODES);
        if (n == nodes) {
          throw s.error("scale_sampling", "the sampling tier already has " + n + " nodes at this point");
        }
        nodes = n;
        step = new ScaleStep(at, n);
      } else {
        int index = s.integer("kill_sampling", 0, 1, MAX_NODES);
        if (index > nodes) {
          throw s.error("kill_sampling", "there is no sampling-" + index + " at this point (" + nodes + " nodes)");
        }
        step = new KillStep(at, index, s.duration("restart_after", Duration.ofSeconds(2)));
      }
      if (!kill && s.has("restart_after")) {
        throw s.error("restart_after", "only a kill_sampling step restarts a node");
      }
      s.done();
      steps.add(step);
    }
    return steps;
  }

  /** Rate steps in the generator's {@code --rate-steps} form, or "" when there are none. */
  static String rateSteps(List<Step> steps) {
    List<String> parts = new ArrayList<>();
    for (Step s : steps) {
      if (s instanceof RateStep r) {
        parts.add(s.at().toMillis() + "ms:" + plain(r.rate()));
      }
    }
    return String.join(",", parts);
  }

  private static final Pattern OPTION = Pattern.compile("--([a-z-]+)");

  /** A generator usage error placed on the scenario key it is about. */
  private static ConfigException generateError(ConfigMap m, ConfigMap generate, Map<String, ConfigNode> nodes,
      String problem) {
    Matcher o = OPTION.matcher(problem);
    while (o.find()) {
      ConfigNode n = nodes.get(o.group(1));
      if (n != null) {
        return ConfigException.at(n, problem);
      }
      if (o.group(1).equals("rate-steps")) {
        return m.error("steps", problem);
      }
    }
    return generate.error(problem);
  }

  private static Duration positive(ConfigMap m, String key, Duration def) {
    Duration d = m.duration(key, def);
    if (d.isZero() || d.isNegative()) {
      throw m.error(key, "must be more than 0");
    }
    return d;
  }

  private static Duration nonNegative(ConfigMap m, String key, Duration def) {
    Duration d = m.duration(key, def);
    if (d.isNegative()) {
      throw m.error(key, "must not be negative");
    }
    return d;
  }

  /** A number as the generator's options take it: whole numbers without a fraction. */
  static String plain(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }
}

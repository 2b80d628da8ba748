package io.tailshard.loadtest.cluster;

import java.nio.file.Path;
import java.util.List;

/**
 * How {@code cluster} runs a scenario: where the run directory and the tier jars are, which
 * {@code java} starts the processes, the classpath of the loadtest tool itself (for the generator
 * and the sink, which run as processes of their own), and the loopback layout.
 *
 * @param scenario the checked scenario
 * @param scenarioFile where it was read from (copied into the run directory)
 * @param out the run directory; emptied first when it holds an earlier cluster run
 * @param lbJar {@code lb-tier.jar}
 * @param samplingJar {@code sampling-tier.jar}
 * @param java the {@code java} executable
 * @param loadtestClasspath the classpath that holds {@link io.tailshard.loadtest.LoadTestMain}
 * @param toolJvmOptions JVM options of the generator and the sink
 * @param layout addresses and ports
 * @param report whether to write the HTML report and Markdown summary at the end
 */
record ClusterOptions(
    Scenario scenario,
    Path scenarioFile,
    Path out,
    Path lbJar,
    Path samplingJar,
    String java,
    String loadtestClasspath,
    List<String> toolJvmOptions,
    Layout layout,
    boolean report) {

  /**
   * The generator and the sink hold every live trace and every kept span in memory, and the
   * generator's planner allocates per trace: a larger heap than a node's, same collector (why
   * serial: see {@link Scenario#DEFAULT_JVM_OPTIONS}).
   */
  static final List<String> DEFAULT_TOOL_JVM_OPTIONS = List.of("-Xms64m", "-Xmx1g", "-XX:+UseSerialGC");

  ClusterOptions {
    toolJvmOptions = List.copyOf(toolJvmOptions);
  }
}

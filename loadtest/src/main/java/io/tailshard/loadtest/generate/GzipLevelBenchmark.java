package io.tailshard.loadtest.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.zip.Deflater;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * gzip (raw deflate, as the otlp sender does it) of the lb-tier's requests to a sampling node at
 * level 1 and 6: a body of {@value #SPANS} spans (what one backend gets in 200 ms at 40,000 spans/s
 * over 3 backends) made by the load generator with its default options, as the cluster benchmarks
 * send them. Scores are spans per second; the compression ratio is printed at setup.
 *
 * <p>Run: {@code java -jar loadtest/target/loadtest.jar bench GzipLevel} (see docs/benchmarks.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class GzipLevelBenchmark {
  static final int SPANS = 2700;

  @Param({"1", "6"})
  public int level;

  private byte[] body;
  private Deflater deflater;
  private byte[] out;

  @Setup
  public void setUp() throws Exception {
    GeneratorOptions o = GenerateCommand.options(GenerateCommand.commandLine().parse(
        new String[] {"--spans-per-trace", "2..20", "--error-ratio", "0.01", "--seed", "7"}));
    SplittableRandom random = new SplittableRandom(7);
    TraceFactory traces = new TraceFactory(o, random);
    ProtobufRequestEncoder encoder = new ProtobufRequestEncoder(
        new SpanTemplates(o.services(), o.operations(), o.attributes(), o.attributeSize(), random));
    List<TracePlan> plans = new ArrayList<>();
    List<Integer> spans = new ArrayList<>();
    while (plans.size() < SPANS) {
      TracePlan p = traces.next();
      for (int i = 0; i < p.parent.length && plans.size() < SPANS; i++) {
        plans.add(p);
        spans.add(i);
      }
    }
    body = encoder.encode(plans.toArray(new TracePlan[0]), spans.stream().mapToInt(Integer::intValue).toArray(), SPANS);
    deflater = new Deflater(level, true);
    out = new byte[body.length + 1024];
    int compressed = deflate();
    System.out.printf("%nlevel %d: %d spans, %d bytes (%.0f per span) -> %d bytes, ratio %.2f%n", level, SPANS,
        body.length, body.length / (double) SPANS, compressed, body.length / (double) compressed);
  }

  @Benchmark
  @OperationsPerInvocation(SPANS)
  public int deflate() {
    deflater.reset();
    deflater.setInput(body);
    deflater.finish();
    int n = 0;
    while (!deflater.finished()) {
      n += deflater.deflate(out, n, out.length - n);
    }
    return n;
  }
}

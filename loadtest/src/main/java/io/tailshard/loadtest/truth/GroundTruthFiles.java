package io.tailshard.loadtest.truth;

import io.tailshard.loadtest.truth.SpanMetricsTable.Key;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The files of a run directory, shared by generate (writes), sink (reads) and report (reads):
 *
 * <pre>
 * truth.csv                  one line per trace, appended as traces complete (streamable)
 *                            trace_id,spans,error,late_spans,failed_spans,start_unix_nano,services
 *                            services separated by ';'
 * spanmetrics-expected.csv   service,span_name,span_kind,status_code,calls,le_2,...,le_15000,le_inf
 * generate-timeseries.csv    one line per second: t_s (since the command started), unix_ms, then counts
 *                            (see the generator)
 * generate-summary.json      written last, atomically: its presence means the truth is complete
 * sink-timeseries.csv        one line per second: t_s, unix_ms, then counts (see the sink)
 * sink-result.json           the sink's verdict
 * nodes-timeseries.csv       per process and second, written by `cluster`:
 *                            t_s,unix_ms,process,role,spans_per_s,backlog,cpu_seconds
 *                            (cpu_seconds cumulative; unix_ms lines the series up with the others)
 * </pre>
 */
public final class GroundTruthFiles {
  public static final String TRUTH = "truth.csv";
  public static final String SPANMETRICS = "spanmetrics-expected.csv";
  public static final String GENERATE_TIMESERIES = "generate-timeseries.csv";
  public static final String GENERATE_SUMMARY = "generate-summary.json";
  public static final String SINK_TIMESERIES = "sink-timeseries.csv";
  public static final String SINK_RESULT = "sink-result.json";
  public static final String NODES_TIMESERIES = "nodes-timeseries.csv";

  static final String TRUTH_HEADER = "trace_id,spans,error,late_spans,failed_spans,start_unix_nano,services";

  private GroundTruthFiles() {}

  /** Writes {@code text} to {@code target} through a temporary file and a rename, so readers see all or nothing. */
  public static void writeAtomically(Path target, String text) throws IOException {
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    Files.writeString(tmp, text, StandardCharsets.UTF_8);
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** Appends truth lines; not thread-safe (the generator writes from its planner thread only). */
  public static final class Writer implements AutoCloseable {
    private final BufferedWriter out;

    public Writer(Path file) throws IOException {
      out = Files.newBufferedWriter(file, StandardCharsets.UTF_8);
      out.write(TRUTH_HEADER);
      out.write('\n');
    }

    public void write(TraceTruth t) throws IOException {
      out.write(format(t));
      out.write('\n');
    }

    /** Makes the lines written so far visible to a follower. */
    public void flush() throws IOException {
      out.flush();
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }

  static String format(TraceTruth t) {
    return t.traceId().hex() + ',' + t.spans() + ',' + (t.error() ? 1 : 0) + ',' + t.lateSpans() + ','
        + t.failedSpans() + ',' + t.startUnixNano() + ',' + String.join(";", t.services());
  }

  static TraceTruth parse(String line) {
    String[] f = line.split(",", 7);
    if (f.length != 7) {
      throw new IllegalArgumentException("truth line has " + f.length + " fields, expected 7: " + line);
    }
    return new TraceTruth(TraceId.parse(f[0]), Integer.parseInt(f[1]), f[2].equals("1"),
        Integer.parseInt(f[3]), Integer.parseInt(f[4]), Long.parseLong(f[5]),
        f[6].isEmpty() ? List.of() : Arrays.asList(f[6].split(";")));
  }

  /**
   * Reads a truth file that may still be growing: each {@link #poll} returns the complete lines
   * appended since the last call (a line is complete once its newline is written). Not thread-safe.
   */
  public static final class Follower implements AutoCloseable {
    private final Path file;
    private RandomAccessFile raf;
    private long position;
    private byte[] carry = new byte[0];
    private boolean headerSeen;

    public Follower(Path file) {
      this.file = file;
    }

    /** New complete lines as records; empty when the file does not exist yet or nothing was added. */
    public List<TraceTruth> poll() throws IOException {
      List<TraceTruth> out = new ArrayList<>();
      if (raf == null) {
        if (!Files.exists(file)) {
          return out;
        }
        raf = new RandomAccessFile(file.toFile(), "r");
      }
      long length = raf.length();
      if (length <= position) {
        return out;
      }
      int n = (int) Math.min(length - position, 8 << 20);
      byte[] chunk = new byte[carry.length + n];
      System.arraycopy(carry, 0, chunk, 0, carry.length);
      raf.seek(position);
      raf.readFully(chunk, carry.length, n);
      position += n;
      int lineStart = 0;
      for (int i = 0; i < chunk.length; i++) {
        if (chunk[i] == '\n') {
          String line = new String(chunk, lineStart, i - lineStart, StandardCharsets.UTF_8);
          lineStart = i + 1;
          if (!headerSeen) {
            headerSeen = true;
            if (line.startsWith("trace_id,")) {
              continue;
            }
          }
          if (!line.isEmpty()) {
            out.add(parse(line));
          }
        }
      }
      carry = Arrays.copyOfRange(chunk, lineStart, chunk.length);
      return out;
    }

    @Override
    public void close() throws IOException {
      if (raf != null) {
        raf.close();
      }
    }
  }

  /** Reads every line of a finished truth file. */
  public static List<TraceTruth> readAll(Path file) throws IOException {
    List<TraceTruth> all = new ArrayList<>();
    try (Follower f = new Follower(file)) {
      List<TraceTruth> part;
      while (!(part = f.poll()).isEmpty()) {
        all.addAll(part);
      }
    }
    return all;
  }

  /** Writes a span metrics table as CSV. */
  public static void writeSpanMetrics(Path file, SpanMetricsTable table) throws IOException {
    try (java.io.Writer out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      out.write("service,span_name,span_kind,status_code,calls");
      for (double b : SpanMetricsTable.DEFAULT_BOUNDS_MS) {
        out.write(",le_" + (long) b);
      }
      out.write(",le_inf\n");
      for (Key k : table.keys()) {
        SpanMetricsTable.Cell c = table.get(k);
        out.write(csv(k.service()) + ',' + csv(k.spanName()) + ',' + k.spanKind() + ',' + k.statusCode() + ','
            + c.calls());
        for (long n : c.buckets()) {
          out.write("," + n);
        }
        out.write('\n');
      }
    }
  }

  /** Reads a table written by {@link #writeSpanMetrics}. */
  public static SpanMetricsTable readSpanMetrics(Path file) throws IOException {
    SpanMetricsTable t = new SpanMetricsTable();
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    for (int i = 1; i < lines.size(); i++) {
      String[] f = lines.get(i).split(",");
      if (f.length != 5 + SpanMetricsTable.BUCKETS) {
        throw new IOException(file + " line " + (i + 1) + ": expected " + (5 + SpanMetricsTable.BUCKETS) + " fields");
      }
      long[] buckets = new long[SpanMetricsTable.BUCKETS];
      for (int b = 0; b < buckets.length; b++) {
        buckets[b] = Long.parseLong(f[5 + b]);
      }
      t.add(new Key(f[0], f[1], f[2], f[3]), Long.parseLong(f[4]), buckets);
    }
    return t;
  }

  /** Names are generated (letters, digits, '-', '/', ' '), never commas; refuse rather than corrupt. */
  private static String csv(String s) {
    if (s.indexOf(',') >= 0 || s.indexOf('\n') >= 0) {
      throw new IllegalArgumentException("a name in the span metrics file cannot hold ',' or a newline: " + s);
    }
    return s;
  }
}

package io.tailshard.common.telemetry;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * A small, allocation-free-on-update metric registry with Prometheus text exposition (format
 * 0.0.4). Instruments are looked up once (cold path) and the handles kept; updates are lock-free
 * adders. Names follow the Collector's: counters are registered by their base name
 * ({@code otelcol_receiver_accepted_spans}) and exposed with the {@code _total} suffix the
 * Collector's Prometheus endpoint uses.
 *
 * <p>Every series carries the registry's constant labels (the Collector adds
 * {@code service_name}, {@code service_instance_id}, {@code service_version}). Thread-safe.
 */
public final class MetricRegistry {
  private final Map<String, Family> families = new ConcurrentHashMap<>();
  private final Map<String, String> constLabels;

  public MetricRegistry(Map<String, String> constLabels) {
    this.constLabels = Map.copyOf(constLabels);
  }

  public MetricRegistry() {
    this(Map.of());
  }

  /** A monotonic counter for one label set; {@code labels} alternate name, value. */
  public Counter counter(String name, String help, String... labels) {
    return (Counter) family(name, help, Type.COUNTER, null).series(labels, () -> new Counter());
  }

  /** A gauge read when scraped. Registering the same name and labels again replaces the supplier. */
  public void gauge(String name, String help, DoubleSupplier value, String... labels) {
    family(name, help, Type.GAUGE, null).put(labels, new GaugeSeries(value));
  }

  /** A counter whose value is read when scraped (for values another component already counts). */
  public void counterFn(String name, String help, DoubleSupplier value, String... labels) {
    family(name, help, Type.COUNTER, null).put(labels, new GaugeSeries(value));
  }

  /** A histogram with the given upper bounds (ascending, +Inf implied). */
  public Histogram histogram(String name, String help, double[] bounds, String... labels) {
    double[] b = bounds.clone();
    for (int i = 1; i < b.length; i++) {
      if (!(b[i] > b[i - 1])) {
        throw new IllegalArgumentException("histogram bounds must ascend: " + Arrays.toString(bounds));
      }
    }
    return (Histogram) family(name, help, Type.HISTOGRAM, b).series(labels, () -> new Histogram(b));
  }

  /** Removes every series of {@code name} with these labels (a backend that left the ring, say). */
  public void remove(String name, String... labels) {
    Family f = families.get(name);
    if (f != null) {
      f.series.remove(Labels.of(labels));
    }
  }

  /** Sum of a counter family's series whose labels include {@code match} (alternating name, value). */
  public double sum(String name, String... match) {
    Family f = families.get(name);
    if (f == null) {
      return 0;
    }
    double total = 0;
    for (Map.Entry<Labels, Series> e : f.series.entrySet()) {
      if (e.getKey().includes(match)) {
        total += e.getValue().value();
      }
    }
    return total;
  }

  /** The whole registry in Prometheus text format. */
  public String scrape() {
    StringBuilder sb = new StringBuilder(4096);
    List<String> names = new ArrayList<>(families.keySet());
    names.sort(null);
    for (String name : names) {
      families.get(name).write(sb, constLabels);
    }
    return sb.toString();
  }

  private Family family(String name, String help, Type type, double[] bounds) {
    Family f = families.computeIfAbsent(name, n -> new Family(n, help, type, bounds));
    if (f.type != type) {
      throw new IllegalArgumentException("metric " + name + " is already a " + f.type + ", not a " + type);
    }
    return f;
  }

  private enum Type {
    COUNTER,
    GAUGE,
    HISTOGRAM
  }

  private interface Series {
    double value();
  }

  /** A monotonic counter. */
  public static final class Counter implements Series {
    private final LongAdder adder = new LongAdder();

    Counter() {}

    public void inc() {
      adder.increment();
    }

    public void add(long n) {
      adder.add(n);
    }

    public long get() {
      return adder.sum();
    }

    @Override
    public double value() {
      return adder.sum();
    }
  }

  /** A histogram with fixed bucket bounds. */
  public static final class Histogram implements Series {
    private final double[] bounds;
    private final LongAdder[] buckets;
    private final DoubleAdder sum = new DoubleAdder();
    private final LongAdder count = new LongAdder();

    Histogram(double[] bounds) {
      this.bounds = bounds;
      this.buckets = new LongAdder[bounds.length + 1];
      for (int i = 0; i < buckets.length; i++) {
        buckets[i] = new LongAdder();
      }
    }

    public void record(double v) {
      int i = Arrays.binarySearch(bounds, v);
      if (i < 0) {
        i = -i - 1;
      }
      buckets[i].increment();
      sum.add(v);
      count.increment();
    }

    public long count() {
      return count.sum();
    }

    public double sum() {
      return sum.sum();
    }

    @Override
    public double value() {
      return count.sum();
    }
  }

  private static final class GaugeSeries implements Series {
    private final DoubleSupplier supplier;

    GaugeSeries(DoubleSupplier supplier) {
      this.supplier = supplier;
    }

    @Override
    public double value() {
      try {
        return supplier.getAsDouble();
      } catch (RuntimeException e) {
        return Double.NaN;
      }
    }
  }

  /** Label names and values in registration order; equality by content. */
  private static final class Labels {
    final String[] pairs;

    private Labels(String[] pairs) {
      this.pairs = pairs;
    }

    static Labels of(String[] pairs) {
      if (pairs.length % 2 != 0) {
        throw new IllegalArgumentException("labels must alternate name and value: " + Arrays.toString(pairs));
      }
      for (String p : pairs) {
        Objects.requireNonNull(p, "label name or value");
      }
      return new Labels(pairs.clone());
    }

    boolean includes(String[] match) {
      outer:
      for (int m = 0; m < match.length; m += 2) {
        for (int i = 0; i < pairs.length; i += 2) {
          if (pairs[i].equals(match[m]) && pairs[i + 1].equals(match[m + 1])) {
            continue outer;
          }
        }
        return false;
      }
      return true;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Labels && Arrays.equals(pairs, ((Labels) o).pairs);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(pairs);
    }
  }

  private static final class Family {
    final String name;
    final String help;
    final Type type;
    final double[] bounds;
    final Map<Labels, Series> series = new ConcurrentHashMap<>();

    Family(String name, String help, Type type, double[] bounds) {
      this.name = name;
      this.help = help;
      this.type = type;
      this.bounds = bounds;
    }

    Series series(String[] labels, java.util.function.Supplier<Series> make) {
      return series.computeIfAbsent(Labels.of(labels), l -> make.get());
    }

    void put(String[] labels, Series s) {
      series.put(Labels.of(labels), s);
    }

    void write(StringBuilder sb, Map<String, String> constLabels) {
      if (series.isEmpty()) {
        return;
      }
      String exposed = type == Type.COUNTER ? name + "_total" : name;
      sb.append("# HELP ").append(exposed).append(' ').append(escapeHelp(help)).append('\n');
      sb.append("# TYPE ").append(exposed).append(' ').append(type.name().toLowerCase(Locale.ROOT)).append('\n');
      List<Map.Entry<Labels, Series>> entries = new ArrayList<>(series.entrySet());
      entries.sort((a, b) -> Arrays.toString(a.getKey().pairs).compareTo(Arrays.toString(b.getKey().pairs)));
      for (Map.Entry<Labels, Series> e : entries) {
        Map<String, String> labels = new LinkedHashMap<>();
        String[] p = e.getKey().pairs;
        for (int i = 0; i < p.length; i += 2) {
          labels.put(p[i], p[i + 1]);
        }
        constLabels.forEach(labels::putIfAbsent);
        if (type == Type.HISTOGRAM && e.getValue() instanceof Histogram) {
          Histogram h = (Histogram) e.getValue();
          long cumulative = 0;
          for (int i = 0; i < h.buckets.length; i++) {
            cumulative += h.buckets[i].sum();
            String le = i < bounds.length ? number(bounds[i]) : "+Inf";
            Map<String, String> withLe = new LinkedHashMap<>(labels);
            withLe.put("le", le);
            line(sb, name + "_bucket", withLe, cumulative);
          }
          line(sb, name + "_sum", labels, h.sum());
          line(sb, name + "_count", labels, cumulative);
        } else {
          line(sb, exposed, labels, e.getValue().value());
        }
      }
    }

    private static void line(StringBuilder sb, String name, Map<String, String> labels, double value) {
      sb.append(name);
      if (!labels.isEmpty()) {
        sb.append('{');
        boolean first = true;
        for (Map.Entry<String, String> l : labels.entrySet()) {
          if (!first) {
            sb.append(',');
          }
          first = false;
          sb.append(l.getKey()).append("=\"").append(escapeValue(l.getValue())).append('"');
        }
        sb.append('}');
      }
      sb.append(' ').append(number(value)).append('\n');
    }
  }

  static String number(double v) {
    if (Double.isNaN(v)) {
      return "NaN";
    }
    if (Double.isInfinite(v)) {
      return v > 0 ? "+Inf" : "-Inf";
    }
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return Double.toString(v);
  }

  private static String escapeHelp(String s) {
    return s.replace("\\", "\\\\").replace("\n", "\\n");
  }

  private static String escapeValue(String s) {
    return s.replace("\\", "\\\\").replace("\n", "\\n").replace("\"", "\\\"");
  }
}

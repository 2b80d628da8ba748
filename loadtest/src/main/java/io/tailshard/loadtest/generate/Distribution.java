package io.tailshard.loadtest.generate;

import java.util.SplittableRandom;

/**
 * A distribution of non-negative numbers, written on the command line as:
 * {@code 8} (always 8), {@code 2..20} (uniform), {@code exp:8} (exponential, mean 8),
 * {@code normal:10,3} (normal, mean 10, standard deviation 3, clipped at 0) or
 * {@code lognormal:20,1} (log-normal, median 20, sigma 1; the long tail real latencies have).
 */
sealed interface Distribution {
  double sample(SplittableRandom random);

  /** The expected value, for sizing (spans per trace -> traces per second). */
  double mean();

  record Fixed(double value) implements Distribution {
    public double sample(SplittableRandom r) {
      return value;
    }

    public double mean() {
      return value;
    }

    @Override
    public String toString() {
      return text(value);
    }
  }

  record Uniform(double min, double max) implements Distribution {
    public double sample(SplittableRandom r) {
      return min == max ? min : min + r.nextDouble() * (max - min);
    }

    public double mean() {
      return (min + max) / 2;
    }

    @Override
    public String toString() {
      return text(min) + ".." + text(max);
    }
  }

  record Exponential(double mean) implements Distribution {
    public double sample(SplittableRandom r) {
      return -mean * Math.log(1 - r.nextDouble());
    }

    @Override
    public String toString() {
      return "exp:" + text(mean);
    }
  }

  record Normal(double mean, double sd) implements Distribution {
    public double sample(SplittableRandom r) {
      return Math.max(0, mean + sd * gaussian(r));
    }

    @Override
    public String toString() {
      return "normal:" + text(mean) + "," + text(sd);
    }
  }

  record LogNormal(double median, double sigma) implements Distribution {
    public double sample(SplittableRandom r) {
      return median * Math.exp(sigma * gaussian(r));
    }

    public double mean() {
      return median * Math.exp(sigma * sigma / 2);
    }

    @Override
    public String toString() {
      return "lognormal:" + text(median) + "," + text(sigma);
    }
  }

  /** A number as it would be typed: no trailing ".0". */
  private static String text(double v) {
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  /** A standard normal variate (Box-Muller; one of the pair is enough here). */
  private static double gaussian(SplittableRandom r) {
    double u = 1 - r.nextDouble();
    double v = r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Parses the forms listed on the interface; the message names the accepted forms. */
  static Distribution parse(String text) {
    String s = text.trim();
    try {
      if (s.startsWith("exp:")) {
        return new Exponential(positive(s.substring(4)));
      }
      if (s.startsWith("normal:")) {
        String[] p = s.substring(7).split(",");
        return new Normal(nonNegative(p[0]), nonNegative(p[1]));
      }
      if (s.startsWith("lognormal:")) {
        String[] p = s.substring(10).split(",");
        return new LogNormal(positive(p[0]), nonNegative(p[1]));
      }
      int dots = s.indexOf("..");
      if (dots > 0) {
        double a = nonNegative(s.substring(0, dots));
        double b = nonNegative(s.substring(dots + 2));
        if (b < a) {
          throw new IllegalArgumentException("empty range " + s);
        }
        return new Uniform(a, b);
      }
      return new Fixed(nonNegative(s));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("expected a distribution such as 8, 2..20, exp:8, normal:10,3 or "
          + "lognormal:20,1, found '" + text + "'");
    }
  }

  private static double nonNegative(String s) {
    double v = Double.parseDouble(s.trim());
    if (!(v >= 0) || Double.isInfinite(v)) {
      throw new IllegalArgumentException(s);
    }
    return v;
  }

  private static double positive(String s) {
    double v = nonNegative(s);
    if (v == 0) {
      throw new IllegalArgumentException(s);
    }
    return v;
  }
}

package io.tailshard.loadtest.cluster;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Reads a Prometheus text exposition ({@code /metrics}) just far enough for the cluster's live
 * view: the sum over all label sets of each wanted metric. Comment lines, other metrics and
 * unparsable values are skipped.
 */
final class PromText {
  private PromText() {}

  /** For each name in {@code wanted} that occurs, the sum of its samples. */
  static Map<String, Double> sums(String text, Set<String> wanted) {
    Map<String, Double> out = new HashMap<>();
    int pos = 0;
    int n = text.length();
    while (pos < n) {
      int end = text.indexOf('\n', pos);
      if (end < 0) {
        end = n;
      }
      if (end > pos && text.charAt(pos) != '#') {
        line(text, pos, end, wanted, out);
      }
      pos = end + 1;
    }
    return out;
  }

  private static void line(String text, int from, int to, Set<String> wanted, Map<String, Double> out) {
    int nameEnd = from;
    while (nameEnd < to && text.charAt(nameEnd) != '{' && text.charAt(nameEnd) != ' ') {
      nameEnd++;
    }
    String name = text.substring(from, nameEnd);
    if (!wanted.contains(name)) {
      return;
    }
    int valueStart = nameEnd;
    if (valueStart < to && text.charAt(valueStart) == '{') {
      // Label values may hold '}' inside quotes; the value follows the last '}' of the line.
      valueStart = text.lastIndexOf('}', to - 1) + 1;
    }
    String[] parts = text.substring(valueStart, to).trim().split(" ");
    try {
      double v = Double.parseDouble(parts[0]);
      if (!Double.isNaN(v)) {
        out.merge(name, v, Double::sum);
      }
    } catch (NumberFormatException e) {
      // "+Inf" and friends are not counts; a broken line does not stop the live view.
    }
  }
}

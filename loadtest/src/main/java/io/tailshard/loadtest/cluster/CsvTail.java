package io.tailshard.loadtest.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The newest complete line of a per-second CSV that another process appends to (the generator's
 * and the sink's series), by column name. The files are small (one line a second), so each read
 * takes the whole file.
 */
final class CsvTail {
  private final Path file;

  CsvTail(Path file) {
    this.file = file;
  }

  /** The last complete row as column -> value; empty when the file has no row yet. */
  Map<String, String> last() {
    List<String> lines;
    try {
      if (!Files.exists(file)) {
        return Map.of();
      }
      String text = Files.readString(file, StandardCharsets.UTF_8);
      int end = text.lastIndexOf('\n');
      if (end < 0) {
        return Map.of();
      }
      lines = text.substring(0, end).lines().toList();
    } catch (IOException | RuntimeException e) {
      return Map.of();
    }
    if (lines.size() < 2) {
      return Map.of();
    }
    String[] header = lines.get(0).split(",", -1);
    String[] row = lines.get(lines.size() - 1).split(",", -1);
    Map<String, String> out = new HashMap<>();
    for (int i = 0; i < header.length && i < row.length; i++) {
      out.put(header[i], row[i]);
    }
    return out;
  }

  /** A number from {@code row}, or NaN when absent or empty. */
  static double number(Map<String, String> row, String column) {
    String v = row.get(column);
    if (v == null || v.isEmpty()) {
      return Double.NaN;
    }
    try {
      return Double.parseDouble(v);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}

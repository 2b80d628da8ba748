package io.tailshard.loadtest.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A small CSV file with a header line, as the loadtest commands write them (no quoting, no commas
 * inside values). Empty cells read as NaN, which the charts show as gaps.
 */
final class CsvTable {
  private final List<String> header;
  private final List<String[]> rows;
  private double base = Double.NaN;

  private CsvTable(List<String> header, List<String[]> rows) {
    this.header = header;
    this.rows = rows;
  }

  static CsvTable read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      return new CsvTable(List.of(), List.of());
    }
    List<String> header = Arrays.asList(lines.get(0).split(",", -1));
    List<String[]> rows = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      if (!lines.get(i).isBlank()) {
        rows.add(lines.get(i).split(",", -1));
      }
    }
    return new CsvTable(header, rows);
  }

  static CsvTable empty() {
    return new CsvTable(List.of(), List.of());
  }

  int size() {
    return rows.size();
  }

  boolean has(String column) {
    return header.contains(column);
  }

  String text(int row, String column) {
    int c = header.indexOf(column);
    String[] r = rows.get(row);
    return c < 0 || c >= r.length ? "" : r[c];
  }

  double number(int row, String column) {
    String s = text(row, column);
    if (s.isEmpty()) {
      return Double.NaN;
    }
    try {
      return Double.parseDouble(s);
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** Puts {@link #x} on a shared time axis: seconds since {@code unixMs} when the table has unix_ms. */
  void rebase(double unixMs) {
    this.base = unixMs;
  }

  /** The time of a row in seconds: from unix_ms against the shared base when possible, else t_s. */
  double x(int row) {
    if (!Double.isNaN(base) && has("unix_ms")) {
      double ms = number(row, "unix_ms");
      if (!Double.isNaN(ms)) {
        return Math.round((ms - base) / 100.0) / 10.0;
      }
    }
    return number(row, "t_s");
  }
}

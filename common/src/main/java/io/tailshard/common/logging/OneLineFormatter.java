package io.tailshard.common.logging;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * Formats a log record as one line: UTC time with milliseconds, level word, logger name, message,
 * e.g. {@code 2026-11-21T10:00:00.123Z info tailshard.receiver.otlp listening endpoint=0.0.0.0:4317}.
 * Line breaks inside a message are escaped so that one record stays one line for log shippers; an
 * attached exception adds {@code error="..."} to the line and its stack trace on the lines below,
 * indented, because a failure without its trace is hard to act on. Thread-safe.
 */
public final class OneLineFormatter extends Formatter {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  @Override
  public String format(LogRecord record) {
    StringBuilder sb = new StringBuilder(160);
    sb.append(TIME.format(Instant.ofEpochMilli(record.getMillis())))
        .append(' ')
        .append(LogLevel.wordOf(record.getLevel()))
        .append(' ')
        .append(record.getLoggerName() == null ? "-" : record.getLoggerName())
        .append(' ');
    String message = formatMessage(record);
    sb.append(message == null ? "" : message.replace("\r", "\\r").replace("\n", "\\n"));
    Throwable t = record.getThrown();
    if (t != null) {
      sb.append(' ').append(Logging.kv("", "error", String.valueOf(t)).trim());
      StringWriter trace = new StringWriter();
      t.printStackTrace(new PrintWriter(trace));
      sb.append('\n');
      for (String line : trace.toString().split("\\R")) {
        if (!line.isEmpty()) {
          sb.append('\t').append(line).append('\n');
        }
      }
      return sb.toString();
    }
    return sb.append('\n').toString();
  }
}

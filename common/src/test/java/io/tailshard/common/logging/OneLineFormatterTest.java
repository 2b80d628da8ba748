package io.tailshard.common.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class OneLineFormatterTest {
  private static LogRecord record(Level level, String message) {
    LogRecord r = new LogRecord(level, message);
    r.setInstant(Instant.parse("2026-11-21T10:00:00.123Z"));
    r.setLoggerName("tailshard.receiver.otlp");
    return r;
  }

  @Test
  void aRecordIsOneLineWithTimeLevelLoggerAndMessage() {
    String line = new OneLineFormatter().format(record(Level.INFO, Logging.kv("listening", "endpoint", "0.0.0.0:4317")));
    assertEquals("2026-11-21T10:00:00.123Z info tailshard.receiver.otlp listening endpoint=0.0.0.0:4317\n", line);
  }

  @Test
  void levelsUseTheCollectorsWords() {
    OneLineFormatter f = new OneLineFormatter();
    assertTrue(f.format(record(Level.FINE, "x")).contains(" debug "));
    assertTrue(f.format(record(Level.WARNING, "x")).contains(" warn "));
    assertTrue(f.format(record(Level.SEVERE, "x")).contains(" error "));
  }

  @Test
  void lineBreaksInAMessageAreEscaped() {
    assertEquals(
        "2026-11-21T10:00:00.123Z info tailshard.receiver.otlp a\\nb\n", new OneLineFormatter().format(record(Level.INFO, "a\nb")));
  }

  @Test
  void anExceptionAddsAnErrorFieldAndAnIndentedTrace() {
    LogRecord r = record(Level.SEVERE, "start failed");
    r.setThrown(new IllegalStateException("port in use"));
    String[] lines = new OneLineFormatter().format(r).split("\n");
    assertEquals(
        "2026-11-21T10:00:00.123Z error tailshard.receiver.otlp start failed error=\"java.lang.IllegalStateException: port in use\"",
        lines[0]);
    assertTrue(lines[1].startsWith("\tjava.lang.IllegalStateException: port in use"), lines[1]);
  }

  @Test
  void keyValuesAreQuotedOnlyWhenNeeded() {
    assertEquals("m a=1 b=\"two words\" c=\"\" d=\"say \\\"hi\\\"\"", Logging.kv("m", "a", 1, "b", "two words", "c", "", "d", "say \"hi\""));
  }
}

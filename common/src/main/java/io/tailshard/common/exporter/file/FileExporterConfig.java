package io.tailshard.common.exporter.file;

import io.tailshard.common.config.ConfigMap;
import io.tailshard.common.exporter.QueueConfig;
import io.tailshard.common.exporter.RetryConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/**
 * The {@code file} exporter's config, with the Collector's keys and defaults: {@code path}
 * (required), {@code format} ({@code json}: one OTLP/JSON request per line, default; {@code proto}:
 * each request preceded by its length as 4 big-endian bytes), {@code append} (false: the file is
 * truncated at start, unless rotation is on), {@code rotation} (on when the key is present:
 * {@code max_megabytes} 100, {@code max_days} 0 = no age limit, {@code max_backups} 100,
 * {@code localtime} false), {@code flush_interval} (1s), {@code create_directory} (false) and
 * {@code directory_permissions} (0755). Beyond the Collector: {@code sending_queue} and
 * {@code retry_on_failure}, both off by default, so a batch is acknowledged once it is in the file,
 * as in the Collector.
 */
public record FileExporterConfig(
    Path path,
    Format format,
    boolean append,
    Rotation rotation,
    Duration flushInterval,
    boolean createDirectory,
    String directoryPermissions,
    QueueConfig queue,
    RetryConfig retry) {

  /** How each request is written. */
  public enum Format {
    JSON,
    PROTO
  }

  /**
   * Size-based rotation: past {@code maxMegabytes} the file is renamed with a timestamp before its
   * extension ({@code traces-2026-11-21T05-02-14.173.json}) and a new one started at {@code path};
   * backups beyond {@code maxBackups} (0 = keep all) or older than {@code maxDays} (0 = any age)
   * are deleted. Timestamps are UTC unless {@code localtime}.
   */
  public record Rotation(int maxMegabytes, int maxDays, int maxBackups, boolean localTime) {
    public static final Rotation DEFAULT = new Rotation(100, 0, 100, false);

    long maxBytes() {
      return (long) maxMegabytes << 20;
    }
  }

  public static final Duration DEFAULT_FLUSH_INTERVAL = Duration.ofSeconds(1);
  public static final QueueConfig DEFAULT_QUEUE = new QueueConfig(false, 1, 1000, QueueConfig.Sizer.REQUESTS, null);
  public static final RetryConfig DEFAULT_RETRY = new RetryConfig(false, RetryConfig.DEFAULT.initialInterval(),
      RetryConfig.DEFAULT.randomizationFactor(), RetryConfig.DEFAULT.multiplier(), RetryConfig.DEFAULT.maxInterval(),
      RetryConfig.DEFAULT.maxElapsedTime());

  static FileExporterConfig parse(ConfigMap m) {
    String path = m.requiredString("path");
    if (path.isBlank()) {
      throw m.error("path", "must not be empty");
    }
    Format format = Format.valueOf(m.oneOf("format", "json", "json", "proto").toUpperCase(Locale.ROOT));
    boolean append = m.bool("append", false);
    Rotation rotation = null;
    if (m.has("rotation")) {
      ConfigMap r = m.map("rotation");
      rotation = new Rotation(
          r.integer("max_megabytes", Rotation.DEFAULT.maxMegabytes(), 1, 1 << 20),
          r.integer("max_days", Rotation.DEFAULT.maxDays(), 0, 100_000),
          r.integer("max_backups", Rotation.DEFAULT.maxBackups(), 0, 1_000_000),
          r.bool("localtime", Rotation.DEFAULT.localTime()));
      r.done();
    }
    String compression = m.string("compression", "");
    if (!compression.isEmpty() && !compression.equals("none")) {
      throw m.error("compression", "'" + compression + "' is not supported here; write uncompressed files "
          + "(compress rotated backups outside tailshard)");
    }
    Duration flush = m.duration("flush_interval", DEFAULT_FLUSH_INTERVAL);
    if (flush.isNegative()) {
      throw m.error("flush_interval", "must not be negative");
    }
    if (flush.isZero()) {
      flush = DEFAULT_FLUSH_INTERVAL;
    }
    boolean createDirectory = m.bool("create_directory", false);
    String permissions = m.string("directory_permissions", null);
    if (permissions != null) {
      if (!createDirectory) {
        throw m.error("directory_permissions", "needs create_directory: true");
      }
      if (!permissions.matches("0?[0-7]{3}")) {
        throw m.error("directory_permissions", "must be an octal mode such as 0755");
      }
    }
    if (m.get("encoding").isPresent()) {
      throw m.error("encoding", "encoding extensions are not built here; use format: json or proto");
    }
    if (m.has("group_by")) {
      ConfigMap g = m.map("group_by");
      boolean enabled = g.bool("enabled", false);
      g.string("resource_attribute", null);
      g.integer("max_open_files", 100);
      g.done();
      if (enabled) {
        throw m.error("group_by", "writing one file per resource attribute is not supported here");
      }
    }
    QueueConfig queue = QueueConfig.parse(m.map("sending_queue"), DEFAULT_QUEUE);
    RetryConfig retry = RetryConfig.parse(m.map("retry_on_failure"), DEFAULT_RETRY);
    m.done();
    if (append && rotation != null) {
      // As in the Collector: rotation appends to an existing file by itself.
      throw m.error("append", "append and rotation do not go together; rotation already appends to an existing file");
    }
    return new FileExporterConfig(Path.of(path), format, append, rotation, flush, createDirectory,
        permissions == null ? "0755" : permissions, queue, retry);
  }
}

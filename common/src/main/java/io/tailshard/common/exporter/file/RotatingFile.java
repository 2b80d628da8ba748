package io.tailshard.common.exporter.file;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.logging.Logger;

/**
 * The exporter's output file, rotated by size when a {@link FileExporterConfig.Rotation} is given:
 * before a record that would take the file past {@code max_megabytes}, the file is renamed to
 * {@code <name>-<yyyy-MM-ddTHH-mm-ss.SSS><.ext>} (the Collector's backup names) and a new one is
 * started at the configured path; then backups beyond {@code max_backups} or older than
 * {@code max_days} are deleted, oldest first. A single record larger than the limit gets a file of
 * its own rather than being split.
 *
 * <p>Not thread-safe: used by the file exporter's writer thread only.
 */
final class RotatingFile implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RotatingFile.class.getName());
  private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH-mm-ss.SSS");
  /** Written records wait here until the group they belong to is flushed. */
  static final int BUFFER_BYTES = 256 << 10;

  private final Path path;
  private final boolean append;
  private final FileExporterConfig.Rotation rotation;
  private final Clock clock;
  private final String stem;
  private final String extension;
  private OutputStream out;
  private long size;

  RotatingFile(Path path, boolean append, FileExporterConfig.Rotation rotation, Clock clock) {
    this.path = path;
    this.append = append;
    this.rotation = rotation;
    this.clock = clock;
    String name = path.getFileName().toString();
    int dot = name.lastIndexOf('.');
    this.stem = dot > 0 ? name.substring(0, dot) : name;
    this.extension = dot > 0 ? name.substring(dot) : "";
  }

  /**
   * Opens the file: appended to when {@code append} or rotation is on (rotation keeps what an
   * earlier run wrote, as the Collector's does), truncated otherwise.
   */
  void open() throws IOException {
    boolean keep = append || rotation != null;
    out = new BufferedOutputStream(Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        keep ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING), BUFFER_BYTES);
    size = keep ? Files.size(path) : 0;
  }

  boolean isOpen() {
    return out != null;
  }

  /** Writes one record (its parts back to back), rotating first when it would not fit. */
  void write(byte[]... parts) throws IOException {
    long length = 0;
    for (byte[] p : parts) {
      length += p.length;
    }
    if (rotation != null && size > 0 && size + length > rotation.maxBytes()) {
      rotate();
    }
    for (byte[] p : parts) {
      out.write(p);
    }
    size += length;
  }

  /** Hands what is buffered to the OS: from here a killed process loses none of it. */
  void flush() throws IOException {
    out.flush();
  }

  long size() {
    return size;
  }

  private void rotate() throws IOException {
    out.close();
    out = null;
    Instant now = clock.instant();
    Path backup = backupName(now);
    while (Files.exists(backup)) {
      now = now.plusMillis(1);
      backup = backupName(now);
    }
    Files.move(path, backup);
    out = new BufferedOutputStream(Files.newOutputStream(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING), BUFFER_BYTES);
    size = 0;
    removeOldBackups(clock.instant());
  }

  Path backupName(Instant at) {
    ZoneId zone = rotation.localTime() ? ZoneId.systemDefault() : ZoneOffset.UTC;
    return path.resolveSibling(stem + "-" + STAMP.format(LocalDateTime.ofInstant(at, zone)) + extension);
  }

  /** The backups of this file, newest first, with the time in their names. */
  List<Backup> backups() throws IOException {
    ZoneId zone = rotation.localTime() ? ZoneId.systemDefault() : ZoneOffset.UTC;
    List<Backup> out = new ArrayList<>();
    Path dir = path.toAbsolutePath().getParent();
    String prefix = stem + "-";
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, prefix + "*" + extension)) {
      for (Path f : files) {
        String name = f.getFileName().toString();
        String middle = name.substring(prefix.length(), name.length() - extension.length());
        try {
          out.add(new Backup(f, LocalDateTime.parse(middle, STAMP).atZone(zone).toInstant()));
        } catch (DateTimeParseException e) {
          // Another file that happens to share the prefix: not ours to delete.
        }
      }
    }
    out.sort(Comparator.comparing(Backup::at).reversed());
    return out;
  }

  record Backup(Path file, Instant at) {}

  private void removeOldBackups(Instant now) throws IOException {
    List<Backup> all = backups();
    Instant oldest = rotation.maxDays() > 0 ? now.minus(Duration.ofDays(rotation.maxDays())) : Instant.MIN;
    for (int i = 0; i < all.size(); i++) {
      Backup b = all.get(i);
      if ((rotation.maxBackups() > 0 && i >= rotation.maxBackups()) || b.at().isBefore(oldest)) {
        try {
          Files.deleteIfExists(b.file());
        } catch (IOException e) {
          LOG.warning("could not delete old backup " + b.file() + ": " + e);
        }
      }
    }
  }

  @Override
  public void close() throws IOException {
    if (out != null) {
      OutputStream o = out;
      out = null;
      o.close();
    }
  }
}

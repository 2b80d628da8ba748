package io.tailshard.common.exporter.file;

import com.google.protobuf.Descriptors.Descriptor;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.exporter.SendResult;
import io.tailshard.common.otlp.json.OtlpJsonWriter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The file exporter's writer: one dedicated thread ({@code tailshard-exporter-<id>-writer}) owns the
 * file; writes are queued to it (bounded; a full queue is a retryable refusal). One writer per file
 * path, shared by the traces and the metrics instance of an exporter ({@link #acquire}, as the
 * Collector shares one file exporter across signals), so both write whole lines into one file. The thread
 * takes every batch waiting, encodes and writes them, then flushes once and acknowledges them all:
 * a group commit, so a batch is acknowledged only when its bytes are in the OS (a killed process
 * loses none of it), yet a busy exporter makes one write call per group, not per batch. The file is
 * never left with unflushed data beyond one group, which is within {@code flush_interval} by far.
 *
 * <p>A failed write fails its group (retryable: a full disk may get room); the file is reopened for
 * the next one. Part of a failed group may already be in the file, so a retried batch can appear
 * twice. Thread-safe.
 */
final class FileWriter {
  private static final Logger LOG = Logger.getLogger(FileWriter.class.getName());
  /** Open writers by absolute path, with how many destinations use each. Guarded by itself. */
  private static final Map<Path, FileWriter> SHARED = new HashMap<>();
  static final int QUEUE_CAPACITY = 1024;
  /** A group stops growing past this many bytes, so a flush stays short. */
  static final long MAX_GROUP_BYTES = 8L << 20;

  private final FileExporterConfig config;
  private final ArrayBlockingQueue<Write> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
  private final Thread thread;
  private final RotatingFile file;
  private final Promise<Void> opened = Promise.promise();
  private final Promise<Void> closed = Promise.promise();
  private final Path key;
  private volatile boolean closing;
  private volatile boolean started;
  /** Destinations using this writer; guarded by {@link #SHARED}. */
  private int users;

  private record Write(TraceData data, Descriptor type, Promise<SendResult> done) {}

  private FileWriter(Path key, String id, FileExporterConfig config, Clock clock) {
    this.key = key;
    this.config = config;
    this.file = new RotatingFile(config.path(), config.append(), config.rotation(), clock);
    this.thread = new Thread(this::run, "tailshard-exporter-" + id.replace('/', '_') + "-writer");
    thread.setDaemon(true);
  }

  /**
   * The writer of {@code config.path()}, made (not started) on first use; released with
   * {@link #release}. Two exporters may share a file only with the same file options.
   */
  static FileWriter acquire(String id, FileExporterConfig config, Clock clock) {
    Path key = config.path().toAbsolutePath().normalize();
    synchronized (SHARED) {
      FileWriter w = SHARED.get(key);
      if (w != null && !sameFileOptions(w.config, config)) {
        throw new IllegalStateException("another file exporter writes " + key + " with other options");
      }
      if (w == null) {
        w = new FileWriter(key, id, config, clock);
        SHARED.put(key, w);
      }
      w.users++;
      return w;
    }
  }

  private static boolean sameFileOptions(FileExporterConfig a, FileExporterConfig b) {
    return a.format() == b.format() && a.append() == b.append() && java.util.Objects.equals(a.rotation(), b.rotation());
  }

  /** One user less; the last one closes the file (after what is queued) and frees the path. */
  Future<Void> release() {
    synchronized (SHARED) {
      if (--users > 0) {
        return Future.succeededFuture();
      }
      SHARED.remove(key, this);
    }
    return closeAsync();
  }

  /** Starts the writer thread, which opens the file, once; fails when it cannot. */
  synchronized Future<Void> start() {
    if (!started) {
      started = true;
      thread.start();
    }
    return opened.future();
  }

  /** Queues one request of message {@code type}; completes once it is in the file. */
  Future<SendResult> write(TraceData data, Descriptor type) {
    if (closing || !started) {
      return Future.succeededFuture(SendResult.retryable("file exporter " + config.path() + " is not open", Duration.ZERO));
    }
    Promise<SendResult> done = Promise.promise();
    if (!queue.offer(new Write(data, type, done))) {
      return Future.succeededFuture(SendResult.retryable(
          "file exporter " + config.path() + " is busy: " + QUEUE_CAPACITY + " batches waiting", Duration.ZERO));
    }
    return done.future();
  }

  /** Writes what is queued, closes the file, ends the thread; completes when the file is closed. */
  private synchronized Future<Void> closeAsync() {
    closing = true;
    if (!started) {
      closed.tryComplete();
    }
    return closed.future();
  }

  private void run() {
    try {
      openFile();
      opened.complete();
    } catch (IOException | RuntimeException e) {
      opened.fail(new IOException("file exporter: cannot open " + config.path().toAbsolutePath() + ": " + e, e));
      closed.tryComplete();
      return;
    }
    List<Write> group = new ArrayList<>();
    while (true) {
      Write first;
      try {
        // Polled, not taken, so that a close is noticed without a wake-up message.
        first = queue.poll(50, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        continue;
      }
      if (first == null) {
        if (closing && queue.isEmpty()) {
          break;
        }
        continue;
      }
      group.clear();
      group.add(first);
      long bytes = first.data().length();
      Write next;
      while (bytes < MAX_GROUP_BYTES && (next = queue.poll()) != null) {
        group.add(next);
        bytes += next.data().length();
      }
      writeGroup(group);
    }
    try {
      file.close();
    } catch (IOException e) {
      LOG.log(Level.WARNING, "file exporter: closing " + config.path() + " failed", e);
    }
    closed.tryComplete();
  }

  private void openFile() throws IOException {
    Path parent = config.path().toAbsolutePath().getParent();
    if (config.createDirectory() && parent != null && !Files.isDirectory(parent)) {
      if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
        Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(
            PosixFilePermissions.fromString(rwx(Integer.parseInt(config.directoryPermissions(), 8)))));
      } else {
        Files.createDirectories(parent);
      }
    }
    file.open();
  }

  private static String rwx(int mode) {
    StringBuilder sb = new StringBuilder(9);
    for (int shift = 6; shift >= 0; shift -= 3) {
      int bits = mode >> shift;
      sb.append((bits & 4) != 0 ? 'r' : '-').append((bits & 2) != 0 ? 'w' : '-').append((bits & 1) != 0 ? 'x' : '-');
    }
    return sb.toString();
  }

  private void writeGroup(List<Write> group) {
    List<Write> written = new ArrayList<>(group.size());
    try {
      if (!file.isOpen()) {
        openFile();
      }
      for (Write w : group) {
        byte[][] record;
        try {
          record = encode(w.data(), w.type());
        } catch (IOException e) {
          // This batch can never be written (malformed bytes): refuse it alone.
          w.done().complete(SendResult.permanent("file exporter: cannot encode a batch: " + e.getMessage()));
          continue;
        }
        file.write(record);
        written.add(w);
      }
      file.flush();
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "file exporter: writing " + config.path() + " failed; the file is reopened for the next batch", e);
      try {
        file.close();
      } catch (IOException ignored) {
        // Already failing; the next group reopens the file.
      }
      SendResult failed = SendResult.retryable("file exporter: " + e, Duration.ZERO);
      for (Write w : group) {
        w.done().tryComplete(failed);
      }
      return;
    }
    for (Write w : written) {
      w.done().complete(SendResult.sent(0, null));
    }
  }

  /** One record: a JSON line, or a protobuf message after its length as 4 big-endian bytes. */
  private byte[][] encode(TraceData data, Descriptor type) throws IOException {
    if (config.format() == FileExporterConfig.Format.JSON) {
      ByteArrayOutputStream json = new ByteArrayOutputStream(data.length() * 2 + 1);
      OtlpJsonWriter.write(type, data.array(), data.offset(), data.length(), json);
      json.write('\n');
      return new byte[][] {json.toByteArray()};
    }
    return new byte[][] {ByteBuffer.allocate(4).putInt(data.length()).array(), data.toByteArray()};
  }
}

package io.tailshard.common.exporter.file;

import com.google.protobuf.Descriptors.Descriptor;
import io.tailshard.common.component.TraceData;
import io.tailshard.common.exporter.Destination;
import io.tailshard.common.exporter.SendResult;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;

/**
 * One signal's view of the file exporter's {@link FileWriter}: the traces and the metrics instance
 * of an exporter each hold one, on the same shared writer, and each writes its own message type.
 * Thread-safe.
 */
final class FileDestination implements Destination {
  private final String id;
  private final FileExporterConfig config;
  private final Descriptor type;
  private final Clock clock;
  private FileWriter writer;
  private boolean closed;

  FileDestination(String id, FileExporterConfig config, Descriptor type, Clock clock) {
    this.id = id;
    this.config = config;
    this.type = type;
    this.clock = clock;
  }

  @Override
  public synchronized Future<Void> start() {
    if (writer == null && !closed) {
      try {
        writer = FileWriter.acquire(id, config, clock);
      } catch (IllegalStateException e) {
        return Future.failedFuture(e);
      }
    }
    return writer == null ? Future.failedFuture(new IllegalStateException("file exporter " + id + " is closed"))
        : writer.start();
  }

  @Override
  public Future<SendResult> send(TraceData data) {
    FileWriter w;
    synchronized (this) {
      w = closed ? null : writer;
    }
    return w == null
        ? Future.succeededFuture(SendResult.retryable("file exporter " + id + " is not open", Duration.ZERO))
        : w.write(data, type);
  }

  @Override
  public Future<Void> closeAsync() {
    FileWriter w;
    synchronized (this) {
      if (closed) {
        return Future.succeededFuture();
      }
      closed = true;
      w = writer;
    }
    return w == null ? Future.succeededFuture() : w.release();
  }
}

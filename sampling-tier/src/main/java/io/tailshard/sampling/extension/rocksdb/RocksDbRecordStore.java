package io.tailshard.sampling.extension.rocksdb;

import io.tailshard.common.concurrent.Uninterruptibly;
import io.tailshard.common.storage.RecordStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A {@link RecordStore} on its own RocksDB instance, worked by one dedicated writer thread: every
 * RocksDB call, open and close included, runs there, never on an event loop. Puts and deletes
 * waiting in the queue together go into one write batch (one WAL write), so many small batches
 * cost one write, and a put completes once that write returned (durable against a kill).
 *
 * <p>The operation queue is bounded ({@value #QUEUE_CAPACITY}); a full queue fails the operation
 * at once, which a persistent sending queue turns into a retryable refusal. Thread-safe.
 */
final class RocksDbRecordStore implements RecordStore {
  private static final Logger LOG = Logger.getLogger(RocksDbRecordStore.class.getName());
  static final int QUEUE_CAPACITY = 4096;
  /** Writes grouped into one batch stop at this many bytes, so one WAL write stays bounded. */
  static final long MAX_GROUP_BYTES = 16L << 20;

  /** A put ({@code value} set) or a delete ({@code value} null). */
  record Op(long key, byte[] value) {}

  private final ArrayBlockingQueue<Task> queue = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
  private final Thread thread;
  private final Object lock = new Object();
  private final String name;
  private boolean closing;
  /** Set by the open task; read and used on the writer thread only. */
  private RecordStoreCore core;

  private RocksDbRecordStore(String name) {
    this.name = name;
    this.thread = new Thread(this::run, "tailshard-rocksdb-" + name);
    // A daemon: a process that exits without closing loses nothing acknowledged (the WAL has it).
    thread.setDaemon(true);
  }

  /** Starts the writer thread and opens the store in {@code directory} on it. */
  static CompletionStage<RecordStore> open(Path directory, String name) {
    RocksDbRecordStore store = new RocksDbRecordStore(name);
    Open open = new Open(core -> {
      store.core = RecordStoreCore.open(directory);
      LOG.fine(() -> "record store open at " + store.core.path());
      return store;
    });
    store.queue.add(open);
    store.thread.start();
    @SuppressWarnings("unchecked")
    CompletionStage<RecordStore> opened = (CompletionStage<RecordStore>) (CompletionStage<?>) open.future;
    return opened;
  }

  @Override
  public <T> CompletionStage<List<T>> scan(RecordReader<T> reader) {
    return submit(core -> core.scan(reader));
  }

  @Override
  public CompletionStage<Void> put(long key, byte[] value) {
    return enqueue(new Write(new Op(key, value)));
  }

  @Override
  public CompletionStage<byte[]> get(long key) {
    return submit(core -> core.get(key));
  }

  @Override
  public CompletionStage<Void> delete(long key) {
    return enqueue(new Write(new Op(key, null)));
  }

  /** Runs every operation already queued, closes RocksDB, ends the thread. Blocks; idempotent. */
  @Override
  public void close() {
    if (Thread.currentThread() == thread) {
      throw new IllegalStateException("a record store cannot be closed from its own thread");
    }
    Task last = new Close();
    synchronized (lock) {
      if (closing) {
        return;
      }
      closing = true;
    }
    // Nothing new enters once closing is set, so the queue only drains and this put succeeds.
    Uninterruptibly.put(queue, last);
    Uninterruptibly.join(thread);
  }

  private <T> CompletionStage<T> submit(Function<RecordStoreCore, T> work) {
    @SuppressWarnings("unchecked")
    CompletionStage<T> stage = (CompletionStage<T>) (CompletionStage<?>) enqueue(new Task(work::apply));
    return stage;
  }

  @SuppressWarnings("unchecked")
  private <T> CompletionStage<T> enqueue(Task task) {
    synchronized (lock) {
      if (closing) {
        return CompletableFuture.failedFuture(new IllegalStateException("record store " + name + " is closed"));
      }
      if (!queue.offer(task)) {
        return CompletableFuture.failedFuture(new IllegalStateException(
            "record store " + name + " is busy: " + QUEUE_CAPACITY + " operations waiting"));
      }
    }
    return (CompletionStage<T>) task.future;
  }

  private void run() {
    List<Write> group = new ArrayList<>();
    while (true) {
      Task task;
      try {
        task = queue.take();
      } catch (InterruptedException e) {
        // Nobody interrupts this thread but the JVM at exit; keep serving until close().
        continue;
      }
      if (task instanceof Write w) {
        group.clear();
        group.add(w);
        long bytes = w.bytes();
        while (queue.peek() instanceof Write next && bytes + next.bytes() <= MAX_GROUP_BYTES) {
          queue.poll();
          group.add(next);
          bytes += next.bytes();
        }
        writeGroup(group);
        continue;
      }
      task.run(core);
      if (task instanceof Close) {
        return;
      }
      if (task instanceof Open && task.future.isCompletedExceptionally()) {
        // Nothing to work on: refuse what comes next and end the thread.
        synchronized (lock) {
          closing = true;
        }
        for (Task left; (left = queue.poll()) != null; ) {
          left.future.completeExceptionally(new IllegalStateException("record store " + name + " did not open"));
        }
        return;
      }
    }
  }

  private void writeGroup(List<Write> group) {
    try {
      if (core == null) {
        throw new IllegalStateException("record store " + name + " is not open");
      }
      List<Op> ops = new ArrayList<>(group.size());
      for (Write w : group) {
        ops.add(w.op);
      }
      core.write(ops);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "record store " + name + ": " + e.getMessage(), e);
      for (Write w : group) {
        w.future.completeExceptionally(e);
      }
      return;
    }
    for (Write w : group) {
      w.future.complete(null);
    }
  }

  /** One operation for the writer thread. */
  private static class Task {
    private final Function<RecordStoreCore, Object> work;
    final CompletableFuture<Object> future = new CompletableFuture<>();

    Task(Function<RecordStoreCore, Object> work) {
      this.work = work;
    }

    void run(RecordStoreCore core) {
      try {
        future.complete(work.apply(core));
      } catch (Throwable t) {
        future.completeExceptionally(t);
      }
    }
  }

  /** The first task: opens RocksDB; when it fails the thread ends. */
  private static final class Open extends Task {
    Open(Function<RecordStoreCore, Object> work) {
      super(work);
    }
  }

  /** The last task: closes RocksDB (if it opened) after everything queued before it. */
  private static final class Close extends Task {
    Close() {
      super(core -> {
        if (core != null) {
          core.close();
        }
        return null;
      });
    }
  }

  /** A put or delete, grouped with its neighbours into one write batch. */
  private static final class Write extends Task {
    final Op op;

    Write(Op op) {
      super(core -> null);
      this.op = op;
    }

    long bytes() {
      return Long.BYTES + (op.value() == null ? 0 : op.value().length);
    }
  }
}

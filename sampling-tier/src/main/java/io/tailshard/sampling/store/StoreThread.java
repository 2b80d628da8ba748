package io.tailshard.sampling.store;

import io.tailshard.common.component.RefusedException;
import io.tailshard.common.concurrent.Uninterruptibly;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The store's single writer thread and its bounded queue of operations. Every RocksDB call and
 * every access to the in-memory trace state runs here, one operation at a time, which is what lets
 * that state go without locks. {@link #submit} never blocks: a full queue is a retryable
 * {@link RefusedException}.
 *
 * <p>Appends are committed in groups: when the thread takes an append, it also takes every append
 * queued right behind it (up to {@link #MAX_GROUP_REQUESTS} requests and
 * {@link #MAX_GROUP_BYTES} bytes of records, never past another kind of operation, so the order
 * of operations is kept) and hands them to {@link AppendWriter#write} together, which writes them
 * with one RocksDB write. Under light load a group is one request; the busier the writer, the
 * more requests share a write.
 *
 * <p>Futures complete on this thread; callers that continue on an event loop hop back to it (for
 * Vert.x: {@code Future.fromCompletionStage(cs, context)}).
 */
final class StoreThread {
  /** Requests in one group commit at most. */
  static final int MAX_GROUP_REQUESTS = 64;
  /** Record bytes in one group commit at most (a larger single request still goes alone). */
  static final int MAX_GROUP_BYTES = 16 << 20;

  /** Writes a group of appends; returns one outcome per request, in order. */
  interface AppendWriter {
    List<StoreCore.AppendOutcome> write(List<PreparedAppend> group);
  }

  private static final Logger LOG = Logger.getLogger(StoreThread.class.getName());
  /** Start of the message of a refusal by a full queue (metrics tell it from a full store). */
  static final String QUEUE_FULL = "trace store queue full";

  private final ArrayBlockingQueue<Task<?>> queue;
  private final Thread thread;
  private final Object lock = new Object();
  private boolean stopping;

  StoreThread(String name, int capacity) {
    this.queue = new ArrayBlockingQueue<>(capacity);
    this.thread = new Thread(this::run, name);
    // A daemon, so a process that exits without closing the store is not held up by it. Nothing
    // acknowledged is lost that way: a completed append is in the WAL, as after a kill.
    thread.setDaemon(true);
    thread.start();
  }

  /** Queues {@code work}; a full queue or a stopped thread fail the future at once. */
  <T> CompletableFuture<T> submit(Callable<T> work) {
    Task<T> task = new Task<>(work);
    synchronized (lock) {
      if (stopping) {
        return CompletableFuture.failedFuture(new IllegalStateException("trace store is closed"));
      }
      if (!queue.offer(task)) {
        return CompletableFuture.failedFuture(RefusedException.retryable(
            QUEUE_FULL + " (" + queue.size() + " operations waiting)"));
      }
    }
    return task.future;
  }

  /**
   * Queues an append of {@code p}, to be written by {@code writer} with the appends queued next to
   * it; a full queue or a stopped thread fail the future at once.
   */
  CompletableFuture<AppendResult> submitAppend(PreparedAppend p, AppendWriter writer) {
    Task<AppendResult> task = new Task<>(p, writer);
    synchronized (lock) {
      if (stopping) {
        return CompletableFuture.failedFuture(new IllegalStateException("trace store is closed"));
      }
      if (!queue.offer(task)) {
        return CompletableFuture.failedFuture(RefusedException.retryable(
            QUEUE_FULL + " (" + queue.size() + " operations waiting)"));
      }
    }
    return task.future;
  }

  int queued() {
    return queue.size();
  }

  boolean isCurrentThread() {
    return Thread.currentThread() == thread;
  }

  /**
   * Runs {@code last} after every operation already queued, then ends the thread. Blocks until
   * done. Operations submitted after this call are refused.
   */
  void stop(Runnable last) {
    if (isCurrentThread()) {
      throw new IllegalStateException("the trace store cannot be closed from its own writer thread");
    }
    synchronized (lock) {
      if (stopping) {
        return;
      }
      stopping = true;
    }
    Task<Void> finalTask = new Task<>(() -> {
      last.run();
      return null;
    }, true);
    // No new task can enter once stopping is set, so the queue only drains and put succeeds.
    Uninterruptibly.put(queue, finalTask);
    Uninterruptibly.join(thread);
    finalTask.future.join();
  }

  private void run() {
    List<Task<?>> group = new ArrayList<>();
    while (true) {
      Task<?> task;
      try {
        task = queue.take();
      } catch (InterruptedException e) {
        // Nobody interrupts this thread but the JVM at exit; keep serving until stop().
        continue;
      }
      if (task.append != null) {
        group.add(task);
        int bytes = task.append.recordBytes();
        Task<?> next;
        // One consumer: the head seen by peek is the one poll takes.
        while (group.size() < MAX_GROUP_REQUESTS && (next = queue.peek()) != null && next.append != null
            && next.writer == task.writer && bytes + next.append.recordBytes() <= MAX_GROUP_BYTES) {
          queue.poll();
          group.add(next);
          bytes += next.append.recordBytes();
        }
        runGroup(group);
        group.clear();
        continue;
      }
      task.run();
      if (task.last) {
        return;
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static void runGroup(List<Task<?>> group) {
    List<PreparedAppend> appends = new ArrayList<>(group.size());
    for (Task<?> t : group) {
      appends.add(t.append);
    }
    List<StoreCore.AppendOutcome> outcomes;
    try {
      outcomes = group.get(0).writer.write(appends);
    } catch (Throwable t) {
      if (t instanceof Error && !(t instanceof OutOfMemoryError)) {
        LOG.log(Level.SEVERE, "trace store operation failed", t);
      }
      for (Task<?> task : group) {
        task.future.completeExceptionally(t);
      }
      return;
    }
    for (int i = 0; i < group.size(); i++) {
      StoreCore.AppendOutcome o = outcomes.get(i);
      CompletableFuture<AppendResult> f = (CompletableFuture<AppendResult>) group.get(i).future;
      if (o.error() != null) {
        f.completeExceptionally(o.error());
      } else {
        f.complete(o.result());
      }
    }
  }

  private static final class Task<T> {
    final Callable<T> work;
    final boolean last;
    /** An append to commit with its neighbours; then work is null. */
    final PreparedAppend append;
    final AppendWriter writer;
    final CompletableFuture<T> future = new CompletableFuture<>();

    Task(Callable<T> work, boolean last) {
      this.work = work;
      this.last = last;
      this.append = null;
      this.writer = null;
    }

    Task(Callable<T> work) {
      this(work, false);
    }

    Task(PreparedAppend append, AppendWriter writer) {
      this.work = null;
      this.last = false;
      this.append = append;
      this.writer = writer;
    }

    void run() {
      T result;
      try {
        result = work.call();
      } catch (Throwable t) {
        if (t instanceof Error && !(t instanceof OutOfMemoryError)) {
          LOG.log(Level.SEVERE, "trace store operation failed", t);
        }
        future.completeExceptionally(t);
        return;
      }
      future.complete(result);
    }
  }
}

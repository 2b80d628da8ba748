package io.tailshard.sampling.store;

import io.tailshard.common.component.RefusedException;
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
 * <p>Futures complete on this thread; callers that continue on an event loop hop back to it (for
 * Vert.x: {@code Future.fromCompletionStage(cs, context)}).
 */
final class StoreThread {
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
    boolean interrupted = false;
    while (true) {
      try {
        // No new task can enter once stopping is set, so the queue only drains and put succeeds.
        queue.put(finalTask);
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    while (thread.isAlive()) {
      try {
        thread.join();
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    finalTask.future.join();
  }

  private void run() {
    while (true) {
      Task<?> task;
      try {
        task = queue.take();
      } catch (InterruptedException e) {
        // Nobody interrupts this thread but the JVM at exit; keep serving until stop().
        continue;
      }
      task.run();
      if (task.last) {
        return;
      }
    }
  }

  private static final class Task<T> {
    final Callable<T> work;
    final boolean last;
    final CompletableFuture<T> future = new CompletableFuture<>();

    Task(Callable<T> work, boolean last) {
      this.work = work;
      this.last = last;
    }

    Task(Callable<T> work) {
      this(work, false);
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

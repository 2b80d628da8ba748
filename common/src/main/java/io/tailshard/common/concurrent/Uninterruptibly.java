package io.tailshard.common.concurrent;

import java.util.concurrent.BlockingQueue;

/**
 * Blocking steps of a shutdown that must happen even if the calling thread is interrupted: a
 * store's last task has to reach its writer thread and the thread has to end, or buffered data
 * is left unflushed. Each method retries through interrupts and sets the thread's interrupt flag
 * again before it returns, so the caller still sees the interrupt.
 */
public final class Uninterruptibly {
  private Uninterruptibly() {}

  /** Puts {@code element} on {@code queue}, waiting for room however often it is interrupted. */
  public static <T> void put(BlockingQueue<T> queue, T element) {
    boolean interrupted = false;
    try {
      while (true) {
        try {
          queue.put(element);
          return;
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Waits for {@code thread} to end, however often the caller is interrupted. */
  public static void join(Thread thread) {
    boolean interrupted = false;
    try {
      while (thread.isAlive()) {
        try {
          thread.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}

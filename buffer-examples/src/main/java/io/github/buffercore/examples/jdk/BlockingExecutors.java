package io.github.buffercore.examples.jdk;

import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The request threads of the JDK stack: at most {@code max} requests run at once, further ones wait
 * in a queue (an accepted connection cannot be refused from here: the JDK server offers no hook). On
 * Java 21+ each request gets a virtual thread; on Java 17 (which the build targets) a pool of daemon
 * platform threads. Virtual threads are found by reflection so the code still compiles for Java 17.
 */
final class BlockingExecutors {

  private static final ThreadFactory VIRTUAL = virtualThreadFactory();

  private BlockingExecutors() { }

  /** "virtual threads" or "platform threads", for the log. */
  static String kind() {
    return VIRTUAL != null ? "virtual threads" : "platform threads";
  }

  static ExecutorService bounded(String prefix, int max) {
    if (VIRTUAL != null) {
      return new Bounded(VIRTUAL, max);
    }
    AtomicInteger count = new AtomicInteger();
    ThreadPoolExecutor pool = new ThreadPoolExecutor(max, max, 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), runnable -> {
          Thread thread = new Thread(runnable, prefix + count.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
    pool.allowCoreThreadTimeOut(true);
    return pool;
  }

  /** {@code Thread.ofVirtual().name("jdk-http-v", 0).factory()} on Java 21+, else {@code null}. */
  private static ThreadFactory virtualThreadFactory() {
    try {
      Class<?> builderType = Class.forName("java.lang.Thread$Builder");
      Object builder = Thread.class.getMethod("ofVirtual").invoke(null);
      Method name = builderType.getMethod("name", String.class, long.class);
      builder = name.invoke(builder, "jdk-http-v", 0L);
      return (ThreadFactory) builderType.getMethod("factory").invoke(builder);
    } catch (ReflectiveOperationException | LinkageError olderThan21) {
      return null;
    }
  }

  /** One new thread per task, at most {@code max} at once; the rest wait in arrival order. */
  private static final class Bounded extends AbstractExecutorService {
    private final ThreadFactory factory;
    private final int max;
    private final Queue<Runnable> waiting = new ArrayDeque<>(); // guarded by this
    private int running; // guarded by this
    private boolean shutdown; // guarded by this

    Bounded(ThreadFactory factory, int max) {
      this.factory = factory;
      this.max = max;
    }

    @Override
    public void execute(Runnable task) {
      synchronized (this) {
        if (shutdown) {
          throw new RejectedExecutionException("The JDK stack's request threads are shut down");
        }
        if (running >= max) {
          waiting.add(task);
          return;
        }
        running++;
      }
      factory.newThread(() -> runFrom(task)).start();
    }

    private void runFrom(Runnable first) {
      Runnable task = first;
      while (task != null) {
        try {
          task.run();
        } catch (RuntimeException | Error e) {
          Thread.currentThread().getUncaughtExceptionHandler().uncaughtException(Thread.currentThread(), e);
        }
        Thread.interrupted();
        synchronized (this) {
          task = shutdown ? null : waiting.poll();
          if (task == null) {
            running--;
            notifyAll();
          }
        }
      }
    }

    @Override
    public synchronized void shutdown() {
      shutdown = true;
      waiting.clear();
      notifyAll();
    }

    @Override
    public List<Runnable> shutdownNow() {
      List<Runnable> dropped;
      synchronized (this) {
        dropped = List.copyOf(waiting);
        shutdown();
      }
      return dropped;
    }

    @Override
    public synchronized boolean isShutdown() {
      return shutdown;
    }

    @Override
    public synchronized boolean isTerminated() {
      return shutdown && running == 0;
    }

    @Override
    public synchronized boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
      long deadline = System.nanoTime() + unit.toNanos(timeout);
      while (!isTerminated()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
      return true;
    }
  }
}

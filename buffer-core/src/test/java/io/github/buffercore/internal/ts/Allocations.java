package io.github.buffercore.internal.ts;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Measures the bytes the current thread allocates while running a task, with the JDK's {@code
 * com.sun.management.ThreadMXBean}. Reached through method handles because the tests are compiled into
 * the library's module, which does not read {@code java.management}; they run on the class path.
 */
final class Allocations {

  private static final Object BEAN;
  private static final MethodHandle ALLOCATED;

  static {
    try {
      Class<?> factory = Class.forName("java.lang.management.ManagementFactory");
      BEAN = factory.getMethod("getThreadMXBean").invoke(null);
      Class<?> beanType = Class.forName("com.sun.management.ThreadMXBean");
      ALLOCATED = MethodHandles.publicLookup()
          .findVirtual(beanType, "getCurrentThreadAllocatedBytes", MethodType.methodType(long.class))
          .asType(MethodType.methodType(long.class, Object.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private Allocations() {}

  private static long allocated() {
    try {
      return (long) ALLOCATED.invokeExact(BEAN);
    } catch (Throwable t) {
      throw new AssertionError("cannot read the thread's allocated bytes", t);
    }
  }

  /** The bytes allocated by {@code task}, less what measuring an empty task allocates. */
  static long of(Runnable task) {
    Runnable empty = () -> { };
    long overhead = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      long before = allocated();
      empty.run();
      overhead = Math.min(overhead, allocated() - before);
    }
    long before = allocated();
    task.run();
    return allocated() - before - overhead;
  }
}

package io.github.buffercore.examples;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * SIGTERM and SIGINT as an orderly stop with exit status 0. A JVM ends with 143 (128 + SIGTERM) when
 * the signal runs its shutdown hooks; handling the signal instead lets the launcher close everything
 * and exit with 0, which tells a service manager the stop was clean. The JDK's only signal API is
 * {@code sun.misc.Signal} (module {@code jdk.unsupported}); it is reached by reflection so the build
 * stays free of warnings about internal APIs.
 */
final class Signals {

  private Signals() { }

  /**
   * Runs {@code action} (once per signal, on a JVM signal thread) on SIGTERM and SIGINT.
   *
   * @param action what to do; must not block
   * @return whether the handlers were installed (the JVM may refuse, e.g. under {@code -Xrs}, or lack
   *     the API)
   */
  static boolean onTermination(Runnable action) {
    try {
      Class<?> signalType = Class.forName("sun.misc.Signal");
      Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
      Object handler = Proxy.newProxyInstance(Signals.class.getClassLoader(), new Class<?>[] {handlerType},
          (proxy, method, args) -> {
            if (method.getName().equals("handle")) {
              action.run();
              return null;
            }
            return switch (method.getName()) {
              case "hashCode" -> System.identityHashCode(proxy);
              case "equals" -> proxy == args[0];
              default -> "Signals.onTermination";
            };
          });
      for (String name : new String[] {"TERM", "INT"}) {
        Object signal = signalType.getConstructor(String.class).newInstance(name);
        signalType.getMethod("handle", signalType, handlerType).invoke(null, signal, handler);
      }
      return true;
    } catch (InvocationTargetException refused) {
      return false; // IllegalArgumentException: the JVM reserves the signal (e.g. -Xrs)
    } catch (ReflectiveOperationException | LinkageError noApi) {
      return false;
    }
  }
}

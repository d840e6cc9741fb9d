package io.github.buffercore.stress;

import io.github.buffercore.PlaylistRegistry;
import io.github.buffercore.TunerPool;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * What the proofs run against, so that the same jcstress and Lincheck suite checks a user's own
 * registry or buffer-core with another tuner pool:
 *
 * <ul>
 *   <li>{@value #REGISTRY_FACTORY}: the name of a {@link RegistryFactory} class with a public no-argument
 *       constructor (or, without the property, the first {@link ServiceLoader} provider of
 *       {@code RegistryFactory} on the class path). Used by the registry proofs (SingleCreation,
 *       NoLostUpdate, JoinSurvivesCleanup, LastLeaveVersusJoin, IdempotentRelease, TunerLimit,
 *       EventBalance (which needs the factory's listener method), and Lincheck).
 *   <li>{@value #TUNER_POOL}: the name of a {@link TunerPool} class with a public no-argument
 *       constructor; every buffer-core registry the suite builds (also the data-path proofs such as
 *       GraceRejoin) gets a fresh instance through {@link PlaylistRegistry.Builder#tunerPool}.
 * </ul>
 *
 * <p>{@link StressRunner} forwards both properties to the jcstress worker JVMs.
 */
public final class StressKit {

  /** System property naming a {@link RegistryFactory} class. */
  public static final String REGISTRY_FACTORY = "buffercore.stress.registryFactory";

  /** System property naming a {@link TunerPool} class. */
  public static final String TUNER_POOL = "buffercore.stress.tunerPool";

  /** The properties {@link StressRunner} passes on to jcstress's worker JVMs. */
  static final List<String> PROPERTIES = List.of(REGISTRY_FACTORY, TUNER_POOL);

  private StressKit() { }

  /**
   * A builder of buffer-core's registry, with the configured tuner pool if there is one.
   *
   * @return a new builder
   * @throws IllegalStateException if the configured tuner pool class cannot be instantiated
   */
  public static PlaylistRegistry.Builder builder() {
    PlaylistRegistry.Builder builder = PlaylistRegistry.builder();
    String pool = property(TUNER_POOL);
    if (pool != null) {
      builder.tunerPool(instantiate(pool, TunerPool.class));
    }
    return builder;
  }

  /**
   * The registry factory under test: the {@value #REGISTRY_FACTORY} class, else a ServiceLoader
   * provider, else {@link RegistryFactory#DEFAULT}.
   *
   * @return the factory
   * @throws IllegalStateException if the configured class cannot be instantiated
   */
  public static RegistryFactory registryFactory() {
    String name = property(REGISTRY_FACTORY);
    if (name != null) {
      return instantiate(name, RegistryFactory.class);
    }
    Iterator<RegistryFactory> providers = ServiceLoader.load(RegistryFactory.class).iterator();
    return providers.hasNext() ? providers.next() : RegistryFactory.DEFAULT;
  }

  /**
   * One line saying what is under test, for the logs of a run.
   *
   * @return a description of the configuration
   */
  public static String describe() {
    String factory = property(REGISTRY_FACTORY);
    String pool = property(TUNER_POOL);
    return "registry: " + (factory != null ? factory : registryFactory() == RegistryFactory.DEFAULT
        ? "buffer-core default" : registryFactory().getClass().getName() + " (ServiceLoader)")
        + ", tuner pool: " + (pool != null ? pool : "buffer-core default (in-process)");
  }

  /** The property's value; blank, or a Maven placeholder left unresolved, counts as unset. */
  static String property(String name) {
    String value = System.getProperty(name);
    return value == null || value.isBlank() || value.startsWith("${") ? null : value.strip();
  }

  private static <T> T instantiate(String className, Class<T> type) {
    try {
      Class<?> found = Class.forName(className, true, Thread.currentThread().getContextClassLoader());
      return type.cast(found.getConstructor().newInstance());
    } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
      throw new IllegalStateException("Cannot instantiate " + type.getSimpleName() + " '" + className
          + "' (a public class with a public no-argument constructor, on the class path): " + e, e);
    }
  }
}

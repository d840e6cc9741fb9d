package io.github.buffercore.stress.scenario;

import org.openjdk.jcstress.infra.results.II_Result;

/**
 * A stream whose only client leaves while a new client joins it and the end of the stream's grace
 * period fires: the real registry with a data path, or a broken reference-counted connection in
 * {@code io.github.buffercore.stress.broken} that the same test must catch.
 */
public interface GraceUnderTest {

  /** Actor: the only client leaves; the stream enters its grace period with its upstream running. */
  void leave();

  /** Actor: a new client joins the same stream. */
  void rejoin();

  /** After {@link #leave}, on the same actor: the grace period is over and the expiry runs. */
  void expire();

  /**
   * Arbiter: r1 = 1 if the joiner reuses the original upstream, 2 if it got a newly started one;
   * r2 = 1 if the joiner is attached to an upstream that was stopped (forbidden), else 0.
   *
   * @param r the result
   */
  void arbiter(II_Result r);
}

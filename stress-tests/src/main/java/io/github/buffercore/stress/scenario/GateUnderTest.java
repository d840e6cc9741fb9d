package io.github.buffercore.stress.scenario;

import org.openjdk.jcstress.infra.results.II_Result;

/**
 * A stream with one client that joined through the compute (the anchor, which started it) and one
 * that joined through the stream's join gate (the member), stream grace 0: a new client joins while
 * the anchor and the member leave (the tests join and then let the member leave on one thread, and
 * let the anchor leave on the other). The real registry ({@link RegistryGate}) or a broken gate in
 * {@code io.github.buffercore.stress.broken} that the same test must catch.
 */
public interface GateUnderTest {

  /** Actor: a new client joins the stream (through the gate while it is open). */
  void join();

  /** Actor: the anchor leaves (a compute, which closes the gate and takes its members in). */
  void leaveAnchor();

  /** Actor: the member leaves (through the gate, or through the compute if the gate was closed). */
  void leaveMember();

  /**
   * Arbiter: r1 = clients of the stream (-1: no stream); r2 = 1 if the joiner's lease is open.
   * Every correct run ends with exactly the joiner in the stream: {@code 1, 1}.
   *
   * @param r the result
   */
  void arbiter(II_Result r);
}

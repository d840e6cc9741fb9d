package io.github.buffercore.stress.broken;

import io.github.buffercore.stress.scenario.GateUnderTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.openjdk.jcstress.infra.results.II_Result;

/**
 * A broken join gate: the joiner checks "the gate is open", then adds itself to the gate's members,
 * two steps; the closing compute marks the gate closed and takes the members it finds. A joiner
 * that checked before the close and adds itself after the closer took the members is in a dead
 * gate: it holds a lease that no state counts, and the stream may be removed under it. (The real
 * {@code JoinGate} makes the check and the add one compare-and-set on the slot, and the closer
 * takes every slot with a swap.)
 */
public final class CheckThenJoinGate implements GateUnderTest {

  /** One gate: open until the compute that replaces its state closes it. */
  private static final class Gate {
    volatile boolean open = true;
    final Set<Object> members = ConcurrentHashMap.newKeySet();
  }

  private final Object lock = new Object(); // the playlist's compute
  private final List<Object> clients = new ArrayList<>(); // guarded by lock
  private final Object anchor = new Object();
  private final Object member = new Object();
  private final Runnable window;
  private boolean running = true; // guarded by lock
  private volatile Gate current = new Gate();
  private volatile boolean joined;

  /**
   * Creates the sketch: the anchor joined through the compute, the member through the gate.
   *
   * @param window widens the check-then-act window ({@link RaceWindow#SPIN} under jcstress)
   */
  public CheckThenJoinGate(Runnable window) {
    this.window = window;
    clients.add(anchor);
    current.members.add(member);
  }

  @Override
  public void join() {
    Object lease = new Object();
    Gate gate = current;
    if (gate != null && gate.open) {
      window.run();
      gate.members.add(lease); // the bug: the gate may have been closed and emptied meanwhile
      joined = true;
      return;
    }
    synchronized (lock) {
      if (!running) {
        running = true;
        current = new Gate();
      }
      clients.add(lease);
    }
    joined = true;
  }

  @Override
  public void leaveAnchor() {
    leaveThroughCompute(anchor);
  }

  @Override
  public void leaveMember() {
    Gate gate = current;
    if (gate != null && gate.members.remove(member)) {
      return;
    }
    leaveThroughCompute(member);
  }

  private void leaveThroughCompute(Object lease) {
    synchronized (lock) {
      Gate gate = current;
      if (gate != null) {
        gate.open = false;
        for (Object taken : gate.members) {
          if (gate.members.remove(taken)) {
            clients.add(taken);
          }
        }
      }
      clients.remove(lease);
      running = !clients.isEmpty();
      current = running ? new Gate() : null;
    }
  }

  @Override
  public void arbiter(II_Result r) {
    synchronized (lock) {
      Gate gate = current;
      r.r1 = running ? clients.size() + (gate == null ? 0 : gate.members.size()) : -1;
    }
    r.r2 = joined ? 1 : 0;
  }
}

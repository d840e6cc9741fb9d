package io.github.buffercore.stress.registry;

import static org.openjdk.jcstress.annotations.Expect.ACCEPTABLE;
import static org.openjdk.jcstress.annotations.Expect.FORBIDDEN;

import io.github.buffercore.stress.broken.CloseFirstLease;
import io.github.buffercore.stress.scenario.LeaseReaderRace;
import io.github.buffercore.stress.scenario.ReaderUnderTest;
import org.openjdk.jcstress.annotations.Actor;
import org.openjdk.jcstress.annotations.Arbiter;
import org.openjdk.jcstress.annotations.JCStressTest;
import org.openjdk.jcstress.annotations.Outcome;
import org.openjdk.jcstress.annotations.State;
import org.openjdk.jcstress.infra.results.III_Result;

/**
 * <b>{@code ReaderClosedWithLease}</b>: Closing or evicting a lease closes its reader, also a
 * reader created while the lease is being released: once the release has returned, the lease's
 * reader, if one was handed out, is closed, and a reader asked for after the release is refused.
 *
 * <p>jcstress test of the {@code ReaderClosedWithLease} invariant (see the {@code
 * io.github.buffercore} package documentation) on the real registry with a data path
 * (LeaseReaderRace): one actor asks the lease for its reader while the other releases the lease, by
 * close() in every other state and by a cleanup that evicts it as stale in the rest.
 *
 * <p>Columns: r1 = 1 if a reader was returned (0: refused, the lease was already released); r2 = 1
 * if the lease is released; r3 = 1 if the returned reader is closed.
 */
@JCStressTest
@Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "A reader was created, and the release closed it (before or after its creation).")
@Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "The release came first; the reader was refused.")
@Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "The cleanup came after the reader, which (nothing to read) made the lease active: nothing released.")
@Outcome(id = "1, 1, 0", expect = FORBIDDEN, desc = "The lease was released but the reader it handed out stayed open.")
@Outcome(expect = FORBIDDEN, desc = "Anything else breaks ReaderClosedWithLease.")
@State
public class ReaderClosedWithLease {

  private final ReaderUnderTest race = new LeaseReaderRace();

  @Actor
  public void reader(III_Result r) {
    r.r1 = race.reader();
  }

  @Actor
  public void release() {
    race.release();
  }

  @Arbiter
  public void arbiter(III_Result r) {
    r.r2 = race.released();
    r.r3 = race.readerClosed();
    race.dispose();
  }


  /**
   * The ReaderClosedWithLease test run against CloseFirstLease: a release that closes the lease's
   * reader first and marks the lease released after, so a reader created in between stays open.
   * This test is expected to FAIL; the CI run (StressRunner) fails if it does not. Expected
   * forbidden outcome: 1, 1, 0.
   */
  @JCStressTest
  @Outcome(id = "1, 1, 1", expect = ACCEPTABLE, desc = "A reader was created, and the release closed it (before or after its creation).")
  @Outcome(id = "0, 1, 0", expect = ACCEPTABLE, desc = "The release came first; the reader was refused.")
  @Outcome(id = "1, 0, 0", expect = ACCEPTABLE, desc = "The cleanup came after the reader, which (nothing to read) made the lease active: nothing released.")
  @Outcome(id = "1, 1, 0", expect = FORBIDDEN, desc = "The lease was released but the reader it handed out stayed open.")
  @Outcome(expect = FORBIDDEN, desc = "Anything else breaks ReaderClosedWithLease.")
  @State
  public static class BrokenCloseFirst {

    private final ReaderUnderTest race = new CloseFirstLease();

    @Actor
    public void reader(III_Result r) {
      r.r1 = race.reader();
    }

    @Actor
    public void release() {
      race.release();
    }

    @Arbiter
    public void arbiter(III_Result r) {
      r.r2 = race.released();
      r.r3 = race.readerClosed();
      race.dispose();
    }

  }
}

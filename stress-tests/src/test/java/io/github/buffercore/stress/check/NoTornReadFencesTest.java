package io.github.buffercore.stress.check;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import org.junit.jupiter.api.Test;

/**
 * {@link NoTornReadFences} on the real ring classes and on small twins of the writer and the reader:
 * the twins with the fences in place pass, the broken twins (a fence removed, the intent store after
 * the copy, the validating load before the fence) are rejected. The real classes passing is
 * {@code ChecksTest}; the mutants {@code ring-no-storestore-fence}, {@code ring-no-loadload-fence}
 * and {@code ring-intent-after-copy} are the same bugs planted in the real classes.
 */
class NoTornReadFencesTest {

  @Test
  void theRealWriterAndReaderKeepTheOrder() {
    assertThat(NoTornReadFences.writerViolation("io.github.buffercore.internal.BroadcastRing",
        "write(byte[], int, int)")).isNull();
    assertThat(NoTornReadFences.readerViolation("io.github.buffercore.internal.RingReader", "tryCopy("))
        .isNull();
  }

  @Test
  void theTwinsWithTheirFencesPass() {
    assertThat(NoTornReadFences.writerViolation(Writer.class.getName(), "write(byte[], int, int)")).isNull();
    assertThat(NoTornReadFences.readerViolation(Reader.class.getName(), "tryCopy(")).isNull();
  }

  @Test
  void aWriterWithoutItsStoreStoreFenceIsRejected() {
    assertThat(NoTornReadFences.writerViolation(BrokenWriterNoFence.class.getName(), "write(byte[], int, int)"))
        .contains("no StoreStore fence");
  }

  @Test
  void aWriterAnnouncingAfterItsCopyIsRejected() {
    assertThat(NoTornReadFences.writerViolation(BrokenWriterIntentAfterCopy.class.getName(),
        "write(byte[], int, int)")).contains("no TAIL_INTENT store before the first byte copy");
  }

  @Test
  void aReaderWithoutItsLoadLoadFenceIsRejected() {
    assertThat(NoTornReadFences.readerViolation(BrokenReaderNoFence.class.getName(), "tryCopy("))
        .contains("not preceded by a LoadLoad fence");
  }

  @Test
  void aReaderValidatingBeforeItsFenceIsRejected() {
    assertThat(NoTornReadFences.readerViolation(BrokenReaderLoadBeforeFence.class.getName(), "tryCopy("))
        .contains("not preceded by a LoadLoad fence");
  }

  /** The fields the twins share: a ring's bytes, tail and intent. */
  static class Ring {
    static final VarHandle TAIL;
    static final VarHandle TAIL_INTENT;

    static {
      try {
        TAIL = MethodHandles.lookup().findVarHandle(Ring.class, "tail", long.class);
        TAIL_INTENT = MethodHandles.lookup().findVarHandle(Ring.class, "tailIntent", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final byte[] buffer = new byte[16];
    volatile long tail;
    volatile long tailIntent;
  }

  static final class Writer extends Ring {
    public void write(byte[] src, int off, int len) {
      long newTail = (long) TAIL.get(this) + len;
      TAIL_INTENT.setRelease(this, newTail);
      VarHandle.storeStoreFence();
      System.arraycopy(src, off, buffer, 0, len);
      TAIL.setVolatile(this, newTail);
    }
  }

  static final class BrokenWriterNoFence extends Ring {
    public void write(byte[] src, int off, int len) {
      long newTail = (long) TAIL.get(this) + len;
      TAIL_INTENT.setRelease(this, newTail);
      System.arraycopy(src, off, buffer, 0, len);
      TAIL.setVolatile(this, newTail);
    }
  }

  static final class BrokenWriterIntentAfterCopy extends Ring {
    public void write(byte[] src, int off, int len) {
      long newTail = (long) TAIL.get(this) + len;
      System.arraycopy(src, off, buffer, 0, len);
      VarHandle.storeStoreFence();
      TAIL_INTENT.setRelease(this, newTail);
      TAIL.setVolatile(this, newTail);
    }
  }

  static final class Reader {
    final Ring ring = new Ring();

    int tryCopy(long pos, byte[] dst, int len) {
      System.arraycopy(ring.buffer, 0, dst, 0, len);
      VarHandle.loadLoadFence();
      long intent = (long) Ring.TAIL_INTENT.getAcquire(ring);
      return intent - 16 > pos ? -1 : len;
    }
  }

  static final class BrokenReaderNoFence {
    final Ring ring = new Ring();

    int tryCopy(long pos, byte[] dst, int len) {
      System.arraycopy(ring.buffer, 0, dst, 0, len);
      long intent = (long) Ring.TAIL_INTENT.getAcquire(ring);
      return intent - 16 > pos ? -1 : len;
    }
  }

  static final class BrokenReaderLoadBeforeFence {
    final Ring ring = new Ring();

    int tryCopy(long pos, byte[] dst, int len) {
      System.arraycopy(ring.buffer, 0, dst, 0, len);
      long intent = (long) Ring.TAIL_INTENT.getAcquire(ring);
      VarHandle.loadLoadFence();
      return intent - 16 > pos ? -1 : len;
    }
  }
}

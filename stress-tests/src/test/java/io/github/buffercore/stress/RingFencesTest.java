package io.github.buffercore.stress;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Pins the ring's two fences in place. Removing either is a real bug on weakly ordered CPUs (AArch64,
 * POWER), but on x86 both are compiler-only barriers and no jcstress run here catches their removal
 * (the mutants {@code ring-no-storestore-fence} and {@code ring-no-loadload-fence} in
 * {@code mutants/missed}: NoTornRead and LapDetected pass with hundreds of thousands of samples). This
 * is the check that can be made on this hardware: the sources still have them, in the order the
 * memory-ordering argument of {@code BroadcastRing} needs.
 */
class RingFencesTest {

  private static final Path INTERNAL = Path.of("..", "buffer-core", "src", "main", "java", "io", "github",
      "buffercore", "internal");

  @Test
  void theWriterFencesItsIntentBeforeTheBytes() throws IOException {
    String write = method(Files.readString(INTERNAL.resolve("BroadcastRing.java"), StandardCharsets.UTF_8),
        "public void write(byte[] src, int off, int len)");
    int intent = write.indexOf("TAIL_INTENT.setRelease(this, newTail);");
    int fence = write.indexOf("VarHandle.storeStoreFence();");
    int copy = write.indexOf("System.arraycopy(");
    int publish = write.indexOf("TAIL.setVolatile(this, newTail);");
    assertThat(intent).as("intent store in BroadcastRing.write").isPositive();
    assertThat(fence).as("StoreStore fence after the intent store").isGreaterThan(intent);
    assertThat(copy).as("byte copy after the fence").isGreaterThan(fence);
    assertThat(publish).as("volatile tail store after the copy").isGreaterThan(copy);
  }

  @Test
  void theReaderFencesItsCopyBeforeTheValidation() throws IOException {
    String tryCopy = method(Files.readString(INTERNAL.resolve("RingReader.java"), StandardCharsets.UTF_8),
        "private int tryCopy(");
    int copy = tryCopy.lastIndexOf("System.arraycopy(");
    int fence = tryCopy.indexOf("VarHandle.loadLoadFence();");
    int validate = tryCopy.lastIndexOf("RingMemory.TAIL_INTENT.getAcquire(ring)");
    assertThat(copy).as("byte copy in RingReader.tryCopy").isPositive();
    assertThat(fence).as("LoadLoad fence after the copy").isGreaterThan(copy);
    assertThat(validate).as("validating intent load after the fence").isGreaterThan(fence);
  }

  /** The text of the method starting at {@code signature}, up to the next method's javadoc. */
  private static String method(String source, String signature) {
    int start = source.indexOf(signature);
    assertThat(start).as(signature).isNotNegative();
    int end = source.indexOf("\n  /**", start);
    return source.substring(start, end < 0 ? source.length() : end);
  }
}

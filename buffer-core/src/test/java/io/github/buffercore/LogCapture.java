package io.github.buffercore;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Captures what slf4j-simple writes (it resolves System.err at every write when configured with
 * {@code logFile=System.err}), while still passing it through to the original stream.
 */
public final class LogCapture implements AutoCloseable {

  private final PrintStream original = System.err;
  private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

  public LogCapture() {
    PrintStream tee = new PrintStream(new java.io.OutputStream() {
      @Override
      public synchronized void write(int b) {
        captured.write(b);
        original.write(b);
      }

      @Override
      public synchronized void write(byte[] b, int off, int len) {
        captured.write(b, off, len);
        original.write(b, off, len);
      }
    }, true, StandardCharsets.UTF_8);
    System.setErr(tee);
  }

  public List<String> linesContaining(String text) {
    String all;
    synchronized (this) {
      all = captured.toString(StandardCharsets.UTF_8);
    }
    return Arrays.stream(all.split("\n")).filter(l -> l.contains(text)).collect(Collectors.toList());
  }

  @Override
  public void close() {
    System.setErr(original);
  }
}

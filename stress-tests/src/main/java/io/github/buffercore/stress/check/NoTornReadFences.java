package io.github.buffercore.stress.check;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;

/**
 * NoTornRead, the part no run on this machine can show: the order of the ring's memory accesses
 * in the <em>compiled</em> classes. A structural guard, not a behavioural test.
 *
 * <p>Why structural. The ring's seqlock needs two fences: the writer's StoreStore fence between its
 * intent store and its byte copy ({@code BroadcastRing.write}: {@code TAIL_INTENT.setRelease} →
 * {@code VarHandle.storeStoreFence()} → first {@code System.arraycopy}), and the reader's LoadLoad
 * fence between its byte copy and its validating intent load ({@code RingReader.tryCopy}: last
 * {@code System.arraycopy}, or the {@code RingMemory.copyOut} call that copies into an array or a
 * buffer → {@code VarHandle.loadLoadFence()} → {@code TAIL_INTENT.getAcquire}).
 * Without them a weakly ordered CPU (AArch64, POWER) may make a later write's bytes visible before
 * its intent, or satisfy the copy's loads after the validation: a torn read that passes validation.
 * On x86 (TSO) the hardware never reorders stores with stores or loads with loads, so the fences emit
 * no instruction and only restrain the JIT, and neither jcstress with C2's scheduling randomizers
 * (24-30 million {@code NoTornRead} samples) nor any other run here showed their removal. The
 * jcstress tests {@code buffer.NoTornRead} and {@code buffer.LapDetected} are the ones that would
 * show it on a weakly ordered CPU; this check is what can be checked here.
 *
 * <p>How. The class files are read through the class loader (so a mutant's classes on the class path
 * in front of the real ones are the ones read) and disassembled with {@code javap -c -p}
 * ({@link ToolProvider}); in the named method, the calls on the {@code TAIL_INTENT} VarHandle, the
 * fences and the {@code System.arraycopy} calls are listed in bytecode order and the order above is
 * asserted. A fence that orders at least as much is accepted ({@code fullFence}; {@code releaseFence}
 * for StoreStore, {@code acquireFence} for LoadLoad). The unit test {@code NoTornReadFencesTest} shows
 * the real classes pass and small twins without a fence, or with the intent store after the copy,
 * are rejected.
 */
public final class NoTornReadFences {

  private static final String WRITER = "io.github.buffercore.internal.BroadcastRing";
  private static final String READER = "io.github.buffercore.internal.RingReader";

  private static final Pattern INTENT_FIELD = Pattern.compile("getstatic .*[ ./]TAIL_INTENT:Ljava/lang/invoke/VarHandle;");
  private static final Pattern OTHER_HANDLE = Pattern.compile("getstatic .*:Ljava/lang/invoke/VarHandle;");
  private static final Pattern HANDLE_CALL = Pattern.compile("invoke(virtual|static) .*java/lang/invoke/VarHandle\\.(\\w+):");
  private static final Pattern ARRAYCOPY = Pattern.compile("invokestatic .*java/lang/System\\.arraycopy:");
  /**
   * The reader's copy out of the ring, {@code RingMemory.copyOut}: its byte loads (an {@code arraycopy}
   * or a buffer's bulk {@code put}) belong to the call in program order, so a fence after the call
   * orders them as it would an inline {@code arraycopy}.
   */
  private static final Pattern RING_COPY = Pattern.compile("invoke(virtual|static) .*io/github/buffercore/internal/RingMemory\\.copyOut:");

  private NoTornReadFences() { }

  /** Both halves on the real ring classes; {@code null} if both hold. */
  static String checkRing() {
    String writer = writerViolation(WRITER, "write(byte[], int, int)");
    String reader = readerViolation(READER, "tryCopy(");
    return writer == null ? reader : reader == null ? writer : writer + "; " + reader;
  }

  /**
   * The writer's order: its last intent store before its first byte copy is followed by a StoreStore
   * fence before that copy.
   *
   * @param className the class
   * @param method the method's javap signature, from its name, e.g. {@code write(byte[], int, int)}
   * @return {@code null} if the order holds, else what is wrong
   */
  public static String writerViolation(String className, String method) {
    List<String> ops = operations(className, method);
    int firstCopy = ops.indexOf("arraycopy");
    if (firstCopy < 0) {
      throw new Checks.HarnessError(className + "." + method + " has no System.arraycopy: " + ops, null);
    }
    int intent = -1;
    for (int i = 0; i < firstCopy; i++) {
      if (ops.get(i).startsWith("TAIL_INTENT.set")) {
        intent = i;
      }
    }
    if (intent < 0) {
      return className + "." + method + ": no TAIL_INTENT store before the first byte copy " + ops;
    }
    for (int i = intent + 1; i < firstCopy; i++) {
      if (orders(ops.get(i), "storeStoreFence", "releaseFence")) {
        return null;
      }
    }
    return className + "." + method + ": no StoreStore fence between the TAIL_INTENT store and the first"
        + " byte copy " + ops;
  }

  /**
   * The reader's order: the first intent load after its last byte copy comes after a LoadLoad fence
   * that comes after that copy.
   *
   * @param className the class
   * @param method the method's javap signature, from its name, e.g. {@code tryCopy(}
   * @return {@code null} if the order holds, else what is wrong
   */
  public static String readerViolation(String className, String method) {
    List<String> ops = operations(className, method);
    int lastCopy = ops.lastIndexOf("arraycopy");
    if (lastCopy < 0) {
      throw new Checks.HarnessError(className + "." + method + " has no System.arraycopy: " + ops, null);
    }
    boolean fenced = false;
    for (int i = lastCopy + 1; i < ops.size(); i++) {
      String op = ops.get(i);
      if (orders(op, "loadLoadFence", "acquireFence")) {
        fenced = true;
      } else if (op.startsWith("TAIL_INTENT.get")) {
        return fenced ? null : className + "." + method + ": the validating TAIL_INTENT load after the last"
            + " byte copy is not preceded by a LoadLoad fence " + ops;
      }
    }
    return className + "." + method + ": no TAIL_INTENT load validates the copy " + ops;
  }

  private static boolean orders(String op, String fence, String stronger) {
    return op.equals(fence) || op.equals(stronger) || op.equals("fullFence");
  }

  /**
   * The method's VarHandle calls ({@code TAIL_INTENT.<mode>} or {@code other.<mode>}), static fences
   * ({@code storeStoreFence}, ...) and {@code arraycopy}s (a {@code RingMemory.copyOut} call counts as
   * one), in bytecode order.
   */
  static List<String> operations(String className, String method) {
    List<String> ops = new ArrayList<>();
    List<String> pendingHandles = new ArrayList<>(); // getstatic of a VarHandle not yet used by its call
    boolean inMethod = false;
    boolean found = false;
    for (String line : (Iterable<String>) disassemble(className).lines()::iterator) {
      if (!inMethod) {
        if (line.startsWith("  ") && !line.startsWith("   ") && line.contains(" " + method)) {
          inMethod = true;
          found = true;
        }
        continue;
      }
      if (line.isBlank() || (line.startsWith("  ") && !line.startsWith("   ") && line.endsWith(";"))) {
        break; // the next member
      }
      if (INTENT_FIELD.matcher(line).find()) {
        pendingHandles.add("TAIL_INTENT");
      } else if (OTHER_HANDLE.matcher(line).find()) {
        pendingHandles.add("other");
      } else if (ARRAYCOPY.matcher(line).find() || RING_COPY.matcher(line).find()) {
        ops.add("arraycopy");
      } else {
        Matcher call = HANDLE_CALL.matcher(line);
        if (call.find()) {
          if (call.group(1).equals("static")) {
            ops.add(call.group(2)); // a fence
          } else {
            String handle = pendingHandles.isEmpty() ? "other" : pendingHandles.remove(pendingHandles.size() - 1);
            ops.add(handle + "." + call.group(2));
          }
        }
      }
    }
    if (!found) {
      throw new Checks.HarnessError("no method " + method + " in " + className, null);
    }
    return ops;
  }

  /**
   * The bytecode index where the normal path of {@code method}'s first {@code synchronized} block
   * continues: the target of the {@code goto} right after its first {@code monitorexit} (used by
   * {@code WindowCheck} to suspend a thread between two critical sections).
   *
   * @param className the class
   * @param method the method's name
   * @return the bytecode index
   * @throws IllegalStateException if the method has no such block
   */
  public static long afterFirstMonitorExit(String className, String method) {
    boolean exited = false;
    Pattern jump = Pattern.compile("^\\s+\\d+: goto\\s+(\\d+)");
    for (String line : methodBody(className, method)) {
      if (line.contains(": monitorexit")) {
        exited = true;
      } else if (exited) {
        Matcher target = jump.matcher(line);
        if (target.find()) {
          return Long.parseLong(target.group(1));
        }
        throw new IllegalStateException("no goto after the first monitorexit of " + className + "." + method
            + ": " + line);
      }
    }
    throw new IllegalStateException("no synchronized block in " + className + "." + method);
  }

  /**
   * The bytecode index of the first instruction of {@code method} whose javap text contains
   * {@code call} (e.g. {@code getOrDefault:}); used by {@code WindowCheck}.
   *
   * @param className the class
   * @param method the method's name
   * @param call a piece of the instruction's javap text
   * @return the bytecode index
   * @throws IllegalStateException if there is none
   */
  public static long firstCallIndex(String className, String method, String call) {
    Pattern instruction = Pattern.compile("^\\s+(\\d+): ");
    for (String line : methodBody(className, method)) {
      Matcher at = instruction.matcher(line);
      if (line.contains(call) && at.find()) {
        return Long.parseLong(at.group(1));
      }
    }
    throw new IllegalStateException("no " + call + " in " + className + "." + method);
  }

  /** The javap lines of the first method named {@code method}, from its header to the blank line after it. */
  private static List<String> methodBody(String className, String method) {
    Pattern header = Pattern.compile("^  \\S.*[ .]" + Pattern.quote(method) + "\\(.*\\);$");
    List<String> body = new ArrayList<>();
    boolean inMethod = false;
    for (String line : (Iterable<String>) disassemble(className).lines()::iterator) {
      if (!inMethod) {
        inMethod = header.matcher(line).matches();
      } else if (line.isBlank()) {
        break;
      } else {
        body.add(line);
      }
    }
    return body;
  }

  /** {@code javap -c -p} of the class file the class loader finds first. */
  private static String disassemble(String className) {
    ToolProvider javap = ToolProvider.findFirst("javap")
        .orElseThrow(() -> new Checks.HarnessError("no javap tool in this JDK (jdk.jdeps)", null));
    String resource = className.replace('.', '/') + ".class";
    ClassLoader loader = NoTornReadFences.class.getClassLoader();
    try (InputStream in = loader.getResourceAsStream(resource)) {
      if (in == null) {
        throw new Checks.HarnessError("class file not found on the class path: " + resource, null);
      }
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      in.transferTo(bytes);
      Path dir = Files.createTempDirectory("fences");
      Path file = dir.resolve(className.substring(className.lastIndexOf('.') + 1) + ".class");
      try {
        Files.write(file, bytes.toByteArray());
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int rc = javap.run(new PrintWriter(out), new PrintWriter(err), "-c", "-p", file.toString());
        if (rc != 0) {
          throw new Checks.HarnessError("javap failed (" + rc + ") on " + resource + ": " + err, null);
        }
        return out.toString();
      } finally {
        Files.deleteIfExists(file);
        Files.deleteIfExists(dir);
      }
    } catch (IOException e) {
      throw new Checks.HarnessError("cannot read " + resource, e);
    }
  }
}

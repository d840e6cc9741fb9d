package io.github.buffercore.redis;

import io.github.buffercore.TunerRequest;
import io.github.buffercore.TunerSlot;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A child JVM of the pool tests: one node that takes {@code count} slots of one playlist and then
 * "streams" on each: every 20 ms it reads the wall clock, checks {@link TunerSlot#isHeld()}, and only
 * if held prints {@code BYTE <stream> <millis read before the check>}. Prints {@code HELD <stream>
 * <token>}, {@code READY}, {@code LOST <stream> <reason>}; {@code EXIT} on stdin releases and exits.
 * Ends by itself after {@code maxRunSeconds}.
 *
 * <p>Arguments: redisUri ttlMillis playlistId limit count nodeId maxRunSeconds.
 */
public final class LeaseHolderMain {

  private LeaseHolderMain() { }

  /**
   * Runs the node.
   *
   * @param args see the class comment
   * @throws Exception on any failure (the parent sees the exit and the stderr log)
   */
  public static void main(String[] args) throws Exception {
    String uri = args[0];
    Duration ttl = Duration.ofMillis(Long.parseLong(args[1]));
    String playlistId = args[2];
    int limit = Integer.parseInt(args[3]);
    int count = Integer.parseInt(args[4]);
    String nodeId = args[5];
    long endAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(Long.parseLong(args[6]));
    RedisTunerPool pool = RedisTunerPool.builder(uri).leaseTtl(ttl).nodeId(nodeId).build();
    List<TunerSlot> slots = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String streamId = nodeId + "-s" + i;
      TunerSlot slot = pool.acquire(new TunerRequest(playlistId, streamId, limit, ttl.multipliedBy(4)));
      slot.onLost(reason -> say("LOST " + streamId + " " + reason.replace('\n', ' ')));
      slots.add(slot);
      say("HELD " + streamId + " " + slot.fencingToken());
    }
    say("READY");
    Thread input = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          if (line.equals("EXIT")) {
            slots.forEach(TunerSlot::close);
            pool.close();
            say("BYE");
            System.exit(0);
          }
        }
      } catch (Exception e) {
        e.printStackTrace();
      }
    }, "stdin");
    input.setDaemon(true);
    input.start();
    while (System.nanoTime() - endAt < 0) {
      for (TunerSlot slot : slots) {
        long millis = System.currentTimeMillis(); // read before the check: see the class comment
        if (slot.isHeld()) {
          say("BYTE " + slot.streamId() + " " + millis);
        }
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }
    System.exit(3); // not told to exit in time
  }

  private static void say(String line) {
    synchronized (System.out) {
      System.out.println(line);
      System.out.flush();
    }
  }
}

package io.github.buffercore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code EventBalance} under {@code close()} racing creations: per playlist id the listener hears
 * {@code PLAYLIST_CREATED} then {@code PLAYLIST_REMOVED}, or neither; a creation that lost to
 * {@code close} gets a {@link RegistryClosedException} and leaves no folder behind.
 */
class CloseEventBalanceTest {

  private static final int ROUNDS = 2_000;
  private static final int CREATORS = 3;

  @Test
  void aCreationRacingCloseSendsCreatedAndRemovedOrNeither(@TempDir Path base) throws Exception {
    List<String> violations = new ArrayList<>();
    int closedCreations = 0;
    for (int round = 0; round < ROUNDS; round++) {
      RecordingListener listener = new RecordingListener();
      PlaylistRegistry registry = PlaylistRegistry.builder().listener(listener)
          .workingFolderBase(base).build();
      CyclicBarrier go = new CyclicBarrier(CREATORS + 1);
      List<Thread> threads = new ArrayList<>();
      int[] closedFailures = new int[1];
      for (int c = 0; c < CREATORS; c++) {
        String id = "p" + c;
        Thread creator = new Thread(() -> {
          try {
            go.await();
            registry.getOrCreate(id, any -> PlaylistSettings.withTuners(1));
          } catch (RegistryClosedException expected) {
            synchronized (closedFailures) {
              closedFailures[0]++;
            }
          } catch (Exception e) {
            synchronized (violations) {
              violations.add("creation of " + id + " failed unexpectedly: " + e);
            }
          }
        });
        creator.start();
        threads.add(creator);
      }
      go.await();
      registry.close();
      for (Thread creator : threads) {
        creator.join();
      }
      closedCreations += closedFailures[0];
      for (int c = 0; c < CREATORS; c++) {
        String id = "p" + c;
        List<RegistryEvent.Type> order = listener.events.stream().filter(e -> e.playlistId().equals(id))
            .map(RegistryEvent::type).toList();
        if (!order.isEmpty() && !order.equals(List.of(RegistryEvent.Type.PLAYLIST_CREATED,
            RegistryEvent.Type.PLAYLIST_REMOVED))) {
          violations.add("round " + round + ", " + id + ": " + order);
        }
      }
      try (var left = Files.list(base)) {
        List<Path> folders = left.toList();
        if (!folders.isEmpty()) {
          violations.add("round " + round + ": folders left " + folders);
        }
      }
    }
    assertThat(violations).isEmpty();
    assertThat(closedCreations).as("creations that lost to close (the race was exercised)").isPositive();
  }
}

package io.github.buffercore;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Clients that joined a running stream through its join gate ({@code JoinGate} in the package
 * documentation; a registry without a listener) are clients like any other, through the public API:
 * counted by snapshots, kept when the stream's first client leaves, removed exactly once when they
 * leave, evicted by cleanup when stale and by {@code close()}, with their end told once. (The races
 * are {@code registry.JoinGate} in stress-tests.)
 */
class JoinGateTest {

  private final Ticker.Manual ticker = Ticker.manual();
  private PlaylistRegistry registry;

  @AfterEach
  void close() {
    if (registry != null) {
      registry.close();
    }
  }

  private PlaylistRegistry registry(Duration streamGrace) {
    registry = PlaylistRegistry.builder().ticker(ticker).staleAfter(Duration.ofSeconds(30))
        .streamGrace(streamGrace).idleGrace(Duration.ofDays(1)).manualCleanup().build();
    registry.getOrCreate("p", id -> PlaylistSettings.withTuners(1));
    return registry;
  }

  private int clients() {
    return registry.snapshot().playlist("p").map(PlaylistSnapshot::clients).orElse(-1);
  }

  private long generation() {
    return registry.snapshot().playlist("p").orElseThrow().streams().get(0).generation();
  }

  @Test
  void gateMembersAreClientsUntilTheLastOfThemLeaves() {
    registry(Duration.ZERO);
    ClientLease anchor = registry.acquire("p", "a"); // starts the stream: a compute
    long generation = generation();
    List<ClientLease> members = List.of(registry.acquire("p", "a"), registry.acquire("p", "a"));
    assertThat(clients()).isEqualTo(3);

    anchor.close(); // the first client leaves: the stream keeps the gate's members
    assertThat(clients()).isEqualTo(2);
    assertThat(generation()).isEqualTo(generation);
    ClientLease late = registry.acquire("p", "a"); // joins the new gate of the same generation
    assertThat(clients()).isEqualTo(3);

    members.get(0).close();
    members.get(0).close(); // idempotent: removed once
    assertThat(clients()).isEqualTo(2);
    members.get(1).close();
    assertThat(clients()).isEqualTo(1);
    assertThat(generation()).isEqualTo(generation);
    late.close(); // the last client: grace 0 removes the stream
    assertThat(registry.snapshot().playlist("p").orElseThrow().streams()).isEmpty();
  }

  @Test
  void aStaleGateMemberIsEvictedOnceAndItsEndTold() {
    registry(Duration.ofSeconds(10));
    ClientLease anchor = registry.acquire("p", "a");
    ClientLease member = registry.acquire("p", "a");
    List<LeaseEnd.Reason> ends = new CopyOnWriteArrayList<>();
    member.onEnded(end -> ends.add(end.reason()));
    ticker.advance(Duration.ofSeconds(20));
    anchor.touch();
    ticker.advance(Duration.ofSeconds(20)); // member untouched for 40 s, anchor for 20 s

    CleanupReport report = registry.cleanup();

    assertThat(report.evictedClients()).hasSize(1);
    assertThat(member.isOpen()).isFalse();
    assertThat(ends).containsExactly(LeaseEnd.Reason.EVICTED_STALE);
    assertThat(clients()).isEqualTo(1);
    member.close(); // after the eviction: changes nothing
    assertThat(ends).hasSize(1);
    assertThat(clients()).isEqualTo(1);
    assertThat(anchor.isOpen()).isTrue();
  }

  @Test
  void closeEvictsGateMembers() {
    registry(Duration.ZERO);
    registry.acquire("p", "a");
    ClientLease member = registry.acquire("p", "a");
    List<LeaseEnd.Reason> ends = new CopyOnWriteArrayList<>();
    member.onEnded(end -> ends.add(end.reason()));

    registry.close();

    assertThat(member.isOpen()).isFalse();
    assertThat(ends).containsExactly(LeaseEnd.Reason.REGISTRY_CLOSED);
  }

  @Test
  void withAListenerEveryJoinIsAnEventInOrder() {
    RecordingListener listener = new RecordingListener();
    registry = PlaylistRegistry.builder().ticker(ticker).streamGrace(Duration.ZERO).manualCleanup()
        .listener(listener).build();
    registry.getOrCreate("p", id -> PlaylistSettings.withTuners(1));
    ClientLease anchor = registry.acquire("p", "a");
    ClientLease second = registry.acquire("p", "a");
    anchor.close();
    second.close();

    assertThat(listener.types()).containsSubsequence(RegistryEvent.Type.CLIENT_JOINED,
        RegistryEvent.Type.CLIENT_JOINED, RegistryEvent.Type.CLIENT_LEFT, RegistryEvent.Type.CLIENT_LEFT,
        RegistryEvent.Type.STREAM_STOPPED);
  }
}

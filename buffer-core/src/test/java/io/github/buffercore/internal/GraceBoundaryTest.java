package io.github.buffercore.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.buffercore.Playlist;
import io.github.buffercore.PlaylistSettings;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A stream's grace ends at exactly {@code idleSince + streamGrace}: a grace expiry seen one
 * nanosecond earlier (a timer that ran early against the registry's ticker) changes nothing, one at
 * the boundary stops the stream. The same boundary as the cleanup's, checked on the pure transition.
 */
class GraceBoundaryTest {

  private static final long GRACE = 10;
  private static final long IDLE_SINCE = 1_000;

  @Test
  void aGraceExpiryAtExactlyTheGraceStopsTheStreamAndOneNanosecondEarlierDoesNot() {
    PlaylistTransitions rules = new PlaylistTransitions(30, GRACE, 60, false, null);
    PlaylistState state = PlaylistState.created(
            new Playlist("p1", 1, PlaylistSettings.withTuners(2), Optional.empty()), IDLE_SINCE)
        .withStream(new StreamState("a", 100, PrefixSharingList.empty(), IDLE_SINCE, null, new TunerHold(), null));

    Step early = rules.apply(state, new PlaylistEvent.GraceExpired("a", 100, IDLE_SINCE + GRACE - 1));
    assertThat(early.outcome()).isEqualTo(Outcome.UNCHANGED);
    assertThat(early.next().streams()).containsKey("a");
    assertThat(early.effects()).isEmpty();

    Step onTime = rules.apply(state, new PlaylistEvent.GraceExpired("a", 100, IDLE_SINCE + GRACE));
    assertThat(onTime.outcome()).isEqualTo(Outcome.CHANGED);
    assertThat(onTime.next().streams()).isEmpty();
    assertThat(onTime.effects()).singleElement().isInstanceOf(Effect.StopUpstream.class);
  }
}

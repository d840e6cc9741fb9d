package io.github.buffercore.bench.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The client's tally of a run: served, judged, kept up, errors by kind, and the crowd's timeline. */
class ViewerTallyTest {

  private static final long MS = 1_000_000L;
  private static final long S = 1_000 * MS;
  /** The live rate of these runs: 50,000 B/s, the load clip's. */
  private static final double RATE = 50_000;
  private static final long MARK = 10 * S;
  private static final long STOP = 20 * S;
  private static final long JUDGE_AFTER = 2 * S;

  /** A viewer that connected at {@code start}, got its head and first byte {@code latency} later. */
  private static ViewerClient.Viewer served(int id, long start, long latency, long atMark, long body) {
    ViewerClient.Viewer viewer = new ViewerClient.Viewer(id);
    viewer.start = start;
    viewer.requestSent = start + MS;
    viewer.headers = start + latency;
    viewer.firstByte = start + latency;
    viewer.status = 200;
    viewer.bodyAtMark = atMark;
    viewer.body = body;
    viewer.maxGap = 500 * MS;
    return viewer;
  }

  @Test
  void aViewerAtTheLiveRateKeepsUpAndItsJoinBurstIsWhatItGotBeyondTheRate() {
    // First byte at 1 s: 9 s of live rate (450,000 B) plus a 30 KiB burst by the mark, then 10 s live.
    long atMark = 450_000 + 30 * 1024;
    ViewerTally tally = ViewerTally.of(List.of(served(0, 900 * MS, 100 * MS, atMark, atMark + 500_000)),
        RATE, 0.9, MARK, STOP, JUDGE_AFTER);

    assertThat(tally.served()).isEqualTo(1);
    assertThat(tally.judged()).isEqualTo(1);
    assertThat(tally.keptUp()).isEqualTo(1);
    assertThat(tally.rateMin()).isCloseTo(1.0, within(1e-9));
    assertThat(tally.burstMedianKb()).isCloseTo(30.0, within(1e-9));
    assertThat(tally.firstByteMs()).containsExactly(100.0);
    assertThat(tally.viewerSeconds()).isCloseTo(19.0, within(1e-9));
    assertThat(tally.secondHalfBytesPerSecond()).isCloseTo(50_000, within(1e-9));
    assertThat(tally.errors()).isEmpty();
  }

  @Test
  void aSlowViewerIsJudgedButNotKeptUpAndSetsTheWorstRate() {
    ViewerClient.Viewer fast = served(0, 0, 50 * MS, 500_000, 1_000_000);
    ViewerClient.Viewer slow = served(1, 0, 60 * MS, 500_000, 500_000 + 400_000);

    ViewerTally tally = ViewerTally.of(List.of(fast, slow), RATE, 0.9, MARK, STOP, JUDGE_AFTER);

    assertThat(tally.judged()).isEqualTo(2);
    assertThat(tally.keptUp()).isEqualTo(1);
    assertThat(tally.rateMin()).isCloseTo(0.8, within(1e-9));
    assertThat(tally.firstByteMs()).containsExactly(50.0, 60.0);
  }

  @Test
  void aViewerWhoseFirstByteCameTooCloseToTheMarkIsServedButNotJudged() {
    ViewerClient.Viewer late = served(0, MARK - JUDGE_AFTER, 10 * MS, 100_000, 600_000);

    ViewerTally tally = ViewerTally.of(List.of(late), RATE, 0.9, MARK, STOP, JUDGE_AFTER);

    assertThat(tally.served()).isEqualTo(1);
    assertThat(tally.judged()).isZero();
    assertThat(tally.keptUp()).isZero();
    assertThat(tally.rateMin()).isNaN();
  }

  @Test
  void withoutAMarkNobodyIsJudged() {
    ViewerTally tally = ViewerTally.of(List.of(served(0, 0, 10 * MS, -1, 900_000)), RATE, 0.9, 0, STOP, JUDGE_AFTER);

    assertThat(tally.served()).isEqualTo(1);
    assertThat(tally.judged()).isZero();
    assertThat(tally.rateMedian()).isNaN();
  }

  @Test
  void failuresAreCountedByKindWithByteCountsFolded() {
    ViewerClient.Viewer resetAfter10 = new ViewerClient.Viewer(0);
    resetAfter10.error = "connection reset after 10 body bytes";
    ViewerClient.Viewer resetAfter20 = new ViewerClient.Viewer(1);
    resetAfter20.error = "connection reset after 20 body bytes";
    ViewerClient.Viewer noHead = new ViewerClient.Viewer(2);
    noHead.start = 5 * MS;
    ViewerClient.Viewer noBody = new ViewerClient.Viewer(3);
    noBody.status = 200;
    ViewerClient.Viewer refused = new ViewerClient.Viewer(4);
    refused.status = 503;
    refused.headers = 7 * MS;
    refused.start = 6 * MS;
    refused.error = "HTTP 503";

    ViewerTally tally = ViewerTally.of(List.of(resetAfter10, resetAfter20, noHead, noBody, refused),
        RATE, 0.9, MARK, STOP, JUDGE_AFTER);

    assertThat(tally.served()).isZero();
    assertThat(tally.errors()).isEqualTo(Map.of(
        "connection reset after N body bytes", 2,
        "no response head within the run", 1,
        "no body byte within the run", 1,
        "HTTP 503", 1));
    assertThat(tally.headersMs()).containsExactly(1.0);
    assertThat(tally.firstByteMs()).isEmpty();
  }

  @Test
  void theTimelineSaysHowTheCrowdArrived() {
    ViewerTally tally = ViewerTally.of(List.of(served(0, S, 40 * MS, -1, 1), served(1, S + 120 * MS, 360 * MS, -1, 1)),
        RATE, 0.9, 0, STOP, JUDGE_AFTER);

    assertThat(tally.timeline())
        .contains("the crowd: connects issued over 120 ms, the last viewer's first byte 480 ms after the first connect");
  }

  @Test
  void noViewerIsAnEmptyTally() {
    ViewerTally tally = ViewerTally.of(List.of(), RATE, 0.9, MARK, STOP, JUDGE_AFTER);

    assertThat(tally.served()).isZero();
    assertThat(tally.errors()).isEmpty();
    assertThat(tally.timeline()).isEmpty();
    assertThat(tally.gapP99Ms()).isNaN();
  }
}

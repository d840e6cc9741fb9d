package io.github.buffercore.bench.load;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What the client saw in one run, over all its viewers: who was served and how fast, who kept up
 * with the live rate in the second half, and why the others failed. The server's side of the run
 * ({@code /proc}, perf, JFR) is measured apart by {@link LoadBenchmark}; this class only reads
 * {@link ViewerClient.Viewer} records, after the client has stopped.
 *
 * <p>Judged for keeping up are the served viewers whose first byte came at least {@code judgeAfter}
 * nanoseconds before the mid-run mark: their join burst (the backlog a server sends a new viewer at
 * once) is behind them, so their second half measures the live rate alone. Later joiners are not
 * judged; their lateness shows in the first-byte times.
 *
 * @param served viewers with a 200 head, a first body byte and no error
 * @param errors the other viewers, counted by what went wrong (byte counts in the text folded, so
 *     that one kind of failure is one row)
 * @param headersMs times to the response head, sorted, in milliseconds
 * @param firstByteMs times to the first body byte, sorted, in milliseconds
 * @param judged viewers judged for keeping up
 * @param keptUp judged viewers whose second-half rate was at least the keep-up ratio
 * @param rateMin the slowest judged viewer's second-half bytes over the live rate's; NaN if none
 *     was judged
 * @param rateMedian the median judged viewer's ratio; NaN if none was judged
 * @param burstMedianKb the median judged viewer's bytes beyond the live rate at the mark, in KiB
 * @param gapP99Ms the p99 over served viewers of the longest time between two reads, in ms
 * @param viewerSeconds the sum over served viewers of the time from their first byte to the stop
 * @param secondHalfBytesPerSecond the body bytes all viewers received after the mark, per second
 * @param chunked whether any response was chunked
 * @param timeline how the time to headers splits and how the crowd arrived (the report's sentences;
 *     empty when no viewer connected)
 */
record ViewerTally(int served, Map<String, Integer> errors, double[] headersMs, double[] firstByteMs,
    int judged, int keptUp, double rateMin, double rateMedian, double burstMedianKb, double gapP99Ms,
    double viewerSeconds, double secondHalfBytesPerSecond, boolean chunked, String timeline) {

  /**
   * Tallies a run's viewers.
   *
   * @param viewers every viewer of the run (not the warm-up viewer)
   * @param liveBytesPerSecond the upstream's live rate
   * @param keepUp the ratio of the live rate a judged viewer must reach in the second half
   * @param markedAt when the client took its mid-run mark ({@link System#nanoTime()}), 0 if never
   * @param stoppedAt when the client stopped reading
   * @param judgeAfter how long before the mark a viewer's first byte must have come to be judged
   * @return the tally
   */
  static ViewerTally of(List<ViewerClient.Viewer> viewers, double liveBytesPerSecond, double keepUp,
      long markedAt, long stoppedAt, long judgeAfter) {
    Map<String, Integer> errors = new TreeMap<>();
    List<Double> headers = new ArrayList<>();
    List<Double> firstBytes = new ArrayList<>();
    List<Double> toRequest = new ArrayList<>();
    List<Double> requestToHead = new ArrayList<>();
    List<Double> gaps = new ArrayList<>();
    List<Double> rates = new ArrayList<>();
    List<Double> bursts = new ArrayList<>();
    int served = 0;
    int keptUp = 0;
    double viewerSeconds = 0;
    boolean chunked = false;
    double secondHalf = (stoppedAt - markedAt) / 1e9;
    double secondHalfBytes = 0;
    long firstConnect = Long.MAX_VALUE;
    long lastConnect = Long.MIN_VALUE;
    long lastFirstByte = Long.MIN_VALUE;
    for (ViewerClient.Viewer viewer : viewers) {
      if (viewer.connectStarted() != 0) {
        firstConnect = Math.min(firstConnect, viewer.connectStarted());
        lastConnect = Math.max(lastConnect, viewer.connectStarted());
      }
      if (viewer.firstByte() != 0) {
        lastFirstByte = Math.max(lastFirstByte, viewer.firstByte());
      }
      addMillis(headers, viewer.timeToHeaders());
      addMillis(firstBytes, viewer.timeToFirstByte());
      addMillis(toRequest, viewer.timeToRequest());
      addMillis(requestToHead, viewer.requestToHeaders());
      chunked |= viewer.chunked();
      if (!viewer.served()) {
        String why = viewer.error() != null ? viewer.error()
            : viewer.status() == 0 ? "no response head within the run"
            : "no body byte within the run";
        errors.merge(why.replaceAll("[0-9]+ body bytes", "N body bytes"), 1, Integer::sum);
        continue;
      }
      served++;
      gaps.add(viewer.maxGap() / 1e6);
      viewerSeconds += (stoppedAt - viewer.firstByte()) / 1e9;
      secondHalfBytes += viewer.bodyAtMark() < 0 ? 0 : viewer.body() - viewer.bodyAtMark();
      if (markedAt != 0 && viewer.bodyAtMark() >= 0 && viewer.firstByte() < markedAt - judgeAfter) {
        double ratio = (viewer.body() - viewer.bodyAtMark()) / (liveBytesPerSecond * secondHalf);
        rates.add(ratio);
        // What the viewer got beyond the live rate before the mark: the backlog the server sent at join.
        bursts.add((viewer.bodyAtMark() - liveBytesPerSecond * (markedAt - viewer.firstByte()) / 1e9) / 1024);
        if (ratio >= keepUp) {
          keptUp++;
        }
      }
    }
    double[] sortedRates = sorted(rates);
    String timeline = Stream.of(LoadReport.latencySplit(sorted(toRequest), sorted(requestToHead)),
            LoadReport.stormSpan(firstConnect, lastConnect, lastFirstByte))
        .filter(part -> !part.isEmpty()).collect(Collectors.joining("; "));
    return new ViewerTally(served, errors, sorted(headers), sorted(firstBytes), sortedRates.length, keptUp,
        sortedRates.length == 0 ? Double.NaN : sortedRates[0], LoadReport.percentile(sortedRates, 50),
        LoadReport.percentile(sorted(bursts), 50), LoadReport.percentile(sorted(gaps), 99), viewerSeconds,
        secondHalf > 0 ? secondHalfBytes / secondHalf : 0, chunked, timeline);
  }

  /** Adds a nanosecond duration in milliseconds, unless it is -1 (never happened). */
  private static void addMillis(List<Double> into, long nanos) {
    if (nanos >= 0) {
      into.add(nanos / 1e6);
    }
  }

  private static double[] sorted(List<Double> values) {
    double[] array = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(array);
    return array;
  }
}

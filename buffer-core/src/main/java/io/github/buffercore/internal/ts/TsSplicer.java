package io.github.buffercore.internal.ts;

import io.github.buffercore.UpstreamException;
import io.github.buffercore.internal.ChunkSink;
import io.github.buffercore.internal.TsPacketAligner;
import java.util.Arrays;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a splice clean: placed between the packet aligner and the ring writer, it passes packets
 * through unchanged until {@link #splice()} says the next packet comes from somewhere else (a
 * reconnect, a backup URL, an HLS discontinuity), and then rewrites the packets after the splice so
 * that viewers' decoders resynchronise instead of erroring:
 *
 * <ol>
 *   <li><b>Tables first.</b> Packets are held back (dropped) until the new source's PAT and PMT are
 *       complete; then both are sent, so a decoder learns the (possibly different) PIDs before any
 *       data. If a table's content changed but kept its {@code version_number}, the version is bumped
 *       (and the CRC recomputed) in the sent copy and in the source's later single-packet sections of
 *       that table, since decoders ignore a table whose version did not change.
 *   <li><b>Whole units only.</b> On each PID, packets before the first {@code payload_unit_start} are
 *       dropped: they continue a PES or section whose start was never sent. On the video PID, data is
 *       dropped up to the first random access point (the indicator, or an H.264 IDR / H.265 IRAP found
 *       by {@link RandomAccessScanner}, for which a PES is held back until its first slice decides), so
 *       the first picture after the splice decodes.
 *   <li><b>Continuity.</b> For the first packet of each PID after the splice:
 *       <ul>
 *         <li>if it has an adaptation field (with its flags byte), its {@code discontinuity_indicator}
 *             is set and its counters are left as they are: the indicator allows the jump;
 *         <li>otherwise its continuity counter, and that of every later packet of the PID until the
 *             next splice, is shifted by a constant so that it continues the sequence sent before the
 *             splice (a constant shift keeps the source's own duplicates and gaps as they were).
 *       </ul>
 *       Inserting an adaptation field where there is none is avoided on purpose: it would push two
 *       payload bytes into the next packet, and so on to the end of the PES. Independently, the first
 *       packet after the splice that carries a PCR on the PCR PID gets the {@code
 *       discontinuity_indicator}, which is what tells a decoder that the timebase jumped; a packet
 *       with a PCR always has an adaptation field, so this needs no insertion either.
 * </ol>
 *
 * <p>Packets are rewritten in place in the caller's array and forwarded in runs; the tables and a held
 * PES are written from preallocated buffers. Nothing is allocated per packet. If the tables or a random
 * access point do not arrive within {@link #MAX_WAIT_PACKETS} packets, the splicer stops waiting and
 * passes packets on (continuity handling still applies). A stream that had no PAT/PMT before the
 * splice is not waited for at all. Not thread-safe: the writer thread only.
 */
public final class TsSplicer implements ChunkSink {

  /** How many packets (about 6 MB) a splice waits for tables or a random access point at most. */
  public static final int MAX_WAIT_PACKETS = 32 * 1024;

  /** How many packets of one video PES are held back while its first slice is looked for. */
  static final int HOLD_PACKETS = 128;

  private static final Logger LOG = LoggerFactory.getLogger(TsSplicer.class);

  private static final int STEADY = 0;
  private static final int AWAIT_TABLES = 1;
  private static final int AWAIT_VIDEO = 2;

  private static final int PACKET = TsPackets.PACKET_SIZE;

  private final String playlistId;
  private final String streamId;
  private final ChunkSink downstream;
  private final ProgramTables tables = new ProgramTables();
  private final RandomAccessScanner scanner = new RandomAccessScanner();

  /** Last continuity counter sent per PID, -1 if none. */
  private final byte[] sentCc = new byte[TsPackets.PID_COUNT];
  /** Shift added to each PID's counters in this epoch. */
  private final byte[] ccShift = new byte[TsPackets.PID_COUNT];
  /** The epoch in which a PID's first packet after the splice was sent. */
  private final int[] settledEpoch = new int[TsPackets.PID_COUNT];
  private int epoch;

  private final byte[] previousPat = new byte[PsiSection.MAX_SECTION];
  private int previousPatLength;
  private final byte[] previousPmt = new byte[PsiSection.MAX_SECTION];
  private int previousPmtLength;
  private int previousPmtPid = -1;
  /** Version rewrites of the current epoch: {@code from << 8 | to}, or -1. */
  private int patVersionRewrite = -1;
  private int pmtVersionRewrite = -1;

  private final byte[] headerBuffer = new byte[2 * PsiSection.packetCount(PsiSection.MAX_SECTION) * PACKET];
  private final byte[] hold = new byte[HOLD_PACKETS * PACKET];
  private int held;

  private int phase = STEADY;
  private int waited;
  private boolean pcrMarkPending;

  private long splices;
  private long droppedPackets;

  /**
   * Creates a splicer in front of {@code downstream}.
   *
   * @param playlistId the playlist, for logs
   * @param streamId the stream, for logs
   * @param downstream where packets go, typically the ring writer
   */
  public TsSplicer(String playlistId, String streamId, ChunkSink downstream) {
    this.playlistId = Objects.requireNonNull(playlistId, "playlistId");
    this.streamId = Objects.requireNonNull(streamId, "streamId");
    this.downstream = Objects.requireNonNull(downstream, "downstream");
    Arrays.fill(sentCc, (byte) -1);
    Arrays.fill(settledEpoch, -1);
  }

  /**
   * Marks a splice: the next packet comes from a new source, or follows a discontinuity of the same
   * one. Call it after resetting the packet aligner, before feeding the first packet of the new source.
   */
  public void splice() {
    if (tables.complete()) {
      previousPatLength = TableVersions.copy(tables.pat(), previousPat);
      previousPmtLength = TableVersions.copy(tables.pmt(), previousPmt);
      previousPmtPid = tables.pmtPid();
    }
    tables.reset();
    epoch++;
    held = 0;
    waited = 0;
    patVersionRewrite = -1;
    pmtVersionRewrite = -1;
    pcrMarkPending = true;
    splices++;
    phase = previousPatLength > 0 ? AWAIT_TABLES : STEADY;
    if (LOG.isDebugEnabled()) { // the argument array would be allocated even with debug off
      LOG.debug("Stream '{}' of playlist '{}': splice #{}; {}", streamId, playlistId, splices,
          phase == AWAIT_TABLES ? "waiting for the new PAT and PMT" : "no PAT/PMT seen before, passing through");
    }
  }

  /**
   * Takes {@code len / 188} aligned packets, rewrites them in place as described in the class comment,
   * and passes them on.
   *
   * @param buf the packets
   * @param off the first packet
   * @param len a positive multiple of 188
   */
  @Override
  public void write(byte[] buf, int off, int len) {
    int runStart = off;
    final int end = off + len;
    for (int o = off; o < end; o += PACKET) {
      if (epoch == 0) {
        // Never spliced: only keep track of the tables and counters, forward everything as is.
        int pid = TsPackets.pid(buf, o);
        tables.feed(buf, o, pid);
        sentCc[pid] = (byte) TsPackets.continuityCounter(buf, o);
        continue;
      }
      int action = process(buf, o);
      if (action != FORWARD) {
        if (o > runStart) {
          downstream.write(buf, runStart, o - runStart);
        }
        runStart = o + PACKET;
        if (action == EMIT_HEADER_THEN_DROP) {
          emitHeader();
        } else if (action == FLUSH_HOLD) {
          flushHold();
        }
      }
    }
    if (end > runStart) {
      downstream.write(buf, runStart, end - runStart);
    }
  }

  private static final int FORWARD = 0;
  private static final int DROP = 1;
  private static final int EMIT_HEADER_THEN_DROP = 2;
  private static final int FLUSH_HOLD = 3;

  private int process(byte[] b, int o) {
    if (!TsPackets.synced(b, o)) {
      return DROP;
    }
    final int pid = TsPackets.pid(b, o);
    if (pid == TsPackets.NULL_PID) {
      return FORWARD;
    }
    final boolean psi = pid == TsPackets.PAT_PID || pid == tables.pmtPid();
    final boolean changed = psi && tables.feed(b, o, pid);
    if (phase == AWAIT_TABLES) {
      if (changed && tables.complete()) {
        phase = tables.videoPid() >= 0 ? AWAIT_VIDEO : STEADY;
        waited = 0;
        droppedPackets++;
        return EMIT_HEADER_THEN_DROP;
      }
      return waitOrGiveUp("PAT and PMT");
    }
    if (phase == AWAIT_VIDEO && pid == tables.videoPid()) {
      return awaitVideo(b, o);
    }
    if (psi) {
      TableVersions.rewrite(b, o, pid == TsPackets.PAT_PID ? patVersionRewrite : pmtVersionRewrite);
    }
    if (phase == AWAIT_VIDEO && waited++ >= MAX_WAIT_PACKETS) {
      giveUp("a video random access point");
    }
    return send(b, o, pid) ? FORWARD : DROP;
  }

  private int waitOrGiveUp(String what) {
    droppedPackets++;
    if (++waited >= MAX_WAIT_PACKETS) {
      giveUp(what);
    }
    return DROP;
  }

  private void giveUp(String what) {
    LOG.warn("Stream '{}' of playlist '{}': no {} within {} packets after splice #{}; passing data on without",
        streamId, playlistId, what, MAX_WAIT_PACKETS, splices);
    phase = STEADY;
    held = 0;
  }

  /** The video PID while waiting for its first random access point. */
  private int awaitVideo(byte[] b, int o) {
    final boolean start = TsPackets.payloadUnitStart(b, o);
    final int payload = TsPackets.payloadOffset(b, o);
    if (held > 0 && (start || payload < 0)) {
      scanner.abandon(); // the PES ended (or broke) undecided: not a random access point
      droppedPackets += held;
      held = 0;
    }
    if (held == 0) {
      if (!start || payload < 0) {
        return waitOrGiveUp("a video random access point");
      }
      if (TsPackets.randomAccessIndicator(b, o)) {
        phase = STEADY;
        return send(b, o, TsPackets.pid(b, o)) ? FORWARD : DROP;
      }
      int type = tables.videoStreamType();
      if (type != ProgramTables.STREAM_TYPE_H264 && type != ProgramTables.STREAM_TYPE_H265) {
        return waitOrGiveUp("a video random access point");
      }
      scanner.start(type);
    }
    if (held == HOLD_PACKETS) {
      droppedPackets += held;
      held = 0;
      scanner.abandon();
      return waitOrGiveUp("a video random access point");
    }
    System.arraycopy(b, o, hold, held * PACKET, PACKET);
    held++;
    int decision = scanner.feed(b, o + payload, o + PACKET);
    if (decision == RandomAccessScanner.RANDOM_ACCESS) {
      phase = STEADY;
      return FLUSH_HOLD;
    }
    if (decision == RandomAccessScanner.NOT_RANDOM_ACCESS) {
      droppedPackets += held;
      held = 0;
      return waitOrGiveUp("a video random access point");
    }
    return DROP; // held, not dropped: the run is cut here and the packet sent later if it qualifies
  }

  private void flushHold() {
    int count = held;
    held = 0;
    int runStart = 0;
    for (int i = 0; i < count; i++) {
      int o = i * PACKET;
      if (!send(hold, o, TsPackets.pid(hold, o))) {
        if (o > runStart) {
          downstream.write(hold, runStart, o - runStart);
        }
        runStart = o + PACKET;
      }
    }
    if (count * PACKET > runStart) {
      downstream.write(hold, runStart, count * PACKET - runStart);
    }
  }

  /**
   * Applies the continuity rules to a packet about to be sent.
   *
   * @return false if it must be dropped (a PID's data before its first unit start)
   */
  private boolean send(byte[] b, int o, int pid) {
    final int cc = TsPackets.continuityCounter(b, o);
    final boolean payload = TsPackets.hasPayload(b, o);
    if (settledEpoch[pid] != epoch) {
      final boolean pcrOnly = !payload && pid == tables.pcrPid();
      if ((payload && !TsPackets.payloadUnitStart(b, o)) || (!payload && !pcrOnly)) {
        droppedPackets++;
        return false;
      }
      settledEpoch[pid] = epoch;
      if (TsPackets.hasAdaptationFlags(b, o)) {
        TsPackets.setDiscontinuityIndicator(b, o);
        ccShift[pid] = 0;
        if (pid == tables.pcrPid()) {
          pcrMarkPending = false;
        }
      } else {
        int previous = sentCc[pid];
        ccShift[pid] = previous < 0 ? 0 : (byte) ((previous + (payload ? 1 : 0) - cc) & 0x0F);
      }
    }
    if (pcrMarkPending && pid == tables.pcrPid() && TsPackets.hasPcr(b, o)) {
      TsPackets.setDiscontinuityIndicator(b, o);
      pcrMarkPending = false;
    }
    int shifted = (cc + ccShift[pid]) & 0x0F;
    if (shifted != cc) {
      TsPackets.setContinuityCounter(b, o, shifted);
    }
    sentCc[pid] = (byte) shifted;
    return true;
  }

  private void emitHeader() {
    final int patPid = TsPackets.PAT_PID;
    final int pmtPid = tables.pmtPid();
    patVersionRewrite = TableVersions.rewriteFor(tables.pat(), previousPat, previousPatLength);
    pmtVersionRewrite = pmtPid == previousPmtPid
        ? TableVersions.rewriteFor(tables.pmt(), previousPmt, previousPmtLength) : -1;
    int patPackets = PsiSection.packetCount(tables.pat().length());
    int pmtPackets = PsiSection.packetCount(tables.pmt().length());
    int patLast = (sentCc[patPid] < 0 ? -1 : sentCc[patPid]) + patPackets;
    int pmtLast = (sentCc[pmtPid] < 0 ? -1 : sentCc[pmtPid]) + pmtPackets;
    int n = tables.writeHeader(headerBuffer, 0, patLast, pmtLast);
    for (int o = 0; o < n; o += PACKET) {
      TableVersions.rewrite(headerBuffer, o,
          TsPackets.pid(headerBuffer, o) == patPid ? patVersionRewrite : pmtVersionRewrite);
    }
    sentCc[patPid] = (byte) (patLast & 0x0F);
    sentCc[pmtPid] = (byte) (pmtLast & 0x0F);
    // The source's own next PAT/PMT packets settle these PIDs: they continue the counters sent here.
    downstream.write(headerBuffer, 0, n);
    if (LOG.isDebugEnabled()) { // the argument array would be allocated even with debug off
      LOG.debug("Stream '{}' of playlist '{}': splice #{} re-sent PAT and PMT (PMT PID {}, video PID {}){}",
          streamId, playlistId, splices, pmtPid, tables.videoPid(),
          patVersionRewrite >= 0 || pmtVersionRewrite >= 0 ? ", table version bumped" : "");
    }
  }

  /**
   * Returns how many splices were marked.
   *
   * @return the count
   */
  public long splices() {
    return splices;
  }

  /**
   * Returns how many packets were dropped after splices (before the tables, before a PID's first unit
   * start, before the first video random access point).
   *
   * @return the count
   */
  public long droppedPackets() {
    return droppedPackets;
  }

  /**
   * Returns whether the splicer is still waiting for the new source's tables or first video random
   * access point.
   *
   * @return {@code true} while waiting
   */
  public boolean waiting() {
    return phase != STEADY;
  }

  /** A new connection starts: passed on (the caller resets the aligner; {@link #splice()} marks the cut). */
  @Override
  public void newConnection() {
    downstream.newConnection();
  }

  @Override
  public void complete() {
    downstream.complete();
  }

  @Override
  public void fail(UpstreamException cause) {
    downstream.fail(cause);
  }
}

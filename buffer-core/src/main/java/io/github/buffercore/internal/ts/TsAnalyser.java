package io.github.buffercore.internal.ts;

import java.util.Arrays;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ring writer's MPEG-TS analyser: fed every packet the writer publishes, in order, with its
 * absolute stream position, it finds the random access points a new viewer can start from.
 *
 * <p>It tracks the PAT and the PMT of the program (sections spanning packets, version changes; see
 * {@link ProgramTables}), finds the video PID and its {@code stream_type}, and reports a packet as a
 * random access point when it starts a video PES ({@code payload_unit_start_indicator}) and either its
 * adaptation field has the {@code random_access_indicator} or, without the indicator, the PES's first
 * access unit holds an H.264 IDR / H.265 IRAP picture ({@link RandomAccessScanner}). That NAL decision
 * may need a few more packets (an SPS, PPS and a long SEI can precede the slice); the point is then
 * reported when decided, still with the position of the packet that started the PES. Points are only
 * reported once both tables are known, since a viewer needs them first.
 *
 * <p>It also keeps a monotonic <em>media clock</em> from the PCR of the program's PCR PID: nanoseconds
 * since the first PCR, advanced by each PCR step (modulo the 33-bit wrap), interpolated between PCRs
 * from the bytes in between, and carried across a timebase discontinuity (indicator set, or a jump
 * backwards or of more than {@link #MAX_PCR_STEP_NANOS}) with the byte-rate estimate instead of the
 * jump. Without PCR the clock is {@link RandomAccessIndex#NO_TIME}.
 *
 * <p>Copies of the current PAT and PMT are kept as ready-to-send packets ({@link #header()}), rebuilt
 * only when a table changes. Per packet nothing is allocated. Writer thread only, except {@link
 * #header()}, which any thread may call.
 */
public final class TsAnalyser {

  /** A PCR step larger than this (10 s) is a timebase discontinuity, not elapsed time. */
  public static final long MAX_PCR_STEP_NANOS = 10_000_000_000L;

  private static final Logger LOG = LoggerFactory.getLogger(TsAnalyser.class);

  /** Told of each random access point, on the writer thread. */
  @FunctionalInterface
  public interface RandomAccessListener {

    /**
     * A random access point was found.
     *
     * @param position the absolute stream position of the packet that starts it
     * @param mediaTimeNanos the media clock at that packet, or {@link RandomAccessIndex#NO_TIME}
     * @param psiContinuity the continuity counters of the last PAT and PMT packets before it, packed as
     *     by {@link #packContinuity}, for {@link #headerWithContinuity}
     * @param header the PAT and PMT packets in force at the point ({@link #header()} then): a viewer
     *     starting there must get these, not the latest ones, if the tables changed since
     */
    void randomAccessPoint(long position, long mediaTimeNanos, int psiContinuity, byte[] header);
  }

  private final String playlistId;
  private final String streamId;
  private final RandomAccessListener listener;
  private final ProgramTables tables = new ProgramTables();
  private final RandomAccessScanner scanner = new RandomAccessScanner();

  private volatile byte[] header; // immutable once published; null until both tables are known

  // The PES being scanned for NAL units.
  private boolean pending;
  private long pendingPosition;
  private long pendingTime;
  private int pendingContinuity;
  private byte[] pendingHeader;
  private int videoCc = -1;
  /** The last video packet with payload, to tell a true duplicate from a counter that only matches. */
  private final byte[] lastVideo = new byte[TsPackets.PACKET_SIZE];

  // Media clock.
  private long lastPcr = -1;
  private long lastPcrPosition;
  private long clockAtLastPcr;
  private double nanosPerByte; // 0 while unknown
  private long lastPosition;

  private long packets;
  private long randomAccessPoints;
  private long pcrDiscontinuities;

  /**
   * Creates an analyser.
   *
   * @param playlistId the playlist, for logs
   * @param streamId the stream, for logs
   * @param listener told of each random access point
   */
  public TsAnalyser(String playlistId, String streamId, RandomAccessListener listener) {
    this.playlistId = Objects.requireNonNull(playlistId, "playlistId");
    this.streamId = Objects.requireNonNull(streamId, "streamId");
    this.listener = Objects.requireNonNull(listener, "listener");
  }

  /**
   * Analyses {@code len / 188} consecutive packets, the first at stream position {@code position}.
   *
   * @param buf the packets
   * @param off the index of the first packet
   * @param len a multiple of 188
   * @param position the absolute stream position of the first packet
   * @throws IllegalArgumentException if {@code len} is not a whole number of packets
   */
  public void packets(byte[] buf, int off, int len, long position) {
    Objects.checkFromIndexSize(off, len, buf.length);
    if (len % TsPackets.PACKET_SIZE != 0) {
      throw new IllegalArgumentException("stream '" + streamId + "' of playlist '" + playlistId
          + "': analyser fed " + len + " bytes, not a whole number of 188-byte packets");
    }
    for (int i = 0; i < len; i += TsPackets.PACKET_SIZE) {
      packet(buf, off + i, position + i);
    }
  }

  /**
   * Analyses one packet.
   *
   * @param b the array holding the packet
   * @param o the index of its sync byte; 188 bytes must follow
   * @param position its absolute stream position
   */
  public void packet(byte[] b, int o, long position) {
    packets++;
    lastPosition = position;
    if (!TsPackets.synced(b, o) || TsPackets.transportError(b, o)) {
      return;
    }
    final int pid = TsPackets.pid(b, o);
    if (pid == tables.pcrPid() && TsPackets.hasPcr(b, o)) {
      onPcr(TsPackets.pcr(b, o), position, TsPackets.discontinuityIndicator(b, o));
    }
    if ((pid == TsPackets.PAT_PID || pid == tables.pmtPid()) && tables.feed(b, o, pid)) {
      onTablesChanged();
    }
    if (pid != tables.videoPid() || !TsPackets.hasPayload(b, o)) {
      return;
    }
    final int cc = TsPackets.continuityCounter(b, o);
    final boolean flagged = TsPackets.discontinuityIndicator(b, o);
    final int payload = TsPackets.payloadOffset(b, o);
    if (cc == videoCc && !flagged && duplicate(b, o, payload)) {
      return; // a duplicate packet, which the standard allows once
    }
    final boolean lost = videoCc >= 0 && cc != ((videoCc + 1) & 0x0F) && !flagged;
    videoCc = cc;
    System.arraycopy(b, o, lastVideo, 0, TsPackets.PACKET_SIZE);
    if (TsPackets.payloadUnitStart(b, o)) {
      if (pending) {
        scanner.abandon();
        pending = false;
      }
      if (!tables.complete() || payload < 0) {
        return;
      }
      final long time = mediaTimeAt(position);
      final int continuity = packContinuity(tables.pat().lastContinuityCounter(),
          tables.pmt().lastContinuityCounter());
      if (TsPackets.randomAccessIndicator(b, o)) {
        report(position, time, continuity, header);
        return;
      }
      final int type = tables.videoStreamType();
      if (type != ProgramTables.STREAM_TYPE_H264 && type != ProgramTables.STREAM_TYPE_H265) {
        return; // other video codecs: the indicator is the only signal used
      }
      scanner.start(type);
      pendingPosition = position;
      pendingTime = time;
      pendingContinuity = continuity;
      pendingHeader = header;
      pending = true;
      scan(b, o + payload, o + TsPackets.PACKET_SIZE);
    } else if (pending) {
      if (lost || payload < 0) {
        scanner.abandon();
        pending = false;
      } else {
        scan(b, o + payload, o + TsPackets.PACKET_SIZE);
      }
    }
  }

  /**
   * Whether the packet repeats the last video packet: same header and payload (a duplicate's PCR may
   * differ, so the adaptation field is not compared). A matching counter alone is not enough: a looped
   * clip whose video packets are a multiple of 16 restarts with the counter it ended on, and skipping
   * that packet would lose the keyframe that starts the loop.
   */
  private boolean duplicate(byte[] b, int o, int payload) {
    final int end = TsPackets.PACKET_SIZE;
    return payload >= 0 && payload == TsPackets.payloadOffset(lastVideo, 0)
        && Arrays.equals(b, o, o + 4, lastVideo, 0, 4)
        && Arrays.equals(b, o + payload, o + end, lastVideo, payload, end);
  }

  private void scan(byte[] b, int from, int to) {
    int decision = scanner.feed(b, from, to);
    if (decision != RandomAccessScanner.UNDECIDED) {
      pending = false;
      if (decision == RandomAccessScanner.RANDOM_ACCESS) {
        report(pendingPosition, pendingTime, pendingContinuity, pendingHeader);
      }
    }
  }

  private void report(long position, long time, int continuity, byte[] tables) {
    randomAccessPoints++;
    listener.randomAccessPoint(position, time, continuity, tables);
  }

  private void onTablesChanged() {
    pending = false;
    videoCc = -1;
    if (!tables.complete()) {
      return;
    }
    // Allocation here is fine: it happens only when a table changes, not per packet.
    byte[] next = new byte[tables.headerLength()];
    tables.writeHeader(next, 0, 0x0F, 0x0F);
    header = next;
    LOG.debug("Stream '{}' of playlist '{}': PAT v{} PMT v{} on PID {}, video PID {} stream_type 0x{}, PCR PID {}",
        streamId, playlistId, tables.pat().version(), tables.pmt().version(), tables.pmtPid(),
        tables.videoPid(), Integer.toHexString(tables.videoStreamType()), tables.pcrPid());
  }

  private void onPcr(long pcr, long position, boolean discontinuity) {
    if (lastPcr >= 0) {
      long bytes = position - lastPcrPosition;
      long step = Math.floorMod(pcr - lastPcr, TsPackets.PCR_MODULUS) * 1000 / 27;
      if (discontinuity || step > MAX_PCR_STEP_NANOS) {
        pcrDiscontinuities++;
        clockAtLastPcr += (long) (bytes * nanosPerByte);
        if (LOG.isDebugEnabled()) { // three arguments would allocate their array even when disabled
          LOG.debug("Stream '{}' of playlist '{}': PCR timebase discontinuity at position {}", streamId,
              playlistId, position);
        }
      } else {
        clockAtLastPcr += step;
        if (bytes > 0 && step > 0) {
          double sample = (double) step / bytes;
          nanosPerByte = nanosPerByte == 0 ? sample : nanosPerByte + (sample - nanosPerByte) / 8;
        }
      }
    }
    lastPcr = pcr;
    lastPcrPosition = position;
  }

  private long mediaTimeAt(long position) {
    if (lastPcr < 0) {
      return RandomAccessIndex.NO_TIME;
    }
    return clockAtLastPcr + (long) ((position - lastPcrPosition) * nanosPerByte);
  }

  /**
   * Returns the media clock at the last packet fed, or {@link RandomAccessIndex#NO_TIME} if the stream
   * carried no PCR yet: the "live" time that join distances are measured from.
   *
   * @return nanoseconds of media time
   */
  public long mediaTimeNanos() {
    return mediaTimeAt(lastPosition);
  }

  /**
   * Returns the current PAT and PMT as packets, ready to send before a joining viewer's first packet,
   * or {@code null} while either is unknown. The array is never modified after it is returned; its
   * continuity counters are arbitrary: send a copy made by {@link #headerWithContinuity}. Any thread.
   *
   * @return the header packets, or {@code null}
   */
  public byte[] header() {
    return header;
  }

  /**
   * Packs the continuity counters of the PAT and PMT PIDs, as passed to the listener.
   *
   * @param patCc the PAT's last counter, or -1 if none
   * @param pmtCc the PMT's last counter, or -1 if none
   * @return the packed value
   */
  public static int packContinuity(int patCc, int pmtCc) {
    return (patCc & 0x0F) | ((pmtCc & 0x0F) << 4);
  }

  /**
   * Returns a copy of {@code header} whose PAT and PMT continuity counters end at the values packed in
   * {@code psiContinuity}, so the stream's next PAT and PMT packets after the random access point
   * continue them without a gap.
   *
   * @param header packets from {@link #header()}
   * @param psiContinuity the value reported with the random access point
   * @return the copy to send
   */
  public static byte[] headerWithContinuity(byte[] header, int psiContinuity) {
    byte[] copy = header.clone();
    int patPackets = 0;
    for (int o = 0; o < copy.length; o += TsPackets.PACKET_SIZE) {
      if (TsPackets.pid(copy, o) == TsPackets.PAT_PID) {
        patPackets++;
      }
    }
    int pmtPackets = copy.length / TsPackets.PACKET_SIZE - patPackets;
    int patCc = (psiContinuity & 0x0F) - patPackets + 1;
    int pmtCc = ((psiContinuity >> 4) & 0x0F) - pmtPackets + 1;
    for (int o = 0; o < copy.length; o += TsPackets.PACKET_SIZE) {
      if (TsPackets.pid(copy, o) == TsPackets.PAT_PID) {
        TsPackets.setContinuityCounter(copy, o, patCc++);
      } else {
        TsPackets.setContinuityCounter(copy, o, pmtCc++);
      }
    }
    return copy;
  }

  /**
   * Returns the video PID, or -1 if the PMT is unknown or lists no H.264, H.265 or MPEG video.
   *
   * @return the PID
   */
  public int videoPid() {
    return tables.videoPid();
  }

  /**
   * Returns the video {@code stream_type} (0x1B H.264, 0x24 H.265, ...), or -1.
   *
   * @return the stream type
   */
  public int videoStreamType() {
    return tables.videoStreamType();
  }

  /**
   * Returns the PCR PID of the program, or -1.
   *
   * @return the PID
   */
  public int pcrPid() {
    return tables.pcrPid();
  }

  /**
   * Returns the PMT's version number, or -1 if unknown.
   *
   * @return the version
   */
  public int pmtVersion() {
    return tables.pmt().version();
  }

  /**
   * Returns whether a PCR has been seen, so that the media clock runs on it.
   *
   * @return {@code true} once a PCR was seen
   */
  public boolean hasPcr() {
    return lastPcr >= 0;
  }

  /**
   * Returns the packets analysed so far.
   *
   * @return the count
   */
  public long packetCount() {
    return packets;
  }

  /**
   * Returns the random access points reported so far.
   *
   * @return the count
   */
  public long randomAccessPointCount() {
    return randomAccessPoints;
  }

  /**
   * Returns how many PCR timebase discontinuities were passed.
   *
   * @return the count
   */
  public long pcrDiscontinuities() {
    return pcrDiscontinuities;
  }
}

package io.github.buffercore.internal;

import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The writer's MPEG-TS framer: takes the upstream's bytes in arbitrary chunks and passes on only whole
 * 188-byte packets that start with the sync byte {@code 0x47}, so that a {@link BroadcastRing} in
 * MPEG-TS mode only ever holds whole packets.
 *
 * <p>While synchronised, each packet only needs its own sync byte. Before the first packet and after
 * sync is lost (a packet boundary without {@code 0x47}), bytes are dropped until a {@code 0x47} that is
 * followed by another {@code 0x47} exactly 188 bytes later; if fewer bytes are available yet, the
 * candidate is kept until the next chunk decides it. This double check avoids locking onto a stray
 * {@code 0x47} inside payload or an HTML error page. Because a synchronised aligner checks only each
 * packet's own first byte (no look-ahead, so no added latency and no held-back last packet), the one
 * packet that straddles a sync loss is passed on damaged but whole; the missing sync byte after it is
 * what detects the loss.
 *
 * <p>Runs of consecutive whole packets inside one chunk are passed to the sink in one call, straight
 * from the caller's array; only a packet that straddles two chunks is assembled in a fixed carry buffer.
 * Nothing is allocated per chunk. Not thread-safe: use it from the stream's writer thread only.
 */
public final class TsPacketAligner {

  /** The size of an MPEG-TS packet in bytes. */
  public static final int PACKET_SIZE = 188;

  /** The byte every MPEG-TS packet starts with. */
  public static final byte SYNC_BYTE = 0x47;

  private static final Logger LOG = LoggerFactory.getLogger(TsPacketAligner.class);

  private final String playlistId;
  private final String streamId;
  private final ChunkSink sink;

  /**
   * Bytes carried over between chunks. Always starts with a sync byte. While synchronised it holds
   * less than one packet; while searching, a candidate of up to one packet plus the confirming byte.
   */
  private final byte[] carry = new byte[PACKET_SIZE + 1];

  private int carryLength;
  private boolean synchronised;
  private long droppedBytes;
  private long droppedSinceSync;
  private long packets;
  private long syncLosses;

  /**
   * Creates an aligner that feeds {@code sink}.
   *
   * @param playlistId the playlist, for logs
   * @param streamId the stream, for logs
   * @param sink where whole packets go ({@link ChunkSink#write} gets a positive multiple of 188 bytes,
   *     each packet starting with {@code 0x47}), typically the stream's {@link BroadcastRing}
   */
  public TsPacketAligner(String playlistId, String streamId, ChunkSink sink) {
    this.playlistId = Objects.requireNonNull(playlistId, "playlistId");
    this.streamId = Objects.requireNonNull(streamId, "streamId");
    this.sink = Objects.requireNonNull(sink, "sink");
  }

  /**
   * Feeds the next chunk of upstream bytes; whole packets are passed to the sink before this returns,
   * an incomplete trailing packet is kept for the next chunk.
   *
   * @param src the bytes
   * @param off the first index in {@code src}
   * @param len the number of bytes (any, including 0)
   * @throws IndexOutOfBoundsException if {@code off} and {@code len} do not fit {@code src}
   */
  public void feed(byte[] src, int off, int len) {
    Objects.checkFromIndexSize(off, len, src.length);
    final int end = off + len;
    int pos = off;

    // First complete (or decide) whatever was carried over from the previous chunk.
    while (carryLength > 0 && pos < end) {
      final int wanted = synchronised ? PACKET_SIZE : PACKET_SIZE + 1;
      final int n = Math.min(wanted - carryLength, end - pos);
      System.arraycopy(src, pos, carry, carryLength, n);
      carryLength += n;
      pos += n;
      if (carryLength == wanted) {
        resolveCarry();
      }
    }

    // Then work straight on the caller's array; the carry is empty here unless pos == end.
    while (pos < end) {
      if (synchronised) {
        final int runStart = pos;
        while (end - pos >= PACKET_SIZE && src[pos] == SYNC_BYTE) {
          pos += PACKET_SIZE;
        }
        if (pos > runStart) {
          emit(src, runStart, pos - runStart);
        }
        if (pos == end) {
          return;
        }
        if (src[pos] != SYNC_BYTE) {
          loseSync();
          continue;
        }
        stash(src, pos, end - pos); // a partial packet that starts with a sync byte
        return;
      }
      final int candidate = indexOfSync(src, pos, end);
      drop(candidate - pos);
      pos = candidate;
      if (pos == end) {
        return;
      }
      if (end - pos > PACKET_SIZE) {
        if (src[pos + PACKET_SIZE] == SYNC_BYTE) {
          acquireSync();
        } else {
          drop(1);
          pos++;
        }
      } else {
        stash(src, pos, end - pos); // not enough bytes to confirm the candidate yet
        return;
      }
    }
  }

  /** Handles a full carry: a whole packet when synchronised, a candidate plus one byte otherwise. */
  private void resolveCarry() {
    if (synchronised) {
      emit(carry, 0, PACKET_SIZE);
      carryLength = 0;
      return;
    }
    if (carry[PACKET_SIZE] == SYNC_BYTE) {
      acquireSync();
      emit(carry, 0, PACKET_SIZE);
      carry[0] = SYNC_BYTE; // the confirming byte starts the next packet
      carryLength = 1;
      return;
    }
    // Candidate rejected: drop it and look for the next candidate inside the carry.
    final int next = indexOfSync(carry, 1, carryLength);
    drop(next);
    System.arraycopy(carry, next, carry, 0, carryLength - next);
    carryLength -= next;
  }

  private void stash(byte[] src, int pos, int len) {
    System.arraycopy(src, pos, carry, 0, len);
    carryLength = len;
  }

  private void emit(byte[] buf, int off, int len) {
    packets += len / PACKET_SIZE;
    sink.write(buf, off, len);
  }

  private void drop(int count) {
    droppedBytes += count;
    droppedSinceSync += count;
  }

  private void loseSync() {
    synchronised = false;
    syncLosses++;
    LOG.debug("Stream '{}' of playlist '{}' lost MPEG-TS sync after {} packets; re-synchronising", streamId,
        playlistId, packets);
  }

  private void acquireSync() {
    synchronised = true;
    if (droppedSinceSync > 0) {
      LOG.debug("Stream '{}' of playlist '{}' synchronised on MPEG-TS packets after dropping {} bytes", streamId,
          playlistId, droppedSinceSync);
    }
    droppedSinceSync = 0;
  }

  private static int indexOfSync(byte[] buf, int from, int end) {
    for (int i = from; i < end; i++) {
      if (buf[i] == SYNC_BYTE) {
        return i;
      }
    }
    return end;
  }

  /**
   * Forgets the carried-over bytes (counting them as dropped) and requires a new double-checked sync,
   * for example after the upstream reconnected mid-packet.
   */
  public void reset() {
    drop(carryLength);
    carryLength = 0;
    synchronised = false;
  }

  /**
   * Returns the number of bytes dropped so far while searching for sync (and by {@link #reset()}).
   *
   * @return the dropped bytes
   */
  public long droppedBytes() {
    return droppedBytes;
  }

  /**
   * Returns the number of whole packets passed to the sink so far.
   *
   * @return the packet count
   */
  public long packets() {
    return packets;
  }

  /**
   * Returns how many times sync was lost after having been acquired.
   *
   * @return the number of sync losses
   */
  public long syncLosses() {
    return syncLosses;
  }

  /**
   * Returns the number of bytes held back until the next chunk (an incomplete or unconfirmed packet).
   *
   * @return the carried-over bytes
   */
  public int pendingBytes() {
    return carryLength;
  }

  /**
   * Returns whether the aligner is currently synchronised on packet boundaries.
   *
   * @return {@code true} while synchronised
   */
  public boolean isSynchronised() {
    return synchronised;
  }
}

package io.github.buffercore.examples.netty;

import io.netty.buffer.ByteBuf;

/**
 * An HTTP/1.1 chunk framed in the pooled buffer its payload was polled into: the size line is written
 * into room left before the payload and the closing CRLF after it, so one buffer is the whole chunk.
 * The pump writes it past {@code HttpServerCodec}'s encoder, which would otherwise frame each payload
 * with a size-line buffer of its own, a shared CRLF, a promise combiner and three outbound entries
 * (the encoder had sent the head, so the encoder's own state is unaffected by what bypasses it).
 */
final class ChunkFrame {

  /** Room before the payload: up to four hex digits and CRLF. */
  static final int SIZE_LINE_ROOM = 6;
  /** The largest payload a frame holds: four hex digits. */
  static final int MAX_PAYLOAD = 0xFFFF;

  private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

  private ChunkFrame() { }

  /**
   * The capacity of a buffer for a payload of up to {@code payload} bytes and its framing.
   *
   * @param payload the largest payload, at most {@link #MAX_PAYLOAD}
   * @return the buffer's capacity
   */
  static int capacity(int payload) {
    if (payload < 1 || payload > MAX_PAYLOAD) {
      throw new IllegalArgumentException("a chunk's payload must be 1.." + MAX_PAYLOAD + " bytes, was " + payload);
    }
    return SIZE_LINE_ROOM + payload + 2;
  }

  /**
   * Frames the {@code length} payload bytes at {@link #SIZE_LINE_ROOM} as one chunk ({@code size CRLF
   * payload CRLF}) and sets the buffer's indexes to exactly that chunk.
   *
   * @param buffer a buffer of at least {@code capacity(length)} bytes with the payload in place
   * @param length the payload's length, 1 to {@link #MAX_PAYLOAD}
   * @return {@code buffer}
   */
  static ByteBuf frame(ByteBuf buffer, int length) {
    if (length < 1 || length > MAX_PAYLOAD) {
      throw new IllegalArgumentException("a chunk's payload must be 1.." + MAX_PAYLOAD + " bytes, was " + length);
    }
    int start = SIZE_LINE_ROOM - 2;
    buffer.setByte(start, '\r');
    buffer.setByte(start + 1, '\n');
    for (int rest = length; rest != 0; rest >>>= 4) {
      buffer.setByte(--start, HEX[rest & 0xF]);
    }
    buffer.setIndex(start, SIZE_LINE_ROOM + length);
    return buffer.writeByte('\r').writeByte('\n');
  }

  /**
   * Sets the buffer's indexes to the bare payload at {@link #SIZE_LINE_ROOM}: the body of a response
   * that is not chunked (an HTTP/1.0 client's, delimited by the connection's close).
   *
   * @param buffer a buffer with the payload in place
   * @param length the payload's length
   * @return {@code buffer}
   */
  static ByteBuf bare(ByteBuf buffer, int length) {
    return buffer.setIndex(SIZE_LINE_ROOM, SIZE_LINE_ROOM + length);
  }
}

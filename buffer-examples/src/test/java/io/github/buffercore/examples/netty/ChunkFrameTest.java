package io.github.buffercore.examples.netty;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The pump's self-framed chunks, read back by Netty's own HTTP decoder. */
class ChunkFrameTest {

  private static ByteBuf payloadInPlace(byte[] payload) {
    ByteBuf buffer = Unpooled.buffer(ChunkFrame.capacity(Math.max(payload.length, 1)));
    buffer.setBytes(ChunkFrame.SIZE_LINE_ROOM, payload);
    return buffer;
  }

  @Test
  void aFrameIsTheSizeInHexThePayloadAndCrlfs() {
    ByteBuf one = ChunkFrame.frame(payloadInPlace(new byte[] {'x'}), 1);
    assertThat(one.toString(StandardCharsets.US_ASCII)).isEqualTo("1\r\nx\r\n");
    ByteBuf sixteen = ChunkFrame.frame(payloadInPlace("0123456789abcdef".getBytes(StandardCharsets.US_ASCII)), 16);
    assertThat(sixteen.toString(StandardCharsets.US_ASCII)).isEqualTo("10\r\n0123456789abcdef\r\n");
    ByteBuf largest = ChunkFrame.frame(payloadInPlace(new byte[ChunkFrame.MAX_PAYLOAD]), ChunkFrame.MAX_PAYLOAD);
    assertThat(largest.readableBytes()).isEqualTo(4 + 2 + ChunkFrame.MAX_PAYLOAD + 2);
    assertThat(largest.toString(largest.readerIndex(), 6, StandardCharsets.US_ASCII)).isEqualTo("ffff\r\n");
    ByteBuf bare = ChunkFrame.bare(payloadInPlace(new byte[] {'a', 'b'}), 2);
    assertThat(bare.toString(StandardCharsets.US_ASCII)).isEqualTo("ab");
  }

  @Test
  void payloadsOutsideFourHexDigitsAreRefused() {
    assertThatThrownBy(() -> ChunkFrame.capacity(ChunkFrame.MAX_PAYLOAD + 1))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65536");
    assertThatThrownBy(() -> ChunkFrame.frame(Unpooled.buffer(16), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was 0");
    assertThat(ChunkFrame.capacity(StreamPump.CHUNK)).isEqualTo(6 + StreamPump.CHUNK + 2);
  }

  @Test
  void nettysDecoderReadsBackEveryPayload() {
    SplittableRandom random = new SplittableRandom(18);
    EmbeddedChannel client = new EmbeddedChannel(new HttpResponseDecoder());
    client.writeInbound(Unpooled.copiedBuffer(
        "HTTP/1.1 200 OK\r\nContent-Type: video/mp2t\r\nTransfer-Encoding: chunked\r\n\r\n",
        StandardCharsets.US_ASCII));
    ByteArrayOutputStream sent = new ByteArrayOutputStream();
    for (int i = 0; i < 40; i++) {
      int length = i == 0 ? ChunkFrame.MAX_PAYLOAD : 1 + random.nextInt(i % 2 == 0 ? 20 : StreamPump.CHUNK);
      byte[] payload = new byte[length];
      random.nextBytes(payload);
      sent.writeBytes(payload);
      client.writeInbound(ChunkFrame.frame(payloadInPlace(payload), length));
    }
    client.writeInbound(Unpooled.copiedBuffer("0\r\n\r\n", StandardCharsets.US_ASCII));

    assertThat((Object) client.readInbound()).isInstanceOf(HttpResponse.class);
    ByteArrayOutputStream received = new ByteArrayOutputStream();
    boolean last = false;
    for (Object message = client.readInbound(); message != null; message = client.readInbound()) {
      HttpContent content = (HttpContent) message;
      assertThat(content.decoderResult().isSuccess()).as("decoded without error").isTrue();
      byte[] bytes = new byte[content.content().readableBytes()];
      content.content().readBytes(bytes);
      received.writeBytes(bytes);
      last |= content instanceof LastHttpContent;
      content.release();
    }
    assertThat(last).as("the terminating chunk was read as the end").isTrue();
    assertThat(received.toByteArray()).isEqualTo(sent.toByteArray());
    client.finishAndReleaseAll();
  }
}

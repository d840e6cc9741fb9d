package io.github.buffercore.internal.hls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.buffercore.HlsPlaylistException;
import io.github.buffercore.HlsVariant;
import io.github.buffercore.HlsVariantSelector;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The RFC 8216 tag parser against real playlists: ffmpeg 5.1's live HLS output (clear, AES-128 and
 * fMP4, captured from {@code ffmpeg -f hls}), the examples of RFC 8216 section 8, and the shape of
 * an IPTV provider's master playlist.
 */
class PlaylistParserTest {

  private static final URI BASE = URI.create("http://cdn.example/live/ch1/index.m3u8");
  private final PlaylistParser parser = new PlaylistParser("pl", "st");

  private MediaPlaylist media(String text) throws HlsPlaylistException {
    return (MediaPlaylist) parser.parse(text, BASE);
  }

  @Test
  void ffmpegLiveAes128Playlist() throws Exception {
    MediaPlaylist p = media("""
        #EXTM3U
        #EXT-X-VERSION:3
        #EXT-X-TARGETDURATION:1
        #EXT-X-MEDIA-SEQUENCE:1
        #EXT-X-KEY:METHOD=AES-128,URI="http://x/k.key",IV=0x00000000000000000000000000000000
        #EXTINF:1.000000,
        enc1.ts
        #EXTINF:1.000000,
        enc2.ts
        #EXTINF:0.760000,
        enc5.ts
        #EXT-X-ENDLIST
        """);
    assertThat(p.targetDurationSeconds()).isEqualTo(1);
    assertThat(p.mediaSequence()).isEqualTo(1);
    assertThat(p.endList()).isTrue();
    assertThat(p.unsupported()).isNull();
    assertThat(p.segments()).extracting(MediaSegment::sequence).containsExactly(1L, 2L, 3L);
    assertThat(p.segments()).extracting(MediaSegment::uri).containsExactly(
        URI.create("http://cdn.example/live/ch1/enc1.ts"),
        URI.create("http://cdn.example/live/ch1/enc2.ts"),
        URI.create("http://cdn.example/live/ch1/enc5.ts"));
    assertThat(p.segments().get(2).durationSeconds()).isEqualTo(0.76);
    SegmentKey key = p.segments().get(0).key();
    assertThat(key.uri()).isEqualTo(URI.create("http://x/k.key"));
    assertThat(key.ivFor(2)).containsExactly(new byte[16]); // the explicit IV, not the sequence
    assertThat(p.segment(3)).isSameAs(p.segments().get(2));
    assertThat(p.segment(0)).isNull();
    assertThat(p.segment(4)).isNull();
    assertThat(p.lastSequence()).isEqualTo(3);
  }

  @Test
  void ffmpegFmp4PlaylistIsMarkedUnsupported() throws Exception {
    MediaPlaylist p = media("""
        #EXTM3U
        #EXT-X-VERSION:7
        #EXT-X-TARGETDURATION:1
        #EXT-X-MEDIA-SEQUENCE:0
        #EXT-X-MAP:URI="init.mp4"
        #EXTINF:1.000000,
        f0.m4s
        """);
    assertThat(p.unsupported()).contains("fMP4").contains("EXT-X-MAP").contains("line 5");
  }

  @Test
  void rfc8216EncryptedExampleWithKeyRotationAndSequenceIv() throws Exception {
    MediaPlaylist p = media("""
        #EXTM3U
        #EXT-X-VERSION:3
        #EXT-X-MEDIA-SEQUENCE:7794
        #EXT-X-TARGETDURATION:15

        #EXT-X-KEY:METHOD=AES-128,URI="https://priv.example.com/key.php?r=52"

        #EXTINF:2.833,
        http://media.example.com/fileSequence52-A.ts
        #EXTINF:15.0,
        http://media.example.com/fileSequence52-B.ts

        #EXT-X-KEY:METHOD=AES-128,URI="https://priv.example.com/key.php?r=53"

        #EXTINF:15.0,
        http://media.example.com/fileSequence53-A.ts
        """);
    assertThat(p.endList()).isFalse();
    assertThat(p.segments()).extracting(s -> s.key().uri().toString()).containsExactly(
        "https://priv.example.com/key.php?r=52", "https://priv.example.com/key.php?r=52",
        "https://priv.example.com/key.php?r=53");
    byte[] iv = p.segments().get(2).key().ivFor(p.segments().get(2).sequence());
    // 7796 = 0x1E74, big-endian in the last bytes of 16.
    assertThat(iv).hasSize(16);
    assertThat(iv[14]).isEqualTo((byte) 0x1E);
    assertThat(iv[15]).isEqualTo((byte) 0x74);
    assertThat(iv[0]).isZero();
  }

  @Test
  void discontinuityAndMethodNoneApplyToTheRightSegments() throws Exception {
    MediaPlaylist p = media("""
        #EXTM3U
        #EXT-X-TARGETDURATION:10
        #EXT-X-MEDIA-SEQUENCE:100
        #EXT-X-KEY:METHOD=AES-128,URI="k1",IV=0x1
        #EXTINF:10,title, with comma
        a.ts
        #EXT-X-DISCONTINUITY
        #EXT-X-KEY:METHOD=NONE
        #EXT-X-PROGRAM-DATE-TIME:2026-11-30T10:00:00Z
        #EXTINF:10,
        /ad/b.ts
        #EXTINF:10,
        https://other.example/c.ts?token=a%20b
        """);
    assertThat(p.segments()).extracting(MediaSegment::discontinuity)
        .containsExactly(false, true, false);
    assertThat(p.segments().get(0).key().ivFor(100)[15]).isEqualTo((byte) 1);
    assertThat(p.segments().get(1).key()).isNull();
    assertThat(p.segments().get(1).uri()).isEqualTo(URI.create("http://cdn.example/ad/b.ts"));
    assertThat(p.segments().get(2).uri().toString()).isEqualTo("https://other.example/c.ts?token=a%20b");
  }

  @Test
  void sampleAesAndDrmKeyFormatsAreMarkedUnsupportedButAnIdentityKeyBesideADrmOneIsNot()
      throws Exception {
    assertThat(media("""
        #EXTM3U
        #EXT-X-TARGETDURATION:6
        #EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://key"
        #EXTINF:6,
        a.ts
        """).unsupported()).contains("SAMPLE-AES");
    assertThat(media("""
        #EXTM3U
        #EXT-X-TARGETDURATION:6
        #EXT-X-KEY:METHOD=SAMPLE-AES-CTR,KEYFORMAT="urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed",URI="data:x"
        #EXTINF:6,
        a.ts
        """).unsupported()).contains("DRM key format");
    MediaPlaylist both = media("""
        #EXTM3U
        #EXT-X-TARGETDURATION:6
        #EXT-X-KEY:METHOD=SAMPLE-AES,KEYFORMAT="com.apple.streamingkeydelivery",URI="skd://k"
        #EXT-X-KEY:METHOD=AES-128,URI="clear.key"
        #EXTINF:6,
        a.ts
        """);
    assertThat(both.unsupported()).isNull();
    assertThat(both.segments().get(0).key().uri().toString()).endsWith("/live/ch1/clear.key");
    assertThat(media("""
        #EXTM3U
        #EXT-X-TARGETDURATION:6
        #EXT-X-BYTERANGE:1000@0
        #EXTINF:6,
        a.ts
        """).unsupported()).contains("EXT-X-BYTERANGE");
  }

  @Test
  void iptvStyleMasterPlaylistWithQuotedCommasAndRelativeUris() throws Exception {
    String text = "\uFEFF#EXTM3U\r\n"
        + "#EXT-X-VERSION:3\r\n"
        + "#EXT-X-INDEPENDENT-SEGMENTS\r\n"
        + "#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"aac\",NAME=\"English\",DEFAULT=YES,URI=\"a/en.m3u8\"\r\n"
        + "#EXT-X-STREAM-INF:BANDWIDTH=2149280,AVERAGE-BANDWIDTH=1800000,CODECS=\"avc1.64001f,mp4a.40.2\","
        + "RESOLUTION=1280x720,FRAME-RATE=25.000,AUDIO=\"aac\"\r\n"
        + "720p/index.m3u8\r\n"
        + "#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=100000,URI=\"iframe.m3u8\"\r\n"
        + "#EXT-X-STREAM-INF:BANDWIDTH=6221600,CODECS=\"avc1.640028,mp4a.40.2\",RESOLUTION=1920x1080\r\n"
        + "1080p/index.m3u8?token=abc\r\n"
        + "#EXT-X-STREAM-INF:BANDWIDTH=836280,RESOLUTION=640x360\r\n"
        + "/abs/360p.m3u8\r\n";
    MultivariantPlaylist m = (MultivariantPlaylist) parser.parse(text, BASE);
    assertThat(m.variants()).hasSize(3);
    HlsVariant v720 = m.variants().get(0);
    assertThat(v720.uri()).isEqualTo(URI.create("http://cdn.example/live/ch1/720p/index.m3u8"));
    assertThat(v720.bandwidth()).isEqualTo(2149280);
    assertThat(v720.averageBandwidth()).isEqualTo(1800000);
    assertThat(v720.codecs()).isEqualTo("avc1.64001f,mp4a.40.2");
    assertThat(v720.width()).isEqualTo(1280);
    assertThat(v720.height()).isEqualTo(720);
    assertThat(v720.frameRate()).isEqualTo(25.0);
    assertThat(m.variants().get(1).uri().toString())
        .isEqualTo("http://cdn.example/live/ch1/1080p/index.m3u8?token=abc");
    assertThat(m.variants().get(2).uri().toString()).isEqualTo("http://cdn.example/abs/360p.m3u8");

    List<HlsVariant> vs = m.variants();
    assertThat(HlsVariantSelector.highestBandwidth().select(vs).height()).isEqualTo(1080);
    assertThat(HlsVariantSelector.bandwidthAtMost(3_000_000).select(vs).height()).isEqualTo(720);
    assertThat(HlsVariantSelector.bandwidthAtMost(100_000).select(vs).height()).isEqualTo(360);
    assertThat(HlsVariantSelector.matching(v -> v.height() <= 360).select(vs).height())
        .isEqualTo(360);
    assertThat(HlsVariantSelector.matching(v -> v.height() > 2000).select(vs)).isNull();
  }

  @Test
  void rfc8216MasterExampleAndEqualBandwidthsPickTheFirst() throws Exception {
    MultivariantPlaylist m = (MultivariantPlaylist) parser.parse("""
        #EXTM3U
        #EXT-X-STREAM-INF:BANDWIDTH=1280000,AVERAGE-BANDWIDTH=1000000
        http://example.com/low.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=7680000,AVERAGE-BANDWIDTH=6000000
        http://example.com/hi.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=7680000
        http://example.com/hi-copy.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=65000,CODECS="mp4a.40.5"
        http://example.com/audio-only.m3u8
        """, BASE);
    assertThat(HlsVariantSelector.highestBandwidth().select(m.variants()).uri().toString())
        .isEqualTo("http://example.com/hi.m3u8");
  }

  @Test
  void malformedPlaylistsAreRejectedNamingTheUrlAndLine() {
    assertThatThrownBy(() -> parser.parse("<html>Not found</html>", BASE))
        .isInstanceOf(HlsPlaylistException.class)
        .hasMessageContaining(BASE.toString()).hasMessageContaining("'st'")
        .hasMessageContaining("'pl'").hasMessageContaining("#EXTM3U");
    assertThatThrownBy(() -> parser.parse("", BASE)).hasMessageContaining("#EXTM3U");
    assertThatThrownBy(() -> media("#EXTM3U\n#EXTINF:1,\na.ts\n"))
        .hasMessageContaining("EXT-X-TARGETDURATION");
    assertThatThrownBy(() -> media("#EXTM3U\n#EXT-X-TARGETDURATION:x\n"))
        .hasMessageContaining("line 2").hasMessageContaining("EXT-X-TARGETDURATION");
    assertThatThrownBy(() -> media("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:abc,\na.ts\n"))
        .hasMessageContaining("line 3").hasMessageContaining("EXTINF");
    assertThatThrownBy(() -> media("#EXTM3U\n#EXT-X-TARGETDURATION:2\na.ts\n"))
        .hasMessageContaining("line 3").hasMessageContaining("neither after EXTINF");
    assertThatThrownBy(() -> media("#EXTM3U\n#EXT-X-TARGETDURATION:2\n"
        + "#EXT-X-KEY:METHOD=AES-128,URI=\"k\n#EXTINF:1,\na.ts\n"))
        .hasMessageContaining("line 3").hasMessageContaining("unterminated");
    assertThatThrownBy(() -> media("#EXTM3U\n#EXT-X-TARGETDURATION:2\n"
        + "#EXT-X-KEY:METHOD=AES-128\n#EXTINF:1,\na.ts\n"))
        .hasMessageContaining("without URI");
    assertThatThrownBy(() -> media("#EXTM3U\n#EXT-X-TARGETDURATION:2\n"
        + "#EXT-X-KEY:METHOD=AES-128,URI=\"k\",IV=0xZZ\n#EXTINF:1,\na.ts\n"))
        .hasMessageContaining("IV");
    assertThatThrownBy(() -> parser.parse("#EXTM3U\n#EXT-X-STREAM-INF:RESOLUTION=1x1\nv.m3u8\n",
        BASE)).hasMessageContaining("line 2").hasMessageContaining("BANDWIDTH");
    assertThatThrownBy(() -> parser.parse("#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n", BASE))
        .hasMessageContaining("without a URI");
    assertThatThrownBy(() -> parser.parse("#EXTM3U\n#EXT-X-TARGETDURATION:2\n"
        + "#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n#EXTINF:1,\na.ts\n", BASE))
        .hasMessageContaining("both");
  }
}

package io.github.buffercore.examples;

import io.github.buffercore.InProcessUpstreamSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Properties;

/**
 * The embedded default: a {@code demo} channel whose upstream lives inside the process and plays a
 * small MPEG-TS clip (shipped as a resource) in a loop at its real bitrate, so the example runs with
 * no configuration and no network.
 */
public final class DemoChannel {

  /** The demo's playlist id. */
  public static final String PLAYLIST = "demo";
  /** The demo's channel id. */
  public static final String CHANNEL = "demo";
  /** Tuners of the demo playlist. */
  public static final int TUNERS = 2;

  private DemoChannel() { }

  /** The clip's bytes. */
  public static byte[] clip() {
    try (InputStream in = DemoChannel.class.getResourceAsStream("/demo/demo.ts")) {
      if (in == null) {
        throw new IllegalStateException("The demo clip /demo/demo.ts is missing from the class path");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException("Could not read the demo clip", e);
    }
  }

  /** The clip's real bitrate in bytes per second. */
  public static long bytesPerSecond(byte[] clip) {
    Properties properties = new Properties();
    try (InputStream in = DemoChannel.class.getResourceAsStream("/demo/demo.properties")) {
      properties.load(in);
    } catch (IOException | NullPointerException e) {
      throw new IllegalStateException("Could not read /demo/demo.properties", e);
    }
    long millis = Long.parseLong(properties.getProperty("durationMillis"));
    return clip.length * 1000L / millis;
  }

  /** The channel map of the demo. */
  public static ChannelMap channels() {
    return ChannelMap.single(PLAYLIST, TUNERS, CHANNEL, URI.create("inprocess:demo"));
  }

  /** An upstream that loops the clip at its real bitrate. */
  public static InProcessUpstreamSource source() {
    byte[] clip = clip();
    return InProcessUpstreamSource.looping(clip).bytesPerSecond(bytesPerSecond(clip)).build();
  }
}

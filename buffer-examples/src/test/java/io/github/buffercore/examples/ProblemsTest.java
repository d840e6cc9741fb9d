package io.github.buffercore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.buffercore.TunerPoolUnavailableException;
import io.github.buffercore.UpstreamException;
import io.github.buffercore.UpstreamStatusException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import org.junit.jupiter.api.Test;

/** The failure mapping shared by every stack; the kit checks it end to end against the real library. */
class ProblemsTest {

  static UpstreamException failure(Throwable cause) {
    return new UpstreamException("p1", "ch1", "all 1 URL(s) failed", cause);
  }

  @Test
  void statusRefusalAndTimeoutMapTo502And504() {
    assertThat(Problems.upstreamStatus(failure(new UpstreamStatusException(404, URI.create("http://u/x")))))
        .isEqualTo(502);
    assertThat(Problems.upstreamStatus(failure(new ConnectException("refused")))).isEqualTo(502);
    assertThat(Problems.upstreamStatus(failure(new HttpConnectTimeoutException("connect")))).isEqualTo(504);
    assertThat(Problems.upstreamStatus(failure(new IOException("wrapped", new SocketTimeoutException("read")))))
        .isEqualTo(504);
    assertThat(Problems.upstreamStatus(failure(null))).isEqualTo(502);
  }

  @Test
  void anUnavailableTunerPoolIsABusyTuner() {
    ProxyApp.TextOutcome problem = Problems.busy(
        new TunerPoolUnavailableException("p1", "ch1", new IOException("store unreachable")), "cannot count");

    assertThat(problem.status()).isEqualTo(503);
    assertThat(problem.headers()).containsEntry("Retry-After", "10");
    assertThat(problem.body()).contains("\"playlist\":\"p1\"", "\"channel\":\"ch1\"")
        .doesNotContain("Exception", "unreachable");
  }

  @Test
  void aProblemBodyIsOneLineOfJsonWithEscapedAndCutIds() {
    String id = "a\"b\\c\u0001" + "x".repeat(100);

    ProxyApp.TextOutcome problem = Problems.unknownChannel(id);

    assertThat(problem.status()).isEqualTo(404);
    assertThat(problem.contentType()).isEqualTo("application/problem+json");
    assertThat(problem.body()).hasLineCount(1).contains("a\\\"b\\\\c?x", "\u2026")
        .doesNotContain("x".repeat(Problems.MAX_ID_LENGTH));
  }

  @Test
  void anIdIsNeverCutInsideASurrogatePair() {
    String id = "x".repeat(Problems.MAX_ID_LENGTH - 1) + "\uD83D\uDCFA" + "tail";

    assertThat(Problems.cut(id)).isEqualTo("x".repeat(Problems.MAX_ID_LENGTH - 1) + "\u2026");
  }

  @Test
  void pathsDecodeAsStrictUtf8() {
    assertThat(ProxyApp.decodeUtf8("caf%C3%A9")).isEqualTo("café");
    assertThat(ProxyApp.decodeUtf8("caf\u00c3\u00a9")).isEqualTo("café"); // raw bytes as ISO-8859-1 chars
    assertThat(ProxyApp.decodeUtf8("a+b")).isEqualTo("a+b");
    assertThat(ProxyApp.decodeUtf8("%C3%28")).isNull();
    assertThat(ProxyApp.decodeUtf8("%4")).isNull();
    assertThat(ProxyApp.decodeUtf8("%zz")).isNull();
  }
}

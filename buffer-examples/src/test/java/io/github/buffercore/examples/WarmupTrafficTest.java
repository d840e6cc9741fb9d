package io.github.buffercore.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The JIT warm-up's loopback traffic: the request heads it sends and its kept-alive page requests. */
class WarmupTrafficTest {

  /**
   * Real players send {@code Host: host:port} to a proxy on any port but 80: the warm-up's stream
   * requests carry every head of {@link WarmupTraffic#REQUEST_HEADERS} with a port-qualified host and
   * with a bare one, so that neither form is new to the parser the real server's viewers meet.
   */
  @Test
  void streamRequestsSendEveryHeadWithAndWithoutThePortInTheHost() {
    List<String> heads = WarmupTraffic.streamRequests(new InetSocketAddress("127.0.0.1", 4242));

    assertThat(heads).hasSize(2 * WarmupTraffic.REQUEST_HEADERS.size());
    assertThat(heads).filteredOn(head -> head.contains("\r\nHost: 127.0.0.1:4242\r\n"))
        .hasSize(WarmupTraffic.REQUEST_HEADERS.size());
    assertThat(heads).filteredOn(head -> head.contains("\r\nHost: 127.0.0.1\r\n"))
        .hasSize(WarmupTraffic.REQUEST_HEADERS.size());
    assertThat(heads).allSatisfy(head -> assertThat(head).startsWith("GET /stream/").endsWith("\r\n\r\n"));
  }

  /**
   * The page requests come several to a connection, as a browser's or a tuner client's do: every
   * connection carries each page once, in order, and only its last request asks to close it. A real
   * socket server here records what arrives.
   */
  @Test
  void pageRequestsShareOneKeptAliveConnectionPerRound() throws Exception {
    List<List<String>> connections = new ArrayList<>();
    InetSocketAddress address;
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> {
        try {
          for (int c = 0; c < JoinWarmup.PAGE_REQUESTS; c++) {
            try (Socket socket = server.accept()) {
              connections.add(answerUntilClose(socket));
            }
          }
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      });

      address = new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort());
      WarmupTraffic.pages(address, 0, JoinWarmup.PAGE_REQUESTS);
      serving.get(30, TimeUnit.SECONDS);
    }
    String withPort = "Host: " + address.getHostString() + ":" + address.getPort() + "\r\n";

    assertThat(connections).hasSize(JoinWarmup.PAGE_REQUESTS);
    for (List<String> requests : connections) {
      assertThat(requests).extracting(head -> head.substring(4, head.indexOf(" HTTP/1.1")))
          .containsExactlyElementsOf(WarmupTraffic.PAGE_PATHS);
      assertThat(requests.subList(0, requests.size() - 1)).noneMatch(head -> head.contains("Connection: close"));
      assertThat(requests.get(requests.size() - 1)).contains("Connection: close");
    }
    assertThat(connections).extracting(requests -> requests.get(0).contains(withPort)).contains(true, false);
  }

  /**
   * A round's viewers leave as players do: one in {@link WarmupTraffic#ORDERLY_CLOSE_EVERY} with an
   * orderly close, which the server reads as end-of-stream, the others with a reset. A real socket
   * server here answers each viewer with a head and a body, then reads until the viewer is gone.
   */
  @Test
  void aRoundsViewersLeaveWithOrderlyClosesAndResets() throws Exception {
    int viewers = 2 * WarmupTraffic.ORDERLY_CLOSE_EVERY;
    List<CompletableFuture<String>> departures = new ArrayList<>();
    int served;
    // A thread per viewer: the round holds every viewer open at once, so a pool sized by the cores
    // (the common pool on a larger machine) would leave some unserved.
    ExecutorService threads = Executors.newCachedThreadPool();
    try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Void> accepting = CompletableFuture.runAsync(() -> {
        try {
          for (int c = 0; c < viewers; c++) {
            Socket socket = server.accept();
            departures.add(CompletableFuture.supplyAsync(() -> serveUntilGone(socket), threads));
          }
        } catch (IOException e) {
          throw new IllegalStateException(e);
        }
      }, threads);

      served = WarmupTraffic.round(new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()),
          viewers, 0);
      accepting.get(30, TimeUnit.SECONDS);
    }
    List<String> how = new ArrayList<>();
    try {
      for (CompletableFuture<String> departure : departures) {
        how.add(departure.get(30, TimeUnit.SECONDS));
      }
    } finally {
      threads.shutdownNow();
    }

    assertThat(served).isEqualTo(viewers);
    assertThat(how).filteredOn("end of stream"::equals).hasSize(viewers / WarmupTraffic.ORDERLY_CLOSE_EVERY);
    assertThat(how).filteredOn("reset"::equals).hasSize(viewers - viewers / WarmupTraffic.ORDERLY_CLOSE_EVERY);
  }

  /** Answers one stream request with a head and a body, then reads until the viewer leaves: how it left. */
  private static String serveUntilGone(Socket socket) {
    try (socket) {
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
        // the request head
      }
      OutputStream out = socket.getOutputStream();
      out.write("HTTP/1.1 200 OK\r\nContent-Type: video/mp2t\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[WarmupTraffic.BODY_BYTES]);
      out.flush();
      return in.read() < 0 ? "end of stream" : "more bytes";
    } catch (IOException e) {
      return e.getMessage() != null && e.getMessage().contains("reset") ? "reset" : e.toString();
    }
  }

  /** Reads request heads and answers each with a framed body until one asks to close; returns the heads. */
  private static List<String> answerUntilClose(Socket socket) throws IOException {
    List<String> heads = new ArrayList<>();
    BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
    OutputStream out = socket.getOutputStream();
    while (true) {
      StringBuilder head = new StringBuilder();
      for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
        head.append(line).append("\r\n");
      }
      if (head.length() == 0) {
        return heads; // the client closed without asking
      }
      heads.add(head.toString());
      out.write("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello"
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      if (head.toString().contains("Connection: close")) {
        return heads;
      }
    }
  }

  @Test
  void aPageAnswerIsReadToTheEndOfItsContentLengthAndNoFurther() throws IOException {
    InputStream in = new ByteArrayInputStream(("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
        + "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));

    assertThat(WarmupTraffic.readResponse(in, "/a")).isEqualTo(200);
    assertThat(WarmupTraffic.readResponse(in, "/b")).isEqualTo(404);
    assertThat(in.read()).isEqualTo(-1);
  }

  @Test
  void aPageAnswerWithoutContentLengthOrCutShortIsAFailureNamingThePage() {
    InputStream chunked = new ByteArrayInputStream(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    InputStream cut = new ByteArrayInputStream(
        "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc".getBytes(StandardCharsets.US_ASCII));
    InputStream headless = new ByteArrayInputStream("HTTP/1.1 200 OK\r\nContent-".getBytes(StandardCharsets.US_ASCII));

    assertThatThrownBy(() -> WarmupTraffic.readResponse(chunked, "/status"))
        .isInstanceOf(IOException.class).hasMessageContaining("/status").hasMessageContaining("no Content-Length");
    assertThatThrownBy(() -> WarmupTraffic.readResponse(cut, "/lineup.json"))
        .isInstanceOf(IOException.class).hasMessageContaining("/lineup.json").hasMessageContaining("inside its body");
    assertThatThrownBy(() -> WarmupTraffic.readResponse(headless, "/discover.json"))
        .isInstanceOf(IOException.class).hasMessageContaining("/discover.json").hasMessageContaining("inside its head");
  }
}

package io.github.buffercore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;

/** The JIT warm-up the example mains run before they listen. */
class JoinWarmupTest {

  /** A flood, one full trickle and a partial one: every warm-up viewer gets its first bytes. */
  private static final int JOINS = JoinWarmup.ROUND + JoinWarmup.TRICKLE + 1;

  @Test
  void everyWarmUpViewerIsServedByAPrivateNettyServer() {
    assertThat(JoinWarmup.run(new io.github.buffercore.examples.netty.NettyHttpStack(), EdgeLimits.defaults(),
        JOINS)).isEqualTo(JOINS);
  }

  @Test
  void everyWarmUpViewerIsServedByAPrivateJettyServer() {
    assertThat(JoinWarmup.run(new io.github.buffercore.examples.jetty.JettyHttpStack(), EdgeLimits.defaults(),
        JOINS)).isEqualTo(JOINS);
  }

  @Test
  void everyWarmUpViewerIsServedByAPrivateJdkServer() {
    assertThat(JoinWarmup.run(new io.github.buffercore.examples.jdk.JdkHttpStack(), EdgeLimits.defaults(),
        JOINS)).isEqualTo(JOINS);
  }

  /** The joins beyond the trickles come as a rehearsal crowd; every one of them is served too. */
  @Test
  void joinsBeyondTheTricklesAreARehearsalCrowdThatIsServedWhole() {
    int joins = JoinWarmup.TRICKLED + 3;
    assertThat(JoinWarmup.run(new io.github.buffercore.examples.netty.NettyHttpStack(), EdgeLimits.defaults(),
        joins)).isEqualTo(joins);
  }

  /**
   * The last rehearsal meets a second private server, started after the first was closed, so that the
   * real server's start is not the first start after a close; a warm-up without rehearsals needs one.
   */
  @Test
  void theLastRehearsalMeetsASecondPrivateServer() {
    CountingStack rehearsed = new CountingStack(new io.github.buffercore.examples.netty.NettyHttpStack());
    int joins = JoinWarmup.TRICKLED + 3;
    assertThat(JoinWarmup.run(rehearsed, EdgeLimits.defaults(), joins)).isEqualTo(joins);
    assertThat(rehearsed.starts).isEqualTo(2);
    assertThat(rehearsed.closes).isEqualTo(2);

    CountingStack trickled = new CountingStack(new io.github.buffercore.examples.netty.NettyHttpStack());
    assertThat(JoinWarmup.run(trickled, EdgeLimits.defaults(), JOINS)).isEqualTo(JOINS);
    assertThat(trickled.starts).isEqualTo(1);
    assertThat(trickled.closes).isEqualTo(1);
  }

  /** A real stack whose private servers are counted as they start and close. */
  private static final class CountingStack implements HttpStack {
    private final HttpStack real;
    int starts;
    int closes;

    CountingStack(HttpStack real) {
      this.real = real;
    }

    @Override
    public String name() {
      return real.name();
    }

    @Override
    public RunningServer start(ProxyApp app, InetSocketAddress address, EdgeLimits limits) throws Exception {
      RunningServer server = real.start(app, address, limits);
      starts++;
      return new RunningServer() {
        @Override
        public int port() {
          return server.port();
        }

        @Override
        public void close() {
          closes++;
          server.close();
        }
      };
    }
  }

  @Test
  void noJoinsIsNoWarmUp() {
    assertThat(JoinWarmup.run(new io.github.buffercore.examples.netty.NettyHttpStack(), EdgeLimits.defaults(), 0))
        .isZero();
  }

  @Test
  void theCompileQueueTextIsIdleOnlyWithNothingRunningOrQueued() {
    String idle = "Current compiles: \n\nC1 compile queue:\nEmpty\n\nC2 compile queue:\nEmpty\n\n";
    String running = "Current compiles: \nC2 CompilerThread0  1178   !   4       a.B::c (497 bytes)\n\n"
        + "C1 compile queue:\nEmpty\n\nC2 compile queue:\nEmpty\n";
    String queued = "Current compiles: \n\nC1 compile queue:\n1174       3       a.B::d (4 bytes)\n\n"
        + "C2 compile queue:\nEmpty\n";

    assertThat(JoinWarmup.compilerIdle(idle)).isTrue();
    assertThat(JoinWarmup.compilerIdle(running)).isFalse();
    assertThat(JoinWarmup.compilerIdle(queued)).isFalse();
  }

  @Test
  void thisJvmAnswersTheCompileQueueCommandInTheFormTheWarmUpReads() throws Exception {
    Object text = ManagementFactory.getPlatformMBeanServer().invoke(
        new ObjectName("com.sun.management:type=DiagnosticCommand"), "compilerQueue",
        new Object[] {new String[0]}, new String[] {String[].class.getName()});

    assertThat(String.valueOf(text)).contains("Current compiles:").contains("compile queue:");
  }
}

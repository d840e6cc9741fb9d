package io.github.buffercore.examples.jetty;

import io.github.buffercore.examples.EdgeLimits;
import io.github.buffercore.examples.EdgeWatchdog;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.io.Connection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Closes a connection whose next request head is not complete within the header timeout of the
 * connection opening or of its previous response ending.
 */
final class HeaderTimeouts implements Connection.Listener {

  private static final Logger LOG = LoggerFactory.getLogger(JettyHttpStack.class);

  private final EdgeWatchdog watchdog;
  private final EdgeLimits limits;
  private final Map<Connection, EdgeWatchdog.Registration> armed = new ConcurrentHashMap<>();

  HeaderTimeouts(EdgeWatchdog watchdog, EdgeLimits limits) {
    this.watchdog = watchdog;
    this.limits = limits;
  }

  @Override
  public void onOpened(Connection connection) {
    arm(connection);
  }

  @Override
  public void onClosed(Connection connection) {
    disarm(connection);
  }

  /** Before a response completes: the next request head must arrive in time. */
  void arm(Connection connection) {
    EdgeWatchdog.Registration deadline = watchdog.deadline(limits.headerTimeout(), () -> {
      armed.remove(connection);
      LOG.debug("Closing connection {}: no complete request head within {}",
          connection.getEndPoint().getRemoteSocketAddress(), limits.headerTimeout());
      connection.getEndPoint().close(new TimeoutException("request head timeout"));
    });
    EdgeWatchdog.Registration previous = armed.put(connection, deadline);
    if (previous != null) {
      previous.close();
    }
    if (!connection.getEndPoint().isOpen()) {
      disarm(connection); // closed meanwhile: onClosed may have run before the put
    }
  }

  /** A request head arrived (or the connection closed). */
  void disarm(Connection connection) {
    EdgeWatchdog.Registration deadline = armed.remove(connection);
    if (deadline != null) {
      deadline.close();
    }
  }
}

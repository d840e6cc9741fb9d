package io.github.buffercore.stress.lincheck;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sequential specification of {@link RegistryOperations}: one playlist that may or may not
 * exist, its tuner limit, and the client count of each running stream. Same method names, same
 * results, no concurrency.
 */
public class RegistryModel {

  private boolean exists;
  private int tunerLimit;
  private final Map<String, Integer> streams = new LinkedHashMap<>();

  public int getOrCreate() {
    if (!exists) {
      exists = true;
      tunerLimit = 1;
    }
    return tunerLimit;
  }

  public int update() {
    if (!exists) {
      return -1;
    }
    return ++tunerLimit;
  }

  public String acquireA() {
    return acquire("a");
  }

  public String acquireB() {
    return acquire("b");
  }

  public String closeA() {
    return close("a");
  }

  public String closeB() {
    return close("b");
  }

  public int cleanup() {
    if (exists && streams.isEmpty()) {
      exists = false;
      return 1;
    }
    return 0;
  }

  public int clients() {
    return streams.values().stream().mapToInt(Integer::intValue).sum();
  }

  private String acquire(String stream) {
    if (!exists) {
      return "missing";
    }
    if (streams.containsKey(stream)) {
      streams.merge(stream, 1, Integer::sum);
      return "joined";
    }
    if (streams.size() >= tunerLimit) {
      return "limit";
    }
    streams.put(stream, 1);
    return "joined";
  }

  private String close(String stream) {
    Integer clients = streams.get(stream);
    if (clients == null) {
      return "none"; // every open lease is a client of a running stream
    }
    if (clients == 1) {
      streams.remove(stream); // streamGrace 0: the stream stops with its last client
    } else {
      streams.put(stream, clients - 1);
    }
    return "closed";
  }
}

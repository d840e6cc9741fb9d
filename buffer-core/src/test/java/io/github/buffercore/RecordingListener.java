package io.github.buffercore;

import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;

/** Records every event, in arrival order. */
final class RecordingListener implements RegistryListener {

  final ConcurrentLinkedQueue<RegistryEvent> events = new ConcurrentLinkedQueue<>();

  @Override
  public void onEvent(RegistryEvent event) {
    events.add(event);
  }

  List<RegistryEvent.Type> types() {
    return events.stream().map(RegistryEvent::type).collect(Collectors.toList());
  }

  long count(RegistryEvent.Type type) {
    return events.stream().filter(e -> e.type() == type).count();
  }

  void clear() {
    events.clear();
  }
}

package io.github.buffercore.internal;

import java.util.AbstractMap;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The streams of one playlist state: an immutable map from stream id to {@link StreamState}, kept as
 * a plain array in start order. A playlist has at most its tuner limit of streams (a handful), so a
 * linear scan beats hashing, and copying the array on every join and leave allocates a fraction of
 * what a copied {@code LinkedHashMap} does. Never modified after construction.
 */
final class StreamTable extends AbstractMap<String, StreamState> {

  static final StreamTable EMPTY = new StreamTable(new StreamState[0]);

  private final StreamState[] streams;

  private StreamTable(StreamState[] streams) {
    this.streams = streams;
  }

  static StreamTable copyOf(Collection<StreamState> streams) {
    return streams.isEmpty() ? EMPTY : new StreamTable(streams.toArray(new StreamState[0]));
  }

  private int indexOf(Object streamId) {
    for (int i = 0; i < streams.length; i++) {
      if (streams[i].streamId().equals(streamId)) {
        return i;
      }
    }
    return -1;
  }

  /** This table with {@code stream} added, or replacing the stream with the same id in place. */
  StreamTable with(StreamState stream) {
    int index = indexOf(stream.streamId());
    StreamState[] copy;
    if (index >= 0) {
      copy = streams.clone();
      copy[index] = stream;
    } else {
      copy = Arrays.copyOf(streams, streams.length + 1);
      copy[streams.length] = stream;
    }
    return new StreamTable(copy);
  }

  /** This table without the stream of that id. */
  StreamTable without(String streamId) {
    int index = indexOf(streamId);
    if (index < 0) {
      return this;
    }
    if (streams.length == 1) {
      return EMPTY;
    }
    StreamState[] copy = new StreamState[streams.length - 1];
    System.arraycopy(streams, 0, copy, 0, index);
    System.arraycopy(streams, index + 1, copy, index, copy.length - index);
    return new StreamTable(copy);
  }

  /**
   * The streams in start order, for loops on the cleanup path that should not allocate a list and an
   * iterator per playlist; the array is shared: callers only read it.
   */
  StreamState[] array() {
    return streams;
  }

  @Override
  public StreamState get(Object streamId) {
    int index = indexOf(streamId);
    return index < 0 ? null : streams[index];
  }

  @Override
  public boolean containsKey(Object streamId) {
    return indexOf(streamId) >= 0;
  }

  @Override
  public int size() {
    return streams.length;
  }

  @Override
  public boolean isEmpty() {
    return streams.length == 0;
  }

  @Override
  public Collection<StreamState> values() {
    return List.of(streams);
  }

  @Override
  public Set<Map.Entry<String, StreamState>> entrySet() {
    // Insertion-ordered and unmodifiable; built on demand (status pages and error messages only).
    var entries = new java.util.LinkedHashSet<Map.Entry<String, StreamState>>();
    for (StreamState stream : streams) {
      entries.add(Map.entry(stream.streamId(), stream));
    }
    return java.util.Collections.unmodifiableSet(entries);
  }
}

package io.github.buffercore.internal;

/**
 * A value of the registry map: either a live {@link PlaylistState} or a {@link PendingPlaylist} whose
 * initializer is still running; no other implementation exists. Only live states are ever seen by
 * callers. Not {@code sealed}: a sealed interface and its permitted records would name each other.
 */
interface RegistryNode { }

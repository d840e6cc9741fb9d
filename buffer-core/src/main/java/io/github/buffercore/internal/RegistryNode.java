package io.github.buffercore.internal;

/**
 * A value of the registry map: either a live {@link PlaylistState} or a {@link PendingPlaylist} whose
 * initializer is still running. Only live states are ever seen by callers.
 */
sealed interface RegistryNode permits PlaylistState, PendingPlaylist { }

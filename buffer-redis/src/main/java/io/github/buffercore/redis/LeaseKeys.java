package io.github.buffercore.redis;

/**
 * The Redis key names of one pool. With the default prefix {@code buffer-core:tuners:} they are:
 * <ul>
 *   <li>{@code buffer-core:tuners:epoch}: the server time (ms) at which this Redis's data began, as
 *   first seen by a script; one string, no expiry. Missing means the data is new or was lost.</li>
 *   <li>{@code buffer-core:tuners:playlist:<id>:leases}: sorted set, lease id to expiry (server ms).
 *   Expires with its longest lease.</li>
 *   <li>{@code buffer-core:tuners:playlist:<id>:holders}: hash, lease id to
 *   {@code "<fencing token> <stream id>"}. Expires with the leases.</li>
 *   <li>{@code buffer-core:tuners:playlist:<id>:fence}: the last fencing token handed out. Expires
 *   {@link #FENCE_TTL_MS} after the playlist's last acquire.</li>
 * </ul>
 *
 * @param prefix the key prefix, ending in a separator by convention
 */
record LeaseKeys(String prefix) {

  /** How long a playlist's fencing counter outlives its last acquire: one day. */
  static final long FENCE_TTL_MS = 24L * 60 * 60 * 1000;

  String epoch() {
    return prefix + "epoch";
  }

  /** KEYS of the acquire script: epoch, leases, holders, fence. */
  String[] forAcquire(String playlistId) {
    String base = prefix + "playlist:" + playlistId + ":";
    return new String[] {epoch(), base + "leases", base + "holders", base + "fence"};
  }

  /** KEYS of the renew and release scripts: epoch, leases, holders. */
  String[] forLease(String playlistId) {
    String base = prefix + "playlist:" + playlistId + ":";
    return new String[] {epoch(), base + "leases", base + "holders"};
  }
}

/**
 * buffer-redis: a {@link io.github.buffercore.TunerPool} shared by several proxy nodes through one
 * Redis, with leases that expire, are renewed by a heartbeat and carry fencing tokens.
 */
module io.github.buffercore.redis {
  requires transitive io.github.buffercore;
  requires lettuce.core;
  requires org.slf4j;

  exports io.github.buffercore.redis;
}

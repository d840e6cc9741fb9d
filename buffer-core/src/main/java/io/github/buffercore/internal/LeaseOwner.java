package io.github.buffercore.internal;

/**
 * What a client's lease reports to the control plane: the narrow seam that keeps {@link Lease} from
 * depending on the registry implementation.
 */
interface LeaseOwner {

  /**
   * Removes a released lease's client; called once per lease, by the thread that released it.
   *
   * @param lease the lease that was closed
   */
  void release(Lease lease);
}

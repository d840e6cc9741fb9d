package io.github.buffercore;

import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * Where a stream's upstream lives: its URL and the backup URLs tried in order when it fails (as
 * Threadfin's BackupChannel1-3).
 *
 * @param url the primary URL
 * @param backups the backup URLs, in the order they are tried; may be empty
 */
public record UpstreamTarget(URI url, List<URI> backups) {

  /**
   * Validates and copies.
   *
   * @param url the primary URL
   * @param backups the backup URLs, in the order they are tried; may be empty
   */
  public UpstreamTarget {
    Objects.requireNonNull(url, "url");
    backups = List.copyOf(backups);
  }

  /**
   * Returns a target without backups.
   *
   * @param url the URL
   * @return the target
   */
  public static UpstreamTarget of(URI url) {
    return new UpstreamTarget(url, List.of());
  }

  /**
   * Returns the primary URL followed by the backups.
   *
   * @return every URL, in the order they are tried
   */
  public List<URI> allUrls() {
    var all = new java.util.ArrayList<URI>(1 + backups.size());
    all.add(url);
    all.addAll(backups);
    return List.copyOf(all);
  }
}

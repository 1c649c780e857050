package dev.mlops.spi;

import java.util.List;

/**
 * One page of {@link ObjectStore#list}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param keys keys in ascending order
 * @param truncated whether more keys follow the last one
 */
public record ListPage(List<String> keys, boolean truncated) {
  /** Copies. */
  public ListPage {
    keys = List.copyOf(keys);
  }
}

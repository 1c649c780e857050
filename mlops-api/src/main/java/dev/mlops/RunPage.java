package dev.mlops;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of run search results.
 *
 * <p>Immutable and thread-safe.
 *
 * @param runs the runs on this page, in query order
 * @param nextPageToken pass to {@link RunQuery.Builder#pageToken} for the next page; empty on the last
 */
public record RunPage(List<RunInfo> runs, Optional<String> nextPageToken) {
  /** Validates and copies. */
  public RunPage {
    runs = List.copyOf(runs);
    Objects.requireNonNull(nextPageToken, "nextPageToken");
  }
}

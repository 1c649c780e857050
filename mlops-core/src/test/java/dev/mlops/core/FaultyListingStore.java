package dev.mlops.core;

import dev.mlops.spi.ForwardingObjectStore;
import dev.mlops.spi.ListPage;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * A real in-memory store whose listings can be made to misbehave the way a directory read does
 * while files are being created in it (an entry missing from one listing), or to run something
 * (another writer) right after a listing of a prefix. Reads and creates are the real store's.
 *
 * <p>Thread-safe.
 */
final class FaultyListingStore extends ForwardingObjectStore {
  private volatile BiFunction<String, List<String>, List<String>> listingFault = (prefix, keys) -> keys;
  private volatile Runnable afterListing = () -> { };
  private volatile String afterListingPrefix = "\u0000";

  FaultyListingStore() {
    super(new MemObjectStore());
  }

  /** @param fault given (prefix, listed keys), returns what the listing shows */
  void listingFault(BiFunction<String, List<String>, List<String>> fault) {
    this.listingFault = fault;
  }

  /** Runs {@code action} once, right after the first listing of a prefix starting with {@code prefix}. */
  void afterFirstListingOf(String prefix, Runnable action) {
    this.afterListingPrefix = prefix;
    this.afterListing = action;
  }

  @Override
  public ListPage list(String prefix, String startAfter, int limit) {
    ListPage page = delegate().list(prefix, startAfter, limit);
    List<String> shown = listingFault.apply(prefix, new ArrayList<>(page.keys()));
    if (prefix.startsWith(afterListingPrefix)) {
      Runnable action = afterListing;
      afterListing = () -> { };
      afterListingPrefix = "\u0000";
      action.run();
    }
    return new ListPage(shown, page.truncated());
  }

  @Override
  public void close() {
    // shared by the test's workspaces; the test's store dies with it
  }
}

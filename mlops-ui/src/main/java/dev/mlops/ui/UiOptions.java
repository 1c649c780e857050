package dev.mlops.ui;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How {@link UiServer} listens: bind address (default {@code 127.0.0.1}, so only this machine can
 * connect), port (default 0: any free port), whether write actions are offered (default no: the
 * UI is read-only), and extra {@link View}s.
 *
 * <p>Immutable and thread-safe.
 */
public final class UiOptions {
  private final String bindAddress;
  private final int port;
  private final boolean allowWrites;
  private final List<View> views;

  private UiOptions(Builder b) {
    this.bindAddress = b.bindAddress;
    this.port = b.port;
    this.allowWrites = b.allowWrites;
    this.views = List.copyOf(b.views);
  }

  /** @return loopback, any port, read-only */
  public static UiOptions defaults() {
    return builder().build();
  }

  /** @return a new builder with the defaults */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the address to bind */
  public String bindAddress() {
    return bindAddress;
  }

  /** @return the port, 0 for any free one */
  public int port() {
    return port;
  }

  /** @return whether write actions (approve/reject a model version) are offered */
  public boolean allowWrites() {
    return allowWrites;
  }

  /** @return views added to the built-in ones */
  public List<View> views() {
    return views;
  }

  /** Builds {@link UiOptions}. Not thread-safe; confine to one thread. */
  public static final class Builder {
    private String bindAddress = "127.0.0.1";
    private int port;
    private boolean allowWrites;
    private final List<View> views = new ArrayList<>();

    private Builder() {}

    /**
     * @param address an IP address or host name to bind; anything but loopback exposes the store
     *     to the network
     * @return this builder
     * @throws IllegalArgumentException if blank
     */
    public Builder bindAddress(String address) {
      Objects.requireNonNull(address, "address");
      if (address.isBlank()) {
        throw new IllegalArgumentException("bind address must not be blank");
      }
      this.bindAddress = address;
      return this;
    }

    /**
     * @param port 0 (any free port) to 65535
     * @return this builder
     * @throws IllegalArgumentException if out of range
     */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be in 0..65535, got " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * @param allow whether to offer write actions; they go through the workspace's API, so its
     *     policies (read-only workspace, approval rules) still apply
     * @return this builder
     */
    public Builder allowWrites(boolean allow) {
      this.allowWrites = allow;
      return this;
    }

    /**
     * Adds a view; its path must differ from the built-in ones and from every other view's.
     *
     * @param view the view
     * @return this builder
     */
    public Builder view(View view) {
      views.add(Objects.requireNonNull(view, "view"));
      return this;
    }

    /** @return the options */
    public UiOptions build() {
      return new UiOptions(this);
    }
  }
}

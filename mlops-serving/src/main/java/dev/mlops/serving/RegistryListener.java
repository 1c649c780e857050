package dev.mlops.serving;

/**
 * Receives {@link RegistryEvent}s from a {@link ModelWatcher}, in log order, on the watcher's
 * polling thread. An exception thrown here is logged and does not stop other listeners or later
 * events.
 *
 * <p>Implementations must be thread-safe if registered with several watchers.
 */
@FunctionalInterface
public interface RegistryListener {

  /** @param event what changed */
  void onEvent(RegistryEvent event);
}

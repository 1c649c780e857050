package dev.mlops.spi;

import dev.mlops.AlreadyExistsException;
import java.io.OutputStream;

/**
 * Content written first and given its key afterwards: used to store content under its own
 * digest without holding it in memory. Nothing is visible until {@link #publish}; closing without
 * publishing discards everything written.
 *
 * <p>Not thread-safe; confine to one thread.
 */
public interface BlobSink extends AutoCloseable {

  /** @return where to write the content; do not close it, call {@link #publish} or {@link #close} */
  OutputStream stream();

  /**
   * Makes the written content visible under {@code key}, with the create-if-absent semantics of
   * {@link ObjectStore#create}. The sink is finished afterwards, whatever the outcome.
   *
   * @param key the key
   * @throws AlreadyExistsException if the key exists
   */
  void publish(String key);

  /** Discards the content if it was not published. Idempotent. */
  @Override
  void close();
}

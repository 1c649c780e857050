package dev.mlops;

/**
 * No storage provider (or no workspace implementation) is installed for a URI. The message
 * lists the installed schemes and the artifact that would add the missing one.
 *
 * <p>Immutable and thread-safe.
 */
public final class ProviderNotFoundException extends MlopsException {
  private static final long serialVersionUID = 1L;

  /** @param message names the scheme, the installed schemes and the artifact to add */
  public ProviderNotFoundException(String message) {
    super(message);
  }
}

package dev.mlops;

import java.security.PublicKey;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A public key the store trusts for signatures made by one principal.
 *
 * <p>Immutable and thread-safe.
 *
 * @param id its id ({@link Principal#keyId(PublicKey)})
 * @param owner the principal whose entries it signs
 * @param key the Ed25519 public key
 * @param trustedAt when it was added
 * @param revokedAt when it was revoked, if it was: entries signed before still verify
 */
public record TrustedKey(String id, String owner, PublicKey key, Instant trustedAt, Optional<Instant> revokedAt) {
  /** Validates. */
  public TrustedKey {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(trustedAt, "trustedAt");
    Objects.requireNonNull(revokedAt, "revokedAt");
    if (!id.equals(Principal.keyId(key))) {
      throw new IllegalArgumentException("key id " + id + " does not match the key, whose id is " + Principal.keyId(key));
    }
  }

  /**
   * @param at when an entry was signed
   * @return whether a signature made then counts
   */
  public boolean validAt(Instant at) {
    return revokedAt.map(at::isBefore).orElse(true);
  }
}

package dev.mlops;

import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;

/**
 * Who is acting: a name, as the host's own identity system knows it (an SSO subject, a service
 * account), and optionally an Ed25519 key pair with which the registry signs the entries this
 * principal writes (review decisions, alias moves, policy changes). Set it with
 * {@link WorkspaceOptions.Builder#principal(Principal)}; without one, the free-text actor is
 * recorded as before and nothing is signed.
 *
 * <p>The name is what access-control grants and four-eyes rules compare; the key lets
 * {@code verify()} prove that the named principal, and not someone with write access to the
 * store, made a decision. {@link #toString()} never prints the private key.
 *
 * <p>Immutable and thread-safe.
 *
 * @param name the principal's name, not blank
 * @param signingKey an Ed25519 key pair, if this principal signs
 */
public record Principal(String name, Optional<KeyPair> signingKey) {
  /** Validates. */
  public Principal {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(signingKey, "signingKey");
    if (name.isBlank()) {
      throw new IllegalArgumentException("principal name must not be blank");
    }
    signingKey.ifPresent(k -> {
      String alg = k.getPublic().getAlgorithm();
      if (!alg.equals("Ed25519") && !alg.equals("EdDSA")) {
        throw new IllegalArgumentException("principal " + name + ": signing key must be Ed25519, got " + alg);
      }
    });
  }

  /**
   * @param name the principal's name
   * @return a principal that does not sign
   */
  public static Principal of(String name) {
    return new Principal(name, Optional.empty());
  }

  /**
   * @param name the principal's name
   * @param key an Ed25519 key pair ({@code KeyPairGenerator.getInstance("Ed25519")})
   * @return a principal that signs with {@code key}
   */
  public static Principal signing(String name, KeyPair key) {
    return new Principal(name, Optional.of(Objects.requireNonNull(key, "key")));
  }

  /** @return the id of this principal's public key ({@link #keyId(PublicKey)}), if it signs */
  public Optional<String> keyId() {
    return signingKey.map(k -> keyId(k.getPublic()));
  }

  /**
   * The id under which a public key is trusted and named in signatures: {@code ed25519:} and the
   * first 32 hex digits of the SHA-256 of its X.509 encoding.
   *
   * @param key a public key
   * @return its id
   */
  public static String keyId(PublicKey key) {
    Objects.requireNonNull(key, "key");
    try {
      byte[] h = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
      return "ed25519:" + HexFormat.of().formatHex(h, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }

  @Override
  public String toString() {
    return "Principal[" + name + keyId().map(k -> ", key " + k).orElse("") + "]";
  }
}

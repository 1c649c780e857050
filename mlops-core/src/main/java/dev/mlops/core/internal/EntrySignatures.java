package dev.mlops.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.Principal;
import dev.mlops.TrustedKey;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * Ed25519 signatures on log entries. The signed message binds the entry to its place: a version
 * tag, the log's key prefix (so the model), the entry's number, the previous entry's hash and the
 * entry's fields in their stored order without {@code seq}, {@code prev} and the signature. The
 * signature is stored as the entry's last field before the hash:
 * {@code "signature":{"alg":"Ed25519","key":"ed25519:<id>","value":"<base64>"}}.
 *
 * <p>Not API: used by mlops-core and mlops-governance's offline verifier.
 *
 * <p>Thread-safe (stateless).
 */
public final class EntrySignatures {
  /** The entry field holding the signature. */
  public static final String FIELD = "signature";
  private static final byte[] TAG = "mlops-signed-entry-v1\n".getBytes(StandardCharsets.US_ASCII);

  private EntrySignatures() {}

  /**
   * Signs an entry body about to be appended.
   *
   * @param logPrefix the log's key prefix, ending in {@code /}
   * @param seq the number the entry will have
   * @param prev the hash of the entry before it
   * @param body the entry's fields (without seq and prev)
   * @param key an Ed25519 key pair
   * @return {@code body} with a signature by {@code key} added as its last field
   */
  public static ObjectNode sign(String logPrefix, long seq, String prev, ObjectNode body, KeyPair key) {
    byte[] message = message(logPrefix, seq, prev, body);
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key.getPrivate());
      s.update(message);
      ObjectNode sig = body.putObject(FIELD);
      sig.put("alg", "Ed25519");
      sig.put("key", Principal.keyId(key.getPublic()));
      sig.put("value", Base64.getEncoder().encodeToString(s.sign()));
      return body;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign with Ed25519: " + e.getMessage(), e);
    }
  }

  /**
   * @param entryBody a parsed entry
   * @return whether it carries a signature field
   */
  public static boolean isSigned(ObjectNode entryBody) {
    return entryBody.has(FIELD);
  }

  /**
   * Checks a signed entry's signature.
   *
   * @param logPrefix the log's prefix, ending in {@code /}
   * @param e the entry, signed
   * @param keys trusted keys by id
   * @return what is wrong, or empty if the signature is good, by a key trusted when the entry was
   *     made and belonging to the entry's actor
   */
  public static Optional<String> check(String logPrefix, HashChainedLog.Entry e, Map<String, TrustedKey> keys) {
    JsonNode sig = e.body().get(FIELD);
    if (sig == null || !sig.isObject() || !sig.path("key").isTextual() || !sig.path("value").isTextual()) {
      return Optional.of("badly signed: the signature field is malformed");
    }
    if (!"Ed25519".equals(sig.path("alg").asText())) {
      return Optional.of("badly signed: algorithm '" + sig.path("alg").asText() + "' is not Ed25519");
    }
    String keyId = sig.get("key").asText();
    TrustedKey key = keys.get(keyId);
    if (key == null) {
      return Optional.of("signed by key " + keyId + ", which the store does not trust");
    }
    String actor = e.body().path("actor").asText();
    if (!key.owner().equals(actor)) {
      return Optional.of("signed by key " + keyId + " of " + key.owner() + " but the entry's actor is " + actor);
    }
    Instant at;
    try {
      at = Instant.parse(e.body().path("at").asText());
    } catch (RuntimeException ex) {
      return Optional.of("badly signed: no readable time");
    }
    if (!key.validAt(at)) {
      return Optional.of("signed at " + at + " by key " + keyId + ", revoked at " + key.revokedAt().orElseThrow());
    }
    ObjectNode body = e.body().deepCopy();
    body.remove("seq");
    body.remove("prev");
    body.remove(FIELD);
    try {
      Signature s = Signature.getInstance("Ed25519");
      s.initVerify(key.key());
      s.update(message(logPrefix, e.seq(), e.prev(), body));
      if (!s.verify(Base64.getDecoder().decode(sig.get("value").asText()))) {
        return Optional.of("badly signed: the Ed25519 signature by " + keyId + " does not match the entry");
      }
    } catch (GeneralSecurityException | IllegalArgumentException ex) {
      return Optional.of("badly signed: " + ex.getMessage());
    }
    return Optional.empty();
  }

  private static byte[] message(String logPrefix, long seq, String prev, ObjectNode bodyWithoutSignature) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(256);
    out.writeBytes(TAG);
    out.writeBytes((logPrefix + "\n" + seq + "\n" + prev + "\n").getBytes(StandardCharsets.UTF_8));
    out.writeBytes(Json.write(bodyWithoutSignature));
    return out.toByteArray();
  }
}

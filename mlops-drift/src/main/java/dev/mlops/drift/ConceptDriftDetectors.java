package dev.mlops.drift;

import dev.mlops.CorruptDataException;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * Restores any concept-drift detector from the bytes of {@link ConceptDriftDetector#toBytes()}.
 *
 * <p>Immutable and thread-safe (static methods only).
 */
public final class ConceptDriftDetectors {
  private ConceptDriftDetectors() {}

  /**
   * Reads a detector back, parameters and state, so that feeding it the same inputs as the
   * original gives the same states.
   *
   * @param bytes the output of {@link ConceptDriftDetector#toBytes()}
   * @return an equivalent detector of the original class
   * @throws CorruptDataException if the bytes are not a detector of a known kind and format
   *     version, are truncated, fail their checksum or hold inconsistent state; the message says
   *     which
   * @throws NullPointerException if bytes is null
   */
  public static ConceptDriftDetector restore(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    ByteBuffer[] body = new ByteBuffer[1];
    DetectorBytes.Kind kind = DetectorBytes.open(bytes, body);
    return DetectorBytes.decode(kind, body[0], kind.reader);
  }
}

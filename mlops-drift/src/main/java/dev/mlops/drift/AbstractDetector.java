package dev.mlops.drift;

import java.nio.ByteBuffer;

/**
 * The skeleton the eight concept-drift detectors share: the input count and latest state,
 * {@link #reset()}, and the serialized frame. {@link #toBytes()} writes the {@link DetectorBytes}
 * header of the detector's kind, then its parameters, the count (8 bytes) and state (1 byte), its
 * own state, and the checksum; a reader builds the detector from the parameters, calls
 * {@link #readCountAndState(ByteBuffer)} and reads its own state. Each detector keeps its own
 * {@code update(double)}, the allocation-free hot path, which maintains {@link #count} and
 * {@link #state}.
 *
 * <p>Not thread-safe; confine to one thread.
 */
abstract class AbstractDetector implements ConceptDriftDetector {
  /** Bytes of the count and state in the frame. */
  static final int COUNT_AND_STATE_BYTES = 8 + 1;

  private final DetectorBytes.Kind kind;
  /** Inputs consumed since creation or reset (not reset by drift). */
  long count;
  /** The state after the latest input. */
  DriftState state = DriftState.STABLE;

  AbstractDetector(DetectorBytes.Kind kind) {
    this.kind = kind;
  }

  @Override
  public final DriftState state() {
    return state;
  }

  @Override
  public final long count() {
    return count;
  }

  @Override
  public final void reset() {
    count = 0;
    state = DriftState.STABLE;
    restart();
  }

  /** Forgets every statistic, as a newly built detector (the count and state are not touched). */
  abstract void restart();

  @Override
  public final byte[] toBytes() {
    ByteBuffer buf = DetectorBytes.begin(kind, parameterBytes() + COUNT_AND_STATE_BYTES + stateBytes());
    writeParameters(buf);
    buf.putLong(count).put(DetectorBytes.state(state));
    writeState(buf);
    return DetectorBytes.finish(buf);
  }

  /** @return the size of what {@link #writeParameters} writes */
  abstract int parameterBytes();

  /** Writes the builder parameters, in the order the reader passes them to the builder. */
  abstract void writeParameters(ByteBuffer out);

  /** @return the size of what {@link #writeState} writes */
  abstract int stateBytes();

  /** Writes the detector's own state (after the count and state). */
  abstract void writeState(ByteBuffer out);

  /** Reads the count and state that follow the parameters in the frame. */
  final void readCountAndState(ByteBuffer body) {
    count = body.getLong();
    state = DetectorBytes.state(body.get());
  }
}

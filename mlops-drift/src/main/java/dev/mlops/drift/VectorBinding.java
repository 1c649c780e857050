package dev.mlops.drift;

import dev.mlops.features.FeatureRef;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which position of an {@link dev.mlops.features.OnlineVector} feeds which feature of a
 * {@link PredictionMonitor}, resolved once from the reader's feature list by
 * {@link PredictionMonitor#bind(List)} and used by {@link MonitorInput#set(dev.mlops.features.OnlineVector, VectorBinding)}.
 *
 * <p>Immutable and thread-safe: share one binding between threads.
 */
public final class VectorBinding {
  final MonitorLayout layout;
  final int size;
  final int[] positions;
  final int[] slots;
  private final List<String> bound;

  private VectorBinding(MonitorLayout layout, int size, int[] positions, int[] slots, List<String> bound) {
    this.layout = layout;
    this.size = size;
    this.positions = positions;
    this.slots = slots;
    this.bound = bound;
  }

  /**
   * Matches each vector position to the baseline feature named {@code view:feature} or, failing
   * that, {@code feature}. Positions that match no baseline feature are not recorded.
   *
   * @throws IllegalArgumentException if two positions match one baseline feature, or no position
   *     matches any (naming the vector's and the baseline's features)
   */
  static VectorBinding of(MonitorLayout layout, List<FeatureRef> features) {
    Map<Integer, Integer> positionOfSlot = new HashMap<>();
    List<Integer> positions = new ArrayList<>();
    List<Integer> slots = new ArrayList<>();
    List<String> bound = new ArrayList<>();
    for (int i = 0; i < features.size(); i++) {
      FeatureRef ref = features.get(i);
      Integer slot = layout.slotOfName.get(ref.toString());
      if (slot == null) {
        slot = layout.slotOfName.get(ref.feature());
      }
      if (slot == null) {
        continue;
      }
      Integer earlier = positionOfSlot.put(slot, i);
      if (earlier != null) {
        throw new IllegalArgumentException("vector positions " + earlier + " (" + features.get(earlier) + ") and " + i
            + " (" + ref + ") both match the baseline feature '" + layout.names.get(slot)
            + "'; name the baseline features view:feature to tell them apart");
      }
      positions.add(i);
      slots.add(slot);
      bound.add(layout.names.get(slot));
    }
    if (positions.isEmpty()) {
      throw new IllegalArgumentException("none of the vector's features " + features
          + " is a feature of the baseline " + layout.names);
    }
    return new VectorBinding(layout, features.size(), positions.stream().mapToInt(Integer::intValue).toArray(),
        slots.stream().mapToInt(Integer::intValue).toArray(), List.copyOf(bound));
  }

  /** @return the baseline features this binding sets, in vector order */
  public List<String> boundFeatures() {
    return bound;
  }

  /** @return the number of positions of the vectors it reads */
  public int vectorSize() {
    return size;
  }

  @Override
  public String toString() {
    return "VectorBinding[" + size + " positions -> " + bound + "]";
  }
}

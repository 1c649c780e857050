package dev.mlops.drift;

import dev.mlops.features.FeatureStatus;
import dev.mlops.features.OnlineVector;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * A reusable row buffer for recording into a {@link PredictionMonitor} by feature name or from an
 * {@link OnlineVector}, instead of positional arrays. Resolve names to slots once
 * ({@link #slot(String)}) and set values by slot in the serving loop, or set them by name (one hash
 * lookup per call); either way nothing is allocated per record. Every feature not set since the
 * last {@code record} counts as missing: {@code record} records the row and clears it.
 *
 * <p>Data quality (a monitor with {@link DataQualityRules}): the input also tells which features
 * were absent from the row (not set at all since the last {@code record}, as opposed to set to a
 * missing value), which values had the wrong type, and how many values of features the baseline
 * does not know were given ({@link #put(String, Object)}, {@link #put(Map)}, and vector positions a
 * {@link VectorBinding} does not map). The positional {@code record} methods of the monitor cannot
 * express absent or extra features (a wrong array length is an error).
 *
 * <pre>{@code
 * MonitorInput in = monitor.newInput();            // one per serving thread
 * int amount = in.slot("amount"), channel = in.slot("channel");
 * // per prediction:
 * in.set(amount, 12.5).setCategory(channel, "web").record(prediction);
 * // or from a feature-store read:
 * VectorBinding binding = monitor.bind(reader.features());   // once, shareable
 * reader.read(key, vector);
 * in.set(vector, binding).record(prediction);
 * }</pre>
 *
 * <p>Slots: numeric features take slots {@code 0..n-1} in the baseline's order, categorical
 * features the following ones. A numeric value NaN is missing and ±Inf invalid, as in
 * {@link PredictionMonitor#record(double[], int[], double)}; a category outside the baseline's
 * categories counts as unknown.
 *
 * <p>Not thread-safe: confine each input to one thread (create one per thread).
 */
public final class MonitorInput {
  private final PredictionMonitor monitor;
  private final MonitorLayout layout;
  private final double[] numeric;
  private final int[] codes;
  /** Per slot: 0 = absent, 1 = given, 2 = given with the wrong type (numeric only). */
  private final byte[] shape;
  /** Values of features the baseline does not know, given since the last record. */
  private int extras;
  private final BiConsumer<String, Object> putter = this::put;

  MonitorInput(PredictionMonitor monitor, MonitorLayout layout) {
    this.monitor = monitor;
    this.layout = layout;
    this.numeric = new double[layout.numeric];
    this.codes = new int[layout.categorical];
    this.shape = new byte[layout.numeric + layout.categorical];
    clear();
  }

  /**
   * @param feature a feature of the monitor's baseline
   * @return its slot, for {@link #set(int, double)}, {@link #setCode(int, int)} and
   *     {@link #setCategory(int, Object)}
   * @throws IllegalArgumentException naming the feature and listing the baseline's features if it
   *     has no such feature
   */
  public int slot(String feature) {
    return layout.slot(feature);
  }

  /** @return the baseline's feature names in slot order (numeric first, then categorical) */
  public List<String> features() {
    return layout.names;
  }

  /**
   * Sets a numeric feature.
   *
   * @param slot a numeric feature's slot
   * @param value the value; NaN = missing
   * @return this
   * @throws IllegalArgumentException naming the slot if it is not a numeric feature's
   */
  public MonitorInput set(int slot, double value) {
    if (slot < 0 || slot >= numeric.length) {
      throw notA("numeric", slot);
    }
    numeric[slot] = value;
    shape[slot] = 1;
    return this;
  }

  /**
   * Sets a numeric feature by name (one hash lookup, no allocation).
   *
   * @param feature a numeric feature of the baseline
   * @param value the value; NaN = missing
   * @return this
   * @throws IllegalArgumentException naming the feature if the baseline has no such feature (listing
   *     its features) or it is categorical
   */
  public MonitorInput set(String feature, double value) {
    return set(slot(feature), value);
  }

  /**
   * Sets a categorical feature by its category code (the index in the baseline's
   * {@link CategoricalFeature#categories()}).
   *
   * @param slot a categorical feature's slot
   * @param code the code; negative = missing, beyond the categories = unknown
   * @return this
   * @throws IllegalArgumentException naming the slot if it is not a categorical feature's
   */
  public MonitorInput setCode(int slot, int code) {
    int j = slot - numeric.length;
    if (j < 0 || j >= codes.length) {
      throw notA("categorical", slot);
    }
    codes[j] = code;
    shape[slot] = 1;
    return this;
  }

  /**
   * Sets a categorical feature by its category (no allocation).
   *
   * @param slot a categorical feature's slot
   * @param category the category: its text, or a {@code Long}/{@code Integer}/{@code Boolean}
   *     whose text is a category; null = missing; a String, Long, Integer or Boolean that is not a
   *     category counts as unknown (out of domain for data quality), a value of any other type as
   *     unknown and a type mismatch
   * @return this
   * @throws IllegalArgumentException naming the slot if it is not a categorical feature's
   */
  public MonitorInput setCategory(int slot, Object category) {
    int j = slot - numeric.length;
    if (j < 0 || j >= codes.length) {
      throw notA("categorical", slot);
    }
    codes[j] = codeOf(j, category);
    shape[slot] = 1;
    return this;
  }

  /**
   * Sets a categorical feature by name and category.
   *
   * @param feature a categorical feature of the baseline
   * @param category as for {@link #setCategory(int, Object)}
   * @return this
   * @throws IllegalArgumentException naming the feature if the baseline has no such feature (listing
   *     its features) or it is numeric
   */
  public MonitorInput setCategory(String feature, Object category) {
    return setCategory(slot(feature), category);
  }

  /**
   * Sets a feature from a loosely typed row, never throwing for the value: a numeric feature takes
   * a {@link Number} (null = missing; anything else is recorded as missing and counted as a type
   * mismatch), a categorical feature a category as in {@link #setCategory(int, Object)}, and a name
   * the baseline does not have counts as an extra feature. One hash lookup, no allocation.
   *
   * @param feature a feature name
   * @param value its value
   * @return this
   */
  public MonitorInput put(String feature, Object value) {
    Integer slot = layout.slotOfName.get(Objects.requireNonNull(feature, "feature"));
    if (slot == null) {
      extras++;
      return this;
    }
    int s = slot;
    if (s < numeric.length) {
      if (value instanceof Number n) {
        numeric[s] = n.doubleValue();
        shape[s] = 1;
      } else {
        numeric[s] = Double.NaN;
        shape[s] = value == null ? (byte) 1 : (byte) 2;
      }
    } else {
      codes[s - numeric.length] = codeOf(s - numeric.length, value);
      shape[s] = 1;
    }
    return this;
  }

  /**
   * {@link #put(String, Object)} of every entry of a row, e.g. a request's JSON object as a map.
   * Allocates nothing for maps whose {@code forEach} does not (HashMap, TreeMap, LinkedHashMap).
   *
   * @param row feature name to value
   * @return this
   */
  public MonitorInput put(Map<String, ?> row) {
    Objects.requireNonNull(row, "row").forEach(putter);
    return this;
  }

  /**
   * Copies the features a binding maps from a vector filled by an
   * {@link dev.mlops.features.OnlineReader}: a PRESENT number goes to its numeric feature, a
   * PRESENT value to its categorical feature (as {@link #setCategory(int, Object)}); NOT_FOUND and
   * EXPIRED features, and a numeric feature whose value is not a number, are missing. Features the
   * binding does not map keep what was set (for data quality, the baseline features it does not
   * map are absent unless set otherwise, and the vector positions it does not map are extra
   * features). Allocates nothing.
   *
   * @param vector the vector, read by the reader whose features the binding was made from
   * @param binding from {@link PredictionMonitor#bind(List)} of this monitor
   * @return this
   * @throws IllegalArgumentException if the binding was made for another monitor's baseline or for
   *     a vector of another size
   */
  public MonitorInput set(OnlineVector vector, VectorBinding binding) {
    Objects.requireNonNull(vector, "vector");
    Objects.requireNonNull(binding, "binding");
    if (binding.layout.fingerprint != layout.fingerprint) {
      throw new IllegalArgumentException("the binding was made by a monitor on another baseline");
    }
    if (vector.size() != binding.size) {
      throw new IllegalArgumentException("the binding maps a vector of " + binding.size
          + " features, got a vector of " + vector.size());
    }
    int[] positions = binding.positions;
    int[] slots = binding.slots;
    for (int k = 0; k < positions.length; k++) {
      int i = positions[k];
      int slot = slots[k];
      boolean present = vector.status(i) == FeatureStatus.PRESENT;
      if (slot < numeric.length) {
        numeric[slot] = present && vector.value(i) instanceof Number n ? n.doubleValue() : Double.NaN;
      } else {
        int j = slot - numeric.length;
        codes[j] = present ? codeOf(j, vector.value(i)) : -1;
      }
      shape[slot] = 1;
    }
    extras += binding.size - positions.length;
    return this;
  }

  /**
   * Records the row (features not set since the last record are missing) and clears it.
   *
   * @param prediction the model's output
   */
  public void record(double prediction) {
    try {
      monitor.recordRow(numeric, codes, shape, extras, prediction);
    } finally {
      clear();
    }
  }

  /**
   * Records the row and buffers the prediction for {@link PredictionMonitor#recordOutcome}, then
   * clears the row.
   *
   * @param predictionId an id the label will carry
   * @param prediction the model's output
   * @throws IllegalStateException if the monitor does not join late labels
   */
  public void record(long predictionId, double prediction) {
    try {
      monitor.recordRow(predictionId, numeric, codes, shape, extras, prediction);
    } finally {
      clear();
    }
  }

  /** Sets every feature to missing (and, for data quality, absent) and forgets extra features. */
  public void clear() {
    Arrays.fill(numeric, Double.NaN);
    Arrays.fill(codes, -1);
    Arrays.fill(shape, (byte) 0);
    extras = 0;
  }

  private int codeOf(int j, Object category) {
    if (category == null) {
      return -1;
    }
    Integer code = layout.codeOfValue.get(j).get(category);
    if (code != null) {
      return code;
    }
    return category instanceof String || category instanceof Long || category instanceof Integer
        || category instanceof Boolean ? PredictionMonitor.UNKNOWN_CATEGORY : PredictionMonitor.WRONG_TYPE;
  }

  private IllegalArgumentException notA(String kind, int slot) {
    String name = slot >= 0 && slot < layout.names.size() ? "'" + layout.names.get(slot) + "'" : "out of range";
    return new IllegalArgumentException("slot " + slot + " (" + name + ") is not a " + kind
        + " feature's; slots 0.." + (numeric.length - 1) + " are numeric " + layout.names.subList(0, numeric.length)
        + ", the rest categorical " + layout.names.subList(numeric.length, layout.names.size()));
  }

  /** @return the features of the row, for diagnostics */
  @Override
  public String toString() {
    return "MonitorInput" + layout.names;
  }
}

package dev.mlops.features;

/**
 * The type of a feature's values and the Java class a value of it has.
 *
 * <p>Immutable and thread-safe.
 */
public enum FeatureType {
  /** {@link Double}, any finite or non-finite value. */
  DOUBLE(Double.class),
  /** {@link Long}. */
  LONG(Long.class),
  /** {@link Boolean}. */
  BOOLEAN(Boolean.class),
  /** {@link String}. */
  STRING(String.class),
  /** {@code float[]}, an embedding; its length may vary between rows. */
  FLOAT_VECTOR(float[].class);

  private final Class<?> javaType;

  FeatureType(Class<?> javaType) {
    this.javaType = javaType;
  }

  /** @return the class every value of this type is an instance of */
  public Class<?> javaType() {
    return javaType;
  }

  /**
   * @param value a candidate value, not null
   * @return whether it is a value of this type
   */
  public boolean accepts(Object value) {
    return javaType.isInstance(value);
  }
}

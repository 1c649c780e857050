package dev.mlops.tuning;

/**
 * One hyperparameter: its name and its distribution. A sampler works on a param's internal value,
 * a {@code double}: the number itself for {@link FloatParam} and {@link IntParam}, the index of
 * the choice for {@link CategoricalParam}.
 *
 * <p>Implementations are immutable and thread-safe records; their constructors throw
 * {@link IllegalArgumentException} naming the parameter and the bad value.
 */
public sealed interface Param permits FloatParam, IntParam, CategoricalParam {
  /** @return the parameter's name, a valid {@link dev.mlops.Names} name */
  String name();

  /**
   * @param internal an internal value of this param
   * @return the value as it is logged as a run param ("0.01", "32", "adam")
   * @throws IllegalArgumentException if the value is outside this param's distribution
   */
  String display(double internal);

  /**
   * @param internal a candidate internal value
   * @return whether it lies in this param's distribution (on the step grid, a valid index)
   */
  boolean contains(double internal);
}

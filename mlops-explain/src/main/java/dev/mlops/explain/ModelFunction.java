package dev.mlops.explain;

import java.util.Objects;
import java.util.function.Function;

/**
 * A model as a function from a feature vector to one number (a regression output, a score, or the
 * probability of one class). Explainers call it many times with a reused input array: an
 * implementation must read the array during the call only, never keep or modify it.
 *
 * <p>Implementations used by several threads at once must be thread-safe; the explainers in this
 * package call a model from the calling thread only.
 */
@FunctionalInterface
public interface ModelFunction {
  /**
   * Evaluates the model.
   *
   * @param features the feature vector; read-only, valid only during the call
   * @return the output; must be finite
   */
  double apply(double[] features);

  /**
   * The probability of one class of a classifier that returns a probability per class, so each
   * class can be explained as its own function.
   *
   * @param classProbabilities the classifier: features to one probability per class
   * @param classIndex the class to explain, 0-based
   * @return a function returning that class's probability
   * @throws IllegalArgumentException if classIndex is negative
   */
  static ModelFunction ofClass(Function<double[], double[]> classProbabilities, int classIndex) {
    Objects.requireNonNull(classProbabilities, "classProbabilities");
    if (classIndex < 0) {
      throw new IllegalArgumentException("classIndex must be >= 0, got " + classIndex);
    }
    return x -> {
      double[] p = classProbabilities.apply(x);
      if (classIndex >= p.length) {
        throw new IllegalArgumentException("class index " + classIndex + " but the model returned " + p.length + " probabilities");
      }
      return p[classIndex];
    };
  }
}

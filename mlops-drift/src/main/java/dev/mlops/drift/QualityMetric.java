package dev.mlops.drift;

/**
 * How a late label is compared with its prediction to give the error that quality metrics and the
 * concept-drift detector consume.
 *
 * <p>Immutable and thread-safe.
 */
public enum QualityMetric {
  /** Classification: the error is 1 if the prediction differs from the label, else 0; reported as accuracy. */
  ACCURACY,
  /** Regression: the error is |prediction - label|; reported as mean absolute error. */
  MEAN_ABSOLUTE_ERROR;

  double error(double prediction, double label) {
    return this == ACCURACY ? (prediction == label ? 0 : 1) : Math.abs(prediction - label);
  }

  /** @return the reported value for a mean error: accuracy is 1 - error rate, MAE the mean itself */
  double summarize(double meanError) {
    return this == ACCURACY ? 1 - meanError : meanError;
  }
}

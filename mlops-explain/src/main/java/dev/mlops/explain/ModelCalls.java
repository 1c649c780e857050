package dev.mlops.explain;

import java.util.Arrays;

/**
 * Calls a model function, counts the calls and turns a failure or a non-finite output into a
 * {@link ModelFunctionException} naming the input. Not thread-safe; one per explanation.
 */
final class ModelCalls {
  private final ModelFunction model;
  private long calls;

  ModelCalls(ModelFunction model) {
    this.model = model;
  }

  double apply(double[] x) {
    calls++;
    double y;
    try {
      y = model.apply(x);
    } catch (RuntimeException e) {
      throw new ModelFunctionException("model function threw on input " + Arrays.toString(x) + ": " + e, e);
    }
    if (!Double.isFinite(y)) {
      throw new ModelFunctionException("model function returned " + y + " for input " + Arrays.toString(x)
          + "; explanations need a finite output", null);
    }
    return y;
  }

  long calls() {
    return calls;
  }
}

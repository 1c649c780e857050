package dev.mlops.tuning;

import java.util.SplittableRandom;
import org.apache.commons.math3.random.SobolSequenceGenerator;

/**
 * Quasi-random sampling: trial {@code n} takes point {@code n} of a Sobol sequence (Commons Math's
 * {@link SobolSequenceGenerator}), shifted by a seeded random vector modulo 1 (a Cranley–Patterson
 * rotation) so different seeds give different, equally well spread, designs. The k-th parameter a
 * trial suggests uses dimension k; parameters beyond {@code dimensions} are sampled at random.
 *
 * <p>Thread-safe.
 */
public final class SobolSampler implements Sampler {
  private final long seed;
  private final int dimensions;
  private final double[] shift;
  /** Guarded by this; building one reads the direction numbers, skipTo is cheap. */
  private final SobolSequenceGenerator generator;

  /**
   * @param seed the seed of the rotation
   * @param dimensions how many parameters follow the sequence, 1 to 1000
   * @throws IllegalArgumentException if dimensions is out of range
   */
  public SobolSampler(long seed, int dimensions) {
    if (dimensions < 1 || dimensions > 1000) {
      throw new IllegalArgumentException("dimensions must be in 1..1000, got " + dimensions);
    }
    this.seed = seed;
    this.dimensions = dimensions;
    SplittableRandom r = new SplittableRandom(seed);
    this.shift = new double[dimensions];
    for (int i = 0; i < dimensions; i++) {
      shift[i] = r.nextDouble();
    }
    this.generator = new SobolSequenceGenerator(dimensions);
  }

  /** @param seed the seed of the rotation; 32 dimensions */
  public SobolSampler(long seed) {
    this(seed, 32);
  }

  @Override
  public double sample(StudyHistory history, TrialRecord current, Param param) {
    int dim = current.params().size();
    if (dim >= dimensions) {
      return RandomSampler.sampleUniform(param, RandomSampler.random(seed, current.number(), param.name()));
    }
    double[] point;
    synchronized (generator) {
      point = generator.skipTo(current.number());
    }
    double u = point[dim] + shift[dim];
    u -= Math.floor(u);
    if (param instanceof CategoricalParam c) {
      return Math.min(c.choices().size() - 1, (int) (u * c.choices().size()));
    }
    if (param instanceof IntParam i && !i.log()) {
      return i.low() + Math.min(i.size() - 1, (long) (u * i.size())) * i.step();
    }
    return ParamScale.of(param).fromUnit(u);
  }

  @Override
  public String toString() {
    return "SobolSampler[seed=" + seed + ", dimensions=" + dimensions + "]";
  }
}

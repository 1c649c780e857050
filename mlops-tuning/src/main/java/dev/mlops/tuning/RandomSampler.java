package dev.mlops.tuning;

import java.util.SplittableRandom;

/**
 * Samples every parameter independently and uniformly (on the log scale for log parameters). The
 * value depends only on the seed, the trial number and the parameter name, so a study is
 * reproducible whatever order trials run in.
 *
 * <p>Immutable and thread-safe.
 */
public final class RandomSampler implements Sampler {
  private final long seed;

  /** @param seed the seed */
  public RandomSampler(long seed) {
    this.seed = seed;
  }

  @Override
  public double sample(StudyHistory history, TrialRecord current, Param param) {
    return sampleUniform(param, random(seed, current.number(), param.name()));
  }

  static double sampleUniform(Param param, SplittableRandom random) {
    if (param instanceof CategoricalParam c) {
      return random.nextInt(c.choices().size());
    }
    if (param instanceof IntParam i && !i.log()) {
      return i.low() + random.nextLong(i.size()) * i.step();
    }
    return ParamScale.of(param).fromUnit(random.nextDouble());
  }

  /** A generator seeded from the seed, the trial number and a name, mixed by SplitMix64. */
  static SplittableRandom random(long seed, int number, String name) {
    long h = mix(seed ^ 0x9E3779B97F4A7C15L);
    h = mix(h ^ number);
    h = mix(h ^ name.hashCode());
    return new SplittableRandom(h);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  @Override
  public String toString() {
    return "RandomSampler[seed=" + seed + "]";
  }
}

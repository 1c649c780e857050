package dev.mlops.junit;

import dev.mlops.features.FeatureRef;
import dev.mlops.features.FeatureStatus;
import dev.mlops.features.FeatureValue;
import dev.mlops.features.OnlineResult;
import java.util.Objects;
import java.util.Optional;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on the features of one entity as looked up online
 * ({@link dev.mlops.features.FeatureStore#online(String, String...)}); obtain with
 * {@link MlopsAssertions#assertThat(dev.mlops.features.OnlineResult)}:
 *
 * <pre>{@code
 * assertThat(features.online("u1", "user:age", "user:country"))
 *     .hasValue("user:age", 42)
 *     .hasStatus("user:country", FeatureStatus.NOT_FOUND);
 * }</pre>
 *
 * <p>Not thread-safe; confine to one thread.
 */
public final class OnlineResultAssert extends AbstractAssert<OnlineResultAssert, OnlineResult> {

  OnlineResultAssert(OnlineResult actual) {
    super(actual, OnlineResultAssert.class);
  }

  /**
   * @param ref a requested feature, {@code view:feature}
   * @return assertions on that feature
   */
  public FeatureValueAssert feature(String ref) {
    return new FeatureValueAssert(value(ref));
  }

  /**
   * @param ref a requested feature
   * @param expected its value (see {@link FeatureValueAssert#hasValue})
   * @return this
   */
  public OnlineResultAssert hasValue(String ref, Object expected) {
    feature(ref).hasValue(expected);
    return this;
  }

  /**
   * @param ref a requested feature
   * @param status its expected status
   * @return this
   */
  public OnlineResultAssert hasStatus(String ref, FeatureStatus status) {
    feature(ref).hasStatus(status);
    return this;
  }

  /** @return this, if every requested feature is PRESENT */
  public OnlineResultAssert allPresent() {
    isNotNull();
    for (FeatureValue v : actual.values()) {
      if (!v.isPresent()) {
        failWithMessage("expected every feature of entity '%s' to be PRESENT but %s is %s", actual.entityKey(),
            v.ref(), FeatureValueAssert.describe(v));
      }
    }
    return this;
  }

  private FeatureValue value(String ref) {
    Objects.requireNonNull(ref, "ref");
    isNotNull();
    Optional<FeatureValue> found = actual.find(FeatureRef.parse(ref));
    if (found.isEmpty()) {
      failWithMessage("expected feature %s of entity '%s' but it was not requested; requested: %s", ref,
          actual.entityKey(), actual.values().stream().map(v -> v.ref().toString()).toList());
    }
    return found.orElseThrow();
  }
}

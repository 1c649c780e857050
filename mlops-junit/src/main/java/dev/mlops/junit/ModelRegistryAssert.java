package dev.mlops.junit;

import dev.mlops.ApprovalStatus;
import dev.mlops.ModelRegistry;
import dev.mlops.ModelVersion;
import dev.mlops.VerifyReport;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.assertj.core.api.AbstractAssert;

/**
 * Assertions on a {@link ModelRegistry}; obtain with {@link MlopsAssertions#assertThat(ModelRegistry)}.
 * Each failure message names the model and what was found instead.
 *
 * <p>Not thread-safe; confine to one thread.
 */
public final class ModelRegistryAssert extends AbstractAssert<ModelRegistryAssert, ModelRegistry> {

  ModelRegistryAssert(ModelRegistry actual) {
    super(actual, ModelRegistryAssert.class);
  }

  /**
   * @param models the exact set of model names, in any order
   * @return this
   */
  public ModelRegistryAssert hasModels(String... models) {
    isNotNull();
    List<String> actualModels = actual.models();
    List<String> expected = Arrays.stream(models).sorted().toList();
    if (!actualModels.equals(expected)) {
      failWithMessage("expected the registry to hold models %s but it holds %s", expected, actualModels);
    }
    return this;
  }

  /**
   * @param model model name
   * @param versions the exact version numbers, oldest first
   * @return this
   */
  public ModelRegistryAssert hasVersions(String model, int... versions) {
    isNotNull();
    List<Integer> actualVersions = actual.versions(model).stream().map(ModelVersion::version).toList();
    List<Integer> expected = Arrays.stream(versions).boxed().toList();
    if (!actualVersions.equals(expected)) {
      failWithMessage("expected model '%s' to have versions %s but it has %s", model, expected, actualVersions);
    }
    return this;
  }

  /**
   * @param model model name
   * @param alias alias name (or {@code latest})
   * @param version the version it must resolve to
   * @return this
   */
  public ModelRegistryAssert hasAlias(String model, String alias, int version) {
    isNotNull();
    Optional<ModelVersion> found = actual.find(model + "@" + alias);
    if (found.isEmpty()) {
      failWithMessage("expected '%s@%s' to resolve to version %s but it does not resolve", model, alias, version);
    } else if (found.get().version() != version) {
      failWithMessage("expected '%s@%s' to resolve to version %s but it resolves to %s",
          model, alias, version, found.get().version());
    }
    return this;
  }

  /**
   * @param model model name
   * @param alias alias name
   * @return this
   */
  public ModelRegistryAssert hasNoAlias(String model, String alias) {
    isNotNull();
    actual.find(model + "@" + alias).ifPresent(v ->
        failWithMessage("expected no alias '%s@%s' but it points at version %s", model, alias, v.version()));
    return this;
  }

  /**
   * @param model model name
   * @param version version number
   * @param status its expected approval status
   * @return this
   */
  public ModelRegistryAssert hasStatus(String model, int version, ApprovalStatus status) {
    isNotNull();
    Optional<ModelVersion> found = actual.find(model + "/" + version);
    if (found.isEmpty()) {
      failWithMessage("expected %s/%s to be %s but there is no such version", model, version, status);
    } else if (found.get().status() != status) {
      failWithMessage("expected %s/%s to be %s but it is %s", model, version, status, found.get().status());
    }
    return this;
  }

  /**
   * Checks the model's stored log end to end with {@link ModelRegistry#verify}.
   *
   * @param model model name
   * @return this
   */
  public ModelRegistryAssert hasIntactLog(String model) {
    isNotNull();
    VerifyReport report = actual.verify(model);
    if (!report.ok()) {
      failWithMessage("expected the log of model '%s' to verify but it is %s", model, report);
    }
    return this;
  }
}

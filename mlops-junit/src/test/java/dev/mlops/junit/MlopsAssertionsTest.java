package dev.mlops.junit;

import static dev.mlops.junit.MlopsAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.ApprovalStatus;
import dev.mlops.ModelRegistry;
import dev.mlops.Provenance;
import dev.mlops.Registration;
import dev.mlops.RunId;
import dev.mlops.RunInfo;
import dev.mlops.RunStatus;
import dev.mlops.VerifyReport;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The AssertJ assertions pass on matching state and fail with messages that say what was found. */
@ExtendWith(MlopsExtension.class)
class MlopsAssertionsTest {

  @Test
  void registryAssertions(ModelRegistry registry) {
    registry.register("fraud", Registration.builder().build());
    registry.register("fraud", Registration.builder().build());
    registry.approve("fraud", 2, "alice", "ok");
    registry.setAlias("fraud", "prod", 2);

    assertThatCode(() -> assertThat(registry)
        .hasModels("fraud")
        .hasVersions("fraud", 1, 2)
        .hasAlias("fraud", "prod", 2)
        .hasAlias("fraud", "latest", 2)
        .hasNoAlias("fraud", "canary")
        .hasStatus("fraud", 2, ApprovalStatus.APPROVED)
        .hasIntactLog("fraud")).doesNotThrowAnyException();

    assertThatThrownBy(() -> assertThat(registry).hasVersions("fraud", 1, 2, 3))
        .isInstanceOf(AssertionError.class).hasMessageContaining("[1, 2, 3]").hasMessageContaining("[1, 2]");
    assertThatThrownBy(() -> assertThat(registry).hasAlias("fraud", "prod", 1))
        .isInstanceOf(AssertionError.class).hasMessageContaining("resolves to 2");
    assertThatThrownBy(() -> assertThat(registry).hasAlias("fraud", "canary", 1))
        .isInstanceOf(AssertionError.class).hasMessageContaining("does not resolve");
    assertThatThrownBy(() -> assertThat(registry).hasNoAlias("fraud", "prod"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("points at version 2");
    assertThatThrownBy(() -> assertThat(registry).hasStatus("fraud", 1, ApprovalStatus.APPROVED))
        .isInstanceOf(AssertionError.class).hasMessageContaining("PENDING_MANUAL_APPROVAL");
    assertThatThrownBy(() -> assertThat(registry).hasModels("fraud", "churn"))
        .isInstanceOf(AssertionError.class).hasMessageContaining("churn");
  }

  @Test
  void verifyReportAssertions() {
    assertThatCode(() -> assertThat(VerifyReport.clean(3)).isIntact()).doesNotThrowAnyException();
    VerifyReport broken = new VerifyReport(2, Optional.of("models/m/log/3.json"), Optional.of("altered"));
    assertThatCode(() -> assertThat(broken).isBrokenAt("models/m/log/3.json")).doesNotThrowAnyException();
    assertThatThrownBy(() -> assertThat(broken).isIntact()).isInstanceOf(AssertionError.class)
        .hasMessageContaining("models/m/log/3.json");
    assertThatThrownBy(() -> assertThat(broken).isBrokenAt("models/m/log/2.json")).isInstanceOf(AssertionError.class);
    assertThatThrownBy(() -> assertThat(VerifyReport.clean(1)).isBrokenAt("k")).isInstanceOf(AssertionError.class);
  }

  @Test
  void runInfoAssertions() {
    RunInfo info = new RunInfo(RunId.of("r1"), "exp", "", RunStatus.FINISHED, Instant.EPOCH, Optional.of(Instant.EPOCH),
        Map.of("lr", "0.01"), Map.of("team", "risk"), Map.of("loss", Double.NaN), List.of(), Map.of(),
        new Provenance("0", "jvm", "os", "host", "user", Optional.empty()));
    assertThatCode(() -> assertThat(info).hasStatus(RunStatus.FINISHED).hasParam("lr", "0.01").hasTag("team", "risk")
        .hasLatestMetric("loss", Double.NaN)).doesNotThrowAnyException();
    assertThatThrownBy(() -> assertThat(info).hasStatus(RunStatus.FAILED)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("FINISHED");
    assertThatThrownBy(() -> assertThat(info).hasParam("lr", "0.1")).isInstanceOf(AssertionError.class)
        .hasMessageContaining("0.01");
    assertThatThrownBy(() -> assertThat(info).hasParam("layers", "3")).isInstanceOf(AssertionError.class)
        .hasMessageContaining("no such param");
    assertThatThrownBy(() -> assertThat(info).hasLatestMetric("acc", 1)).isInstanceOf(AssertionError.class)
        .hasMessageContaining("loss");
  }
}

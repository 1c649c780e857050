package dev.mlops.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.ApprovalStatus;
import dev.mlops.Mlops;
import dev.mlops.Registration;
import dev.mlops.StorageException;
import dev.mlops.Workspace;
import dev.mlops.WorkspaceOptions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class WorkspaceOptionsTest {

  @Test
  void optionsReachTheWorkspace() {
    Instant t = Instant.parse("2026-01-02T03:04:05Z");
    WorkspaceOptions options = WorkspaceOptions.builder().actor("trainer@ci").clock(Clock.fixed(t, ZoneOffset.UTC))
        .refreshInterval(Duration.ofMillis(200)).aliasesRequireApproval(false).build();
    try (Workspace ws = Mlops.open("mem:", options)) {
      var v = ws.registry().register("m", Registration.builder().build());
      assertThat(v.createdBy()).isEqualTo("trainer@ci");
      assertThat(v.createdAt()).isEqualTo(t);
      ws.registry().setAlias("m", "staging", 1);
      assertThat(ws.registry().resolve("m@staging").status()).isEqualTo(ApprovalStatus.PENDING_MANUAL_APPROVAL);
      assertThat(((CoreWorkspace) ws).options().refreshInterval()).isEqualTo(Duration.ofMillis(200));
    }
  }

  @Test
  void uriParametersOverrideOptions() {
    try (Workspace ws = Mlops.open("mem:?actor=ci-bot&aliasesRequireApproval=false&refreshInterval=PT0.5S",
        WorkspaceOptions.builder().actor("someone-else").build())) {
      assertThat(ws.registry().register("m", Registration.builder().build()).createdBy()).isEqualTo("ci-bot");
      ws.registry().setAlias("m", "staging", 1);
      assertThat(((CoreWorkspace) ws).options().refreshInterval()).isEqualTo(Duration.ofMillis(500));
    }
  }

  @Test
  void badParameterValuesNameTheParameterAndTheValue() {
    assertThatThrownBy(() -> Mlops.open("mem:?refreshInterval=5s")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("refreshInterval").hasMessageContaining("5s").hasMessageContaining("PT1S");
    assertThatThrownBy(() -> Mlops.open("mem:?readOnly=maybe")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("readOnly").hasMessageContaining("maybe");
    assertThatThrownBy(() -> Mlops.open("mem:?refreshInterval=PT0S")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("positive");
    assertThatThrownBy(() -> Mlops.open("mem:?actor=")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("actor");
    assertThatThrownBy(() -> Mlops.open("mem:?featureCacheSize=-1")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("featureCacheSize");
    assertThatThrownBy(() -> Mlops.open("mem:?regoin=eu")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("regoin").hasMessageContaining("readOnly").hasMessageContaining("actor");
  }

  @Test
  void aReadOnlyWorkspaceReadsButRefusesEveryWrite() {
    MemObjectStore store = new MemObjectStore();
    java.util.List<String> keys;
    try (Workspace writer = Mlops.open(java.net.URI.create("mem:/"), dev.mlops.testkit.SharedStore.of(store))) {
      writer.registry().register("m", Registration.builder().build());
    }
    keys = store.listAll("").toList();
    try (Workspace reader = Mlops.open(java.net.URI.create("mem:/"), dev.mlops.testkit.SharedStore.of(store),
        WorkspaceOptions.builder().readOnly(true).build())) {
      assertThat(reader.registry().versions("m")).hasSize(1);
      assertThat(reader.registry().verify("m").ok()).isTrue();
      assertThatThrownBy(() -> reader.registry().register("m", Registration.builder().build()))
          .isInstanceOf(StorageException.class).hasMessageContaining("read-only");
      assertThatThrownBy(() -> reader.artifacts().put("x".getBytes()))
          .isInstanceOf(StorageException.class).hasMessageContaining("read-only");
      assertThatThrownBy(() -> reader.experiments().startRun("e"))
          .isInstanceOf(StorageException.class).hasMessageContaining("read-only");
    }
    assertThat(store.listAll("").toList()).as("nothing written").isEqualTo(keys);
  }

  @Test
  void defaultsAreDocumented() {
    WorkspaceOptions d = WorkspaceOptions.defaults();
    assertThat(d.readOnly()).isFalse();
    assertThat(d.aliasesRequireApproval()).isTrue();
    assertThat(d.refreshInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(d.actor()).isEmpty();
    assertThat(d.actorOrDefault()).isNotBlank();
    assertThat(d.toBuilder().build().toString()).isEqualTo(d.toString());
  }
}

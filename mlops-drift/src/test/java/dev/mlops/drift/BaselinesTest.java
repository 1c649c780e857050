package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.CorruptDataException;
import dev.mlops.Digest;
import dev.mlops.Mlops;
import dev.mlops.NotFoundException;
import dev.mlops.Registration;
import dev.mlops.Workspace;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class BaselinesTest {

  @Test
  void savesNextToTheModelVersionAndLoadsItBack() {
    try (Workspace ws = Mlops.open("mem:")) {
      int v = ws.registry().register("fraud", Registration.builder().build()).version();
      BaselineProfile profile = BaselineProfileTest.sampleProfile(5_000, 1);

      var ref = Baselines.save(ws, "fraud", v, profile);

      assertThat(ws.registry().get("fraud", v).tags()).containsEntry(Baselines.TAG, ref.digest().toString());
      assertThat(ref.mediaType()).isEqualTo(Baselines.MEDIA_TYPE);
      BaselineProfile loaded = Baselines.load(ws, "fraud", v);
      assertThat(loaded.toBytes()).isEqualTo(profile.toBytes());
    }
  }

  @Test
  void versionWithoutBaselineIsEmptyOrNotFound() {
    try (Workspace ws = Mlops.open("mem:")) {
      int v = ws.registry().register("fraud", Registration.builder().build()).version();
      assertThat(Baselines.find(ws, "fraud", v)).isEmpty();
      assertThatThrownBy(() -> Baselines.load(ws, "fraud", v))
          .isInstanceOf(NotFoundException.class).hasMessageContaining("fraud/" + v).hasMessageContaining(Baselines.TAG);
      assertThatThrownBy(() -> Baselines.save(ws, "fraud", 99, BaselineProfileTest.sampleProfile(10, 1)))
          .isInstanceOf(NotFoundException.class);
    }
  }

  @Test
  void damagedLinkOrContentIsCorruptData() {
    try (Workspace ws = Mlops.open("mem:")) {
      int v = ws.registry().register("fraud", Registration.builder().build()).version();
      ws.registry().update("fraud", v, Map.of(Baselines.TAG, "not-a-digest"), Optional.empty());
      assertThatThrownBy(() -> Baselines.load(ws, "fraud", v))
          .isInstanceOf(CorruptDataException.class).hasMessageContaining("not-a-digest");

      Digest junk = ws.artifacts().put("junk".getBytes()).digest();
      ws.registry().update("fraud", v, Map.of(Baselines.TAG, junk.toString()), Optional.empty());
      assertThatThrownBy(() -> Baselines.load(ws, "fraud", v))
          .isInstanceOf(CorruptDataException.class).hasMessageContaining("baseline profile");
    }
  }
}

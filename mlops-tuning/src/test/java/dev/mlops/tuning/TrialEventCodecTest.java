package dev.mlops.tuning;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.CorruptDataException;
import dev.mlops.RunId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TrialEventCodecTest {
  @Test
  void eventsRoundTripBitExactAndAnUnknownVersionIsCorrupt() {
    List<TrialEvent> events = List.of(
        new TrialEvent.Started(7, RunId.of("run-7"), Instant.parse("2026-12-03T09:00:00.123456789Z")),
        new TrialEvent.Suggested(7, new FloatParam("lr", 1e-5, 0.1, true), 0.0031415926535897933),
        new TrialEvent.Suggested(7, new IntParam("units", 16, 256, 16, false), 48),
        new TrialEvent.Suggested(7, new CategoricalParam("opt", List.of("sgd", "adam", "émoji ✓")), 2),
        new TrialEvent.Reported(7, 12, -0.0),
        new TrialEvent.Reported(7, 13, Double.NEGATIVE_INFINITY),
        new TrialEvent.Ended(7, TrialState.COMPLETE, Optional.of(Math.nextUp(1.0)), Optional.empty(), Instant.EPOCH),
        new TrialEvent.Ended(8, TrialState.PRUNED, Optional.empty(), Optional.of("pruned at step 3"), Instant.EPOCH),
        new TrialEvent.Heartbeat(9, Instant.ofEpochSecond(5, 7)),
        new TrialEvent.Expired(9, "lease expired", Instant.ofEpochSecond(6)));
    for (TrialEvent e : events) {
      assertThat(TrialEventCodec.decode("k", TrialEventCodec.encode(e))).isEqualTo(e);
    }
    byte[] bytes = TrialEventCodec.encode(events.get(4));
    bytes[0] = 9;
    assertThatThrownBy(() -> TrialEventCodec.decode("tuning/studies/s/events/x", bytes))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining("version 9");
    assertThatThrownBy(() -> TrialEventCodec.decode("k", new byte[] {1, 'R'}))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining("k");
  }
}

package dev.mlops.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.core.MemObjectStore;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@link StepCache}'s claim protocol at the moments two executions interleave. */
class StepCacheTest {
  private final MemObjectStore store = new MemObjectStore();
  private final StepCache cache = new StepCache(store, Clock.systemUTC(), Duration.ofMillis(1));
  private final StepCache.Owner first = new StepCache.Owner("p", "e1", "train", "c1");
  private final StepCache.Owner second = new StepCache.Owner("p", "e2", "train", "c2");

  /**
   * The holder publishes its result and commits its success after the waiter read "no result"
   * but before it asked whether the holder still runs the step: the waiter must reuse that
   * result, not run the step again.
   */
  @Test
  void aHolderThatFinishesBetweenTheResultReadAndTheLivenessCheckIsAHit() throws Exception {
    StepCache.Lookup mine = cache.lookupOrClaim("k", Optional.empty(), first, o -> true);
    assertThat(mine).isEqualTo(new StepCache.Claimed(1));
    Map<String, OutputValue> outputs = Map.of("out", new OutputValue(OutputKind.PARAMETER, "v"));
    StepCache.Lookup theirs = cache.lookupOrClaim("k", Optional.empty(), second, holder -> {
      assertThat(holder).isEqualTo(first);
      cache.publish("k", 1, outputs, "e1", "r1"); // ... and its success is in its log: not running any more
      return false;
    });
    assertThat(theirs).isInstanceOf(StepCache.Hit.class);
    assertThat(((StepCache.Hit) theirs).outputs()).isEqualTo(outputs);
    assertThat(((StepCache.Hit) theirs).sourceExecution()).isEqualTo("e1");
  }

  /** A holder that died without a result: the next epoch is claimed. */
  @Test
  void aDeadHolderWithoutAResultLeavesTheNextEpochToTheWaiter() throws Exception {
    cache.lookupOrClaim("k", Optional.empty(), first, o -> true);
    assertThat(cache.lookupOrClaim("k", Optional.empty(), second, o -> false)).isEqualTo(new StepCache.Claimed(2));
  }
}

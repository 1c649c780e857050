package dev.mlops.serving;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** Batch scoring at the edges: empty input, a row that cannot be read, a failing sink or id. */
class BatchScorerEdgeCasesTest {
  private final BatchScorer<Integer, Integer> scorer = new BatchScorer<>(x -> {
    if (x == 13) {
      throw new IllegalArgumentException("cannot score 13");
    }
    return x * 2;
  }, 2, 4, 1, Clock.systemUTC());

  @Test
  void anEmptyInputGivesAnEmptyResultAndOneFinalProgressReport() throws Exception {
    List<BatchScorer.Progress> reports = new CopyOnWriteArrayList<>();
    BatchScorer.Result r = scorer.score(Collections.<Integer>emptyIterator(), String::valueOf, OptionalLong.of(0),
        (in, out) -> { throw new AssertionError("nothing to write"); }, reports::add);
    assertThat(r.done()).isZero();
    assertThat(r.failures()).isEmpty();
    assertThat(reports).singleElement().satisfies(p -> {
      assertThat(p.done()).isZero();
      assertThat(p.perSecond()).isZero();
    });
  }

  @Test
  void aRowThatFailsToScoreOrToWriteIsCollectedWithItsIdAndTheRestIsWritten() throws Exception {
    ConcurrentHashMap<Integer, Integer> out = new ConcurrentHashMap<>();
    BatchScorer.Result r = scorer.score(List.of(1, 13, 20, 21).iterator(), x -> "row-" + x, OptionalLong.empty(),
        (in, o) -> {
          if (in == 20) {
            throw new IllegalStateException("sink full at 20");
          }
          out.put(in, o);
        }, p -> { });
    assertThat(r.done()).isEqualTo(4);
    assertThat(r.failures()).extracting(BatchScorer.Failure::id).containsExactlyInAnyOrder("row-13", "row-20");
    assertThat(r.failures()).extracting(BatchScorer.Failure::error).anySatisfy(e -> assertThat(e).contains("13"));
    assertThat(out).containsOnlyKeys(1, 21);
  }

  @Test
  void aRowTheInputCannotReadIsARecordedFailureNotALostBatch() throws Exception {
    Iterator<Integer> brokenAtThird = new Iterator<>() {
      int i;

      @Override
      public boolean hasNext() {
        return i < 5;
      }

      @Override
      public Integer next() {
        if (i >= 5) {
          throw new NoSuchElementException();
        }
        int n = i++;
        if (n == 2) {
          throw new IllegalStateException("row 2: malformed line");
        }
        return n;
      }
    };
    ConcurrentHashMap<Integer, Integer> out = new ConcurrentHashMap<>();
    BatchScorer.Result r = scorer.score(brokenAtThird, x -> "row-" + x, OptionalLong.of(5), out::put, p -> { });
    assertThat(out).containsOnlyKeys(0, 1, 3, 4);
    assertThat(r.done()).isEqualTo(5);
    assertThat(r.failures()).singleElement().satisfies(f -> {
      assertThat(f.id()).contains("2");
      assertThat(f.error()).contains("malformed");
    });
  }

  @Test
  void anInputThatCannotReadAnythingStopsAfter100FailuresInARowInsteadOfSpinning() throws Exception {
    Iterator<Integer> broken = new Iterator<>() {
      @Override
      public boolean hasNext() {
        return true;
      }

      @Override
      public Integer next() {
        throw new IllegalStateException("connection lost");
      }
    };
    BatchScorer.Result r = scorer.score(broken, String::valueOf, OptionalLong.empty(), (in, o) -> { }, p -> { });
    assertThat(r.done()).isEqualTo(BatchScorer.MAX_UNREADABLE_IN_A_ROW);
    assertThat(r.failures()).hasSize(BatchScorer.MAX_UNREADABLE_IN_A_ROW + 1);
    assertThat(r.failures().get(r.failures().size() - 1).error()).contains("stopped reading");
  }

  @Test
  void aProgressConsumerThatThrowsDoesNotLoseTheResult() throws Exception {
    ConcurrentHashMap<Integer, Integer> out = new ConcurrentHashMap<>();
    BatchScorer.Result r = scorer.score(List.of(1, 2, 3).iterator(), String::valueOf, OptionalLong.of(3), out::put,
        p -> { throw new IllegalStateException("dashboard down"); });
    assertThat(r.done()).isEqualTo(3);
    assertThat(out).hasSize(3);
  }

  @Test
  void badBoundsAreRefusedNamingThem() {
    assertThatThrownBy(() -> new BatchScorer<Integer, Integer>(x -> x, 0, 4, 1, Clock.systemUTC()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0");
  }
}

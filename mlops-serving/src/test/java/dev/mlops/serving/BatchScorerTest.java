package dev.mlops.serving;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class BatchScorerTest {
  @Test
  void scoresEveryRecordCollectsFailuresByIdAndBoundsRecordsInFlight() throws Exception {
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxSeen = new AtomicInteger();
    Predictor<Integer, Integer> p = x -> {
      int now = inFlight.incrementAndGet();
      maxSeen.accumulateAndGet(now, Math::max);
      try {
        if (x % 97 == 0) {
          throw new IllegalArgumentException("bad record " + x);
        }
        return x * 2;
      } finally {
        inFlight.decrementAndGet();
      }
    };
    ConcurrentHashMap<Integer, Integer> out = new ConcurrentHashMap<>();
    List<BatchScorer.Progress> reports = new CopyOnWriteArrayList<>();
    BatchScorer<Integer, Integer> scorer = new BatchScorer<>(p, 3, 8, 1000, Clock.systemUTC());
    BatchScorer.Result r = scorer.score(IntStream.range(1, 10_001).iterator(), x -> "rec-" + x,
        OptionalLong.of(10_000), out::put, reports::add);
    assertThat(r.done()).isEqualTo(10_000);
    assertThat(r.failures()).hasSize(10_000 / 97);
    assertThat(r.failures()).extracting(BatchScorer.Failure::id).contains("rec-97", "rec-9991");
    assertThat(out).hasSize(10_000 - 10_000 / 97).containsEntry(5, 10);
    assertThat(maxSeen.get()).isLessThanOrEqualTo(3);
    assertThat(reports).isNotEmpty();
    BatchScorer.Progress last = reports.get(reports.size() - 1);
    assertThat(last.done()).isEqualTo(10_000);
    assertThat(last.eta()).hasValueSatisfying(eta -> assertThat(eta.isZero()).isTrue());
  }
}

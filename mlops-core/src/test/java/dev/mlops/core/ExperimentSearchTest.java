package dev.mlops.core;

import dev.mlops.testkit.SharedStore;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.Run;
import dev.mlops.RunId;
import dev.mlops.RunInfo;
import dev.mlops.RunPage;
import dev.mlops.RunQuery;
import dev.mlops.RunQuery.Field;
import dev.mlops.RunQuery.Filter;
import dev.mlops.RunQuery.Op;
import dev.mlops.RunStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ExperimentSearchTest {
  private final CoreWorkspace ws = CoreWorkspace.builder(new MemObjectStore()).clock(new RunMetricsTest.TickingClock()).build();
  private RunId r1;
  private RunId r2;
  private RunId r3;
  private RunId r4;
  private RunId r5;

  @BeforeEach
  void runs() {
    Run a1 = ws.experiments().startRun("a", "one");
    a1.logParam("lr", "0.1");
    a1.logParam("depth", "10");
    a1.logMetric("acc", 0.7, 1);
    a1.logMetric("acc", 0.8, 2);
    a1.setTag("team", "x");
    a1.end(RunStatus.FINISHED);
    Run a2 = ws.experiments().startRun("a", "two");
    a2.logParam("lr", "0.01");
    a2.logParam("depth", "9");
    a2.logMetric("acc", 0.9, 1);
    a2.setTag("team", "y");
    a2.end(RunStatus.FINISHED);
    Run a3 = ws.experiments().startRun("a", "three");
    a3.logParam("lr", "1e-3");
    a3.logParam("depth", "auto");
    a3.logMetric("acc", Double.NaN, 1); // still running: latest metrics come from its segments
    Run b4 = ws.experiments().startRun("b", "four");
    b4.logMetric("acc", 0.5, 1);
    b4.end(RunStatus.FAILED);
    Run b5 = ws.experiments().startRun("b", "five");
    b5.logParam("lr", "0.1");
    r1 = a1.id();
    r2 = a2.id();
    r3 = a3.id();
    r4 = b4.id();
    r5 = b5.id();
  }

  @AfterEach
  void close() {
    ws.close();
  }

  private List<RunId> ids(RunQuery.Builder q) {
    return ids(q.build());
  }

  private List<RunId> ids(RunQuery q) {
    return ws.experiments().search(q).runs().stream().map(RunInfo::id).toList();
  }

  @Test
  void defaultOrderIsNewestFirstOverAllExperiments() {
    assertThat(ids(RunQuery.builder())).containsExactly(r5, r4, r3, r2, r1);
    assertThat(ids(RunQuery.builder().experiment("b"))).containsExactly(r5, r4);
    assertThat(ids(RunQuery.builder().experiment("nope"))).isEmpty();
    assertThat(ids(RunQuery.builder().orderByStartTime(false))).containsExactly(r1, r2, r3, r4, r5);
  }

  @Test
  void paramsCompareAsNumbersWhenBothSidesAreNumbers() {
    // "10" > 9.5 as numbers (as text it would be smaller); "auto" vs "9.5" compares as text
    assertThat(ids(RunQuery.builder().param("depth", Op.GT, "9.5"))).containsExactly(r3, r1);
    assertThat(ids(RunQuery.builder().param("lr", Op.EQ, "0.10"))).containsExactly(r5, r1);
    assertThat(ids(RunQuery.builder().param("lr", Op.LT, "0.05"))).containsExactly(r3, r2);
    // runs lacking the param never match, not even NE
    assertThat(ids(RunQuery.builder().param("lr", Op.NE, "0.1"))).containsExactly(r3, r2);
  }

  @Test
  void metricsTagsStatusAndStartTimeFilter() {
    assertThat(ids(RunQuery.builder().metric("acc", Op.GE, 0.8))).containsExactly(r2, r1);
    assertThat(ids(RunQuery.builder().metric("acc", Op.NE, 0.8))).containsExactly(r4, r3, r2);
    assertThat(ids(RunQuery.builder().metric("acc", Op.EQ, Double.NaN))).containsExactly(r3);
    assertThat(ids(RunQuery.builder().tag("team", "y"))).containsExactly(r2);
    assertThat(ids(RunQuery.builder().status(RunStatus.RUNNING))).containsExactly(r5, r3);
    assertThat(ids(new RunQuery(List.of(), List.of(new Filter(Field.STATUS, "", Op.NE, "RUNNING")), List.of(), 100,
        Optional.empty()))).containsExactly(r4, r2, r1);
    long start3 = ws.experiments().getRun(r3).startedAt().toEpochMilli();
    assertThat(ids(new RunQuery(List.of(), List.of(new Filter(Field.START_TIME, "", Op.GE, Long.toString(start3))),
        List.of(), 100, Optional.empty()))).containsExactly(r5, r4, r3);
    assertThat(ids(RunQuery.builder().experiment("a").metric("acc", Op.GT, 0.0).param("lr", Op.GE, "0.05")))
        .containsExactly(r1);
  }

  @Test
  void orderPutsMissingAndNanLastInEitherDirection() {
    assertThat(ids(RunQuery.builder().orderByMetric("acc", true))).containsExactly(r2, r1, r4, r3, r5);
    assertThat(ids(RunQuery.builder().orderByMetric("acc", false))).containsExactly(r4, r1, r2, r3, r5);
    // numbers before text; missing last, ties newest first
    assertThat(ids(RunQuery.builder().orderByParam("depth", false))).containsExactly(r2, r1, r3, r5, r4);
    assertThat(ids(RunQuery.builder().orderByParam("lr", true).orderByStartTime(false)))
        .containsExactly(r1, r5, r2, r3, r4);
  }

  @Test
  void pagesFollowTokensAndTokensBelongToTheirQuery() {
    List<RunId> seen = new ArrayList<>();
    RunQuery.Builder q = RunQuery.builder().pageSize(2);
    RunPage page = ws.experiments().search(q.build());
    List<Integer> sizes = new ArrayList<>();
    while (true) {
      sizes.add(page.runs().size());
      page.runs().forEach(r -> seen.add(r.id()));
      if (page.nextPageToken().isEmpty()) {
        break;
      }
      page = ws.experiments().search(RunQuery.builder().pageSize(2).pageToken(page.nextPageToken().get()).build());
    }
    assertThat(sizes).containsExactly(2, 2, 1);
    assertThat(seen).containsExactly(r5, r4, r3, r2, r1);

    String token = ws.experiments().search(q.build()).nextPageToken().orElseThrow();
    assertThatThrownBy(() -> ws.experiments().search(RunQuery.builder().experiment("a").pageToken(token).build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(token).hasMessageContaining("not issued");
    assertThatThrownBy(() -> ws.experiments().search(RunQuery.builder().pageToken("garbage!").build()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("garbage!");
    assertThatThrownBy(() -> ws.experiments().search(RunQuery.builder().pageToken("").build()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void searchSeesRunsStartedAndEndedByAnotherWorkspace() {
    try (CoreWorkspace other = CoreWorkspace.builder(SharedStore.of(ws.store())).build()) {
      Run r = other.experiments().startRun("c");
      r.logMetric("acc", 0.99, 1);
      r.flush();
      assertThat(ids(RunQuery.builder().metric("acc", Op.GT, 0.95))).containsExactly(r.id());
      r.end(RunStatus.KILLED);
      assertThat(ids(RunQuery.builder().status(RunStatus.KILLED))).containsExactly(r.id());
      assertThat(ws.experiments().experimentNames()).containsExactly("a", "b", "c");
    }
  }
}

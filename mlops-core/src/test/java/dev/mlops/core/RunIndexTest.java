package dev.mlops.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.CorruptDataException;
import dev.mlops.Run;
import dev.mlops.RunInfo;
import dev.mlops.RunQuery;
import dev.mlops.RunStatus;
import dev.mlops.spi.ForwardingObjectStore;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The run search index: what it stores, what a search reads, and bad stored bytes. */
class RunIndexTest {
  private static final int BLOCK = 4;
  private static final RunQuery SORTED = RunQuery.builder().experiment("e").orderByMetric("acc", true).pageSize(5)
      .build();

  /** The real mem: store, recording which runs' objects were read. */
  static final class ReadRecordingStore extends ForwardingObjectStore {
    final MemObjectStore mem;
    final Set<String> runsRead = ConcurrentHashMap.newKeySet();

    ReadRecordingStore(MemObjectStore mem) {
      super(mem);
      this.mem = mem;
    }

    @Override public Optional<byte[]> get(String key) {
      record(key);
      return super.get(key);
    }

    @Override public dev.mlops.spi.ListPage list(String prefix, String startAfter, int limit) {
      record(prefix);
      return super.list(prefix, startAfter, limit);
    }

    private void record(String key) {
      if (key.startsWith("runs/")) {
        runsRead.add(key.split("/")[1]);
      }
    }
  }

  private final RunIndexPropertiesTest.JumpingClock clock = new RunIndexPropertiesTest.JumpingClock();
  private final MemObjectStore mem = new MemObjectStore();
  private final RunIndexPropertiesTest.EntryDroppingStore dropping = new RunIndexPropertiesTest.EntryDroppingStore(mem);
  private final List<CoreExperiments> opened = new ArrayList<>();

  @AfterEach
  void close() {
    opened.forEach(CoreExperiments::close);
  }

  private CoreExperiments open(dev.mlops.spi.ObjectStore store) {
    CoreExperiments ex = new CoreExperiments(store, clock, "t", MetricBuffer.Settings.DEFAULTS, BLOCK);
    opened.add(ex);
    return ex;
  }

  private List<Run> endRuns(CoreExperiments ex, int n) {
    return endRuns(ex, n, false);
  }

  /** @param loseEndEntries whether the writer dies between each END entry and its index entry */
  private List<Run> endRuns(CoreExperiments ex, int n, boolean loseEndEntries) {
    List<Run> runs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Run r = ex.startRun("e", "r" + i, Map.of("depth", Integer.toString(i % 3)), Map.of());
      r.logMetric("acc", i / 100.0, 1);
      dropping.dropEntries = loseEndEntries;
      try {
        r.end(RunStatus.FINISHED);
      } finally {
        dropping.dropEntries = false;
      }
      runs.add(r);
    }
    return runs;
  }

  private List<String> keys(String prefix) {
    return mem.listAll(prefix).toList();
  }

  @Test
  void eachEndedRunGetsAnEntryAndEveryWholeBlockASegment() {
    endRuns(open(dropping), 9);
    assertThat(keys("experiments/search/e/entries/")).as("a start and an end entry per run").hasSize(18);
    assertThat(keys("experiments/search/e/segments/")).containsExactly(
        "experiments/search/e/segments/000000000000-000000000004",
        "experiments/search/e/segments/000000000004-000000000008",
        "experiments/search/e/segments/000000000008-000000000012",
        "experiments/search/e/segments/000000000012-000000000016");
  }

  @Test
  void aSortedSearchInAFreshProcessReadsOnlyThePagesRuns() {
    endRuns(open(dropping), 30);
    Run running = open(dropping).startRun("e", "still running");
    running.logMetric("acc", 0.95, 1);
    running.flush();

    ReadRecordingStore recording = new ReadRecordingStore(mem);
    CoreExperiments reader = open(recording);
    List<RunInfo> page = reader.search(SORTED).runs();
    assertThat(page).extracting(RunInfo::name).containsExactly("still running", "r29", "r28", "r27", "r26");
    assertThat(recording.runsRead).hasSize(5);

    ReadRecordingStore scanning = new ReadRecordingStore(mem);
    assertThat(open(scanning).scan(SORTED).runs()).isEqualTo(page);
    assertThat(scanning.runsRead).hasSize(31); // what the index saves
  }

  @Test
  void anOldStoreIsIndexedByRepairIndex() {
    dropping.oldWriter = true; // as if written before the index existed
    endRuns(open(dropping), 10);
    dropping.oldWriter = false;
    assertThat(keys(RunIndex.PREFIX)).isEmpty();

    assertThat(open(mem).repairIndex()).isZero(); // no marker was missing
    assertThat(keys("experiments/search/e/bulk/")).as("the runs' starts, and their ends").hasSize(2);
    assertThat(keys("experiments/search/e/complete")).hasSize(1);
    ReadRecordingStore recording = new ReadRecordingStore(mem);
    assertThat(open(recording).search(SORTED).runs()).extracting(RunInfo::name)
        .containsExactly("r9", "r8", "r7", "r6", "r5");
    assertThat(recording.runsRead).hasSize(5);
  }

  @Test
  void aSearchBackfillsRunsThatEndedLongAgoWithoutAnEntry() {
    endRuns(open(dropping), 10, true); // the writer died between the END entries and the index entries
    CoreExperiments reader = open(mem);
    reader.search(SORTED);
    assertThat(keys("experiments/search/e/bulk/")).as("ended moments ago: maybe their writer is still writing")
        .isEmpty();
    clock.jump(CoreExperiments.BACKFILL_AFTER.plusSeconds(1));
    open(mem).search(SORTED);
    assertThat(keys("experiments/search/e/bulk/")).hasSize(1);

    ReadRecordingStore recording = new ReadRecordingStore(mem);
    open(recording).search(SORTED);
    assertThat(recording.runsRead).hasSize(5);
  }

  @Test
  void aReadOnlyProcessRemembersWhatItReadAndWritesNothing() {
    dropping.oldWriter = true;
    endRuns(open(dropping), 10);
    dropping.oldWriter = false;
    clock.jump(CoreExperiments.BACKFILL_AFTER.plusSeconds(1));
    ReadRecordingStore recording = new ReadRecordingStore(mem);
    CoreExperiments reader = open(new ReadOnlyObjectStore(recording, URI.create("file:/ro")));
    reader.search(SORTED);
    assertThat(recording.runsRead).hasSize(10);
    assertThat(keys(RunIndex.PREFIX)).isEmpty();
    assertThat(reader.index().size()).as("ended runs read once are remembered in the process").isEqualTo(10);
  }

  @Test
  void aDamagedSegmentIsNamed() {
    endRuns(open(dropping), 5);
    String segment = "experiments/search/e/segments/000000000000-000000000004";
    rewrite(segment, s -> s.replace("\"FINISHED\"", "\"FAILED\""));
    assertThatThrownBy(() -> open(mem).search(SORTED)).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(segment).hasMessageContaining("SHA-256");
  }

  @Test
  void aMalformedEntryIsNamed() {
    endRuns(open(dropping), 1);
    String entry = "experiments/search/e/entries/000000000000/000000000001"; // the run's end entry
    rewrite(entry, s -> s.replace("\"startedAt\"", "\"startedOn\""));
    assertThatThrownBy(() -> open(mem).search(SORTED)).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(entry).hasMessageContaining("startedAt");
    rewrite(entry, s -> "not json");
    assertThatThrownBy(() -> open(mem).search(SORTED)).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(entry);
  }

  @Test
  void anEntryThatDisagreesWithItsRunsLogIsNamed() {
    endRuns(open(dropping), 1);
    String entry = "experiments/search/e/entries/000000000000/000000000001";
    rewrite(entry, s -> s.replace("\"depth\":\"0\"", "\"depth\":\"7\""));
    assertThatThrownBy(() -> open(mem).search(SORTED)).isInstanceOf(CorruptDataException.class)
        .hasMessageContaining(entry).hasMessageContaining("disagrees");
  }

  @Test
  void anEntryUnderAnotherExperimentIsRefused() {
    endRuns(open(dropping), 1);
    String entry = "experiments/search/e/entries/000000000000/000000000001";
    String moved = "experiments/search/f/entries/000000000000/000000000000";
    mem.create(moved, mem.get(entry).orElseThrow());
    open(dropping).startRun("f").end(RunStatus.FINISHED);
    assertThat(keys("experiments/search/f/entries/")).as("the new run took the next numbers").hasSize(3);
    assertThatThrownBy(() -> open(mem).search(RunQuery.builder().experiment("f").orderByStartTime(true).build()))
        .isInstanceOf(CorruptDataException.class).hasMessageContaining(moved).hasMessageContaining("'e'");
  }

  @Test
  void aSegmentHoldsExactlyTheStoredEntriesOfItsBlockWhenTwoWritersInterleave() {
    // the writer of a block's last entry takes its own entries from memory, the other's from the store
    CoreExperiments a = open(mem);
    CoreExperiments b = open(mem);
    for (int i = 0; i < 7; i++) {
      Run ra = a.startRun("e", "a" + i, Map.of("depth", "1"), Map.of());
      Run rb = b.startRun("e", "b" + i);
      rb.logMetric("acc", i, 1);
      ra.end(RunStatus.FINISHED);
      if (i % 3 != 0) {
        rb.end(RunStatus.FAILED);
      }
    }
    List<String> segments = keys("experiments/search/e/segments/");
    assertThat(segments).hasSize(keys("experiments/search/e/entries/").size() / BLOCK);
    for (String segment : segments) {
      long from = Long.parseLong(segment.substring(segment.lastIndexOf('/') + 1, segment.lastIndexOf('-')));
      List<com.fasterxml.jackson.databind.JsonNode> stored = new ArrayList<>();
      for (long n = from; n < from + BLOCK; n++) {
        String entry = "experiments/search/e/entries/" + RunIndex.pad(n / BLOCK) + "/" + RunIndex.pad(n);
        stored.add(dev.mlops.core.internal.Json.read(entry, mem.get(entry).orElseThrow(), com.fasterxml.jackson.databind.JsonNode.class));
      }
      // what the segment's format says, built as a JSON tree (as segments were built before)
      com.fasterxml.jackson.databind.node.ObjectNode tree = dev.mlops.core.internal.Json.MAPPER.createObjectNode();
      tree.put("format", RunFacts.FORMAT);
      tree.put("from", from);
      tree.putArray("entries").addAll(stored);
      byte[] body = dev.mlops.core.internal.Json.write(tree);
      String expected = new String(body, StandardCharsets.UTF_8) + "\nsha256:" + dev.mlops.Digest.of(body).hex() + "\n";
      assertThat(new String(mem.get(segment).orElseThrow(), StandardCharsets.UTF_8)).as(segment).isEqualTo(expected);
      assertThat(RunIndex.decodeSegment(segment, mem.get(segment).orElseThrow(), from, from + BLOCK)).isEqualTo(stored);
    }
    assertThat(open(mem).search(RunQuery.builder().experiment("e").orderByStartTime(true).pageSize(100).build()).runs())
        .hasSize(14);
  }

  @Test
  void entryNumbersAreTwelveZeroPaddedDigits() {
    java.util.Random random = new java.util.Random(11);
    List<Long> values = new ArrayList<>(List.of(0L, 1L, 9L, 10L, 999L, 1000L, 999_999_999_999L, 1_000_000_000_000L,
        Long.MAX_VALUE));
    for (int i = 0; i < 10_000; i++) {
      values.add(random.nextLong() >>> random.nextInt(64));
    }
    for (long v : values) {
      assertThat(RunIndex.pad(v)).isEqualTo(String.format("%012d", v));
    }
  }

  private void rewrite(String key, UnaryOperator<String> change) {
    String text = new String(mem.get(key).orElseThrow(), StandardCharsets.UTF_8);
    String changed = change.apply(text);
    assertThat(changed).as("the change applies to %s", key).isNotEqualTo(text);
    mem.delete(key);
    mem.create(key, changed.getBytes(StandardCharsets.UTF_8));
  }

}

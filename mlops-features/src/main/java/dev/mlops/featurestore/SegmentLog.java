package dev.mlops.featurestore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.AlreadyExistsException;
import dev.mlops.CorruptDataException;
import dev.mlops.core.internal.HashChainedLog;
import dev.mlops.core.internal.Json;
import dev.mlops.spi.ObjectStore;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The manifest of one stored table's offline segments: a hash-chained log
 * ({@code <table>/segment-log/<seq>.json}) with one entry per segment, naming its SHA-256 (which is
 * also its key and the digest of its rows) and its row count. A push records its segment after
 * publishing it, so a recorded segment always exists: one that is missing was deleted behind the
 * library's back and is reported, and a segment whose content no longer matches its digest is
 * reported when read. A published segment that is not (yet) recorded belongs to a push that is
 * still running or crashed before recording it: it is not read, and pushing the same batch again
 * records it. The log's order is the segments' rank (first recorded wins ties of identical rows).
 *
 * <p>Thread-safe (the folded state is replaced under this object's lock and read as an immutable
 * snapshot).
 */
final class SegmentLog {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  /**
   * One recorded segment.
   *
   * @param digest SHA-256 of its rows, also its name
   * @param rows how many rows it holds
   * @param sha256 SHA-256 of the stored file's bytes
   * @param size the stored file's length in bytes
   * @param seq the log entry that records it
   */
  record Segment(String digest, long rows, String sha256, long size, long seq) {}

  /** The SHA-256 and length of a stored segment file. */
  record FileDigest(String sha256, long size) {}

  private record State(long seq, String hash, List<Segment> segments, Set<String> digests) {}

  private final HashChainedLog log;
  private State state = new State(0, HashChainedLog.GENESIS, List.of(), Set.of());

  SegmentLog(ObjectStore store, String prefix) {
    this.log = new HashChainedLog(store, prefix);
  }

  /**
   * @return the recorded segments, oldest first, read from the store now
   * @throws CorruptDataException if the log is damaged
   */
  synchronized List<Segment> segments() {
    return refresh().segments;
  }

  /**
   * Records a published segment unless it is recorded already.
   *
   * @param digest the SHA-256 of the segment's rows (hex), its name
   * @param rows its row count
   * @param file the SHA-256 and size of the stored file, asked for only if it is not recorded yet
   * @param now the recording time
   */
  synchronized void record(String digest, long rows, java.util.function.Supplier<FileDigest> file, Instant now) {
    FileDigest f = null;
    while (true) {
      State s = refresh();
      if (s.digests.contains(digest)) {
        return;
      }
      f = f != null ? f : file.get();
      ObjectNode body = Json.MAPPER.createObjectNode();
      body.put("segment", digest);
      body.put("rows", rows);
      body.put("sha256", f.sha256());
      body.put("size", f.size());
      body.put("recordedAt", now.toString());
      try {
        log.append(s.seq, s.hash, body);
        return;
      } catch (AlreadyExistsException lostRace) {
        // another push recorded first: re-read and check again
      }
    }
  }

  private static boolean isSha256(JsonNode n) {
    return n != null && n.isTextual() && SHA256.matcher(n.asText()).matches();
  }

  private State refresh() {
    List<HashChainedLog.Entry> entries = log.readAfter(state.seq, state.hash);
    if (entries.isEmpty()) {
      return state;
    }
    List<Segment> segments = new ArrayList<>(state.segments);
    Set<String> digests = new HashSet<>(state.digests);
    for (HashChainedLog.Entry e : entries) {
      JsonNode digest = e.body().get("segment");
      JsonNode rows = e.body().get("rows");
      JsonNode sha = e.body().get("sha256");
      JsonNode size = e.body().get("size");
      if (!isSha256(digest) || !isSha256(sha) || rows == null || !rows.canConvertToLong() || rows.asLong() < 1
          || size == null || !size.canConvertToLong() || size.asLong() < 1) {
        throw new CorruptDataException("segment log entry '" + e.key() + "' does not name a segment, its row count, "
            + "SHA-256 and size");
      }
      if (digests.add(digest.asText())) {
        segments.add(new Segment(digest.asText(), rows.asLong(), sha.asText(), size.asLong(), e.seq()));
      }
    }
    HashChainedLog.Entry last = entries.get(entries.size() - 1);
    state = new State(last.seq(), last.hash(), List.copyOf(segments), Set.copyOf(digests));
    return state;
  }
}

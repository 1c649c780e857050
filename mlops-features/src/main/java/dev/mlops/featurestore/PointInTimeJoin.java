package dev.mlops.featurestore;

import dev.mlops.features.FeatureRef;
import dev.mlops.features.FeatureValue;
import dev.mlops.features.TrainingRow;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Comparator;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * The merge join behind training sets. Both inputs arrive sorted: entity rows by (entity, as-of
 * time), each view's offline rows by {@link StoredRow#JOIN_ORDER}. For every entity row, each
 * view's cursor advances over the rows of smaller entities (skipped) and over the rows of the same
 * entity with event time at or before the as-of time; the last such row is, by the sort order, the
 * winner (latest event, then latest created, then first segment). A view's winner carries over to
 * the next entity row of the same entity, whose as-of time is not earlier. Memory: one row per view.
 *
 * <p>Not thread-safe; confine to one thread.
 */
final class PointInTimeJoin implements Iterator<TrainingRow> {

  /** An entity row as sorted: key, as-of micros, and its input position to keep sort order total. */
  record Probe(String entityKey, long atMicros, long position) {
    static final Comparator<Probe> ORDER = Comparator.comparing(Probe::entityKey)
        .thenComparingLong(Probe::atMicros).thenComparingLong(Probe::position);

    static final ExternalSorter.Codec<Probe> CODEC = new ExternalSorter.Codec<>() {
      @Override
      public void write(DataOutputStream out, Probe p) throws IOException {
        RowCodec.writeString(out, p.entityKey);
        out.writeLong(p.atMicros);
        out.writeLong(p.position);
      }

      @Override
      public Probe read(DataInputStream in) throws IOException {
        return new Probe(RowCodec.readString(in), in.readLong(), in.readLong());
      }
    };
  }

  /** One view's side of the join: its sorted rows (projected) and the current winner. */
  static final class Side {
    final Iterator<StoredRow> rows;
    final long ttlMicros;
    StoredRow peeked;
    StoredRow winner;
    String winnerEntity;

    Side(Iterator<StoredRow> rows, long ttlMicros) {
      this.rows = rows;
      this.ttlMicros = ttlMicros;
      this.peeked = rows.hasNext() ? rows.next() : null;
    }

    StoredRow advance(String entityKey, long atMicros) {
      if (!entityKey.equals(winnerEntity)) {
        winner = null;
        winnerEntity = entityKey;
      }
      while (peeked != null) {
        int c = peeked.entityKey().compareTo(entityKey);
        if (c > 0 || (c == 0 && peeked.eventMicros() > atMicros)) {
          break;
        }
        if (c == 0) {
          winner = peeked;
        }
        peeked = rows.hasNext() ? rows.next() : null;
      }
      return winner;
    }
  }

  private final Iterator<Probe> probes;
  private final Side[] sides;
  private final FeatureRef[] refs;
  private final int[] sideOfRef;
  private final int[] columnOfRef;

  /**
   * @param probes sorted entity rows
   * @param sides one per view
   * @param refs requested features, in output order
   * @param sideOfRef for each ref, its side
   * @param columnOfRef for each ref, its column in that side's projected rows
   */
  PointInTimeJoin(Iterator<Probe> probes, Side[] sides, FeatureRef[] refs, int[] sideOfRef, int[] columnOfRef) {
    this.probes = probes;
    this.sides = sides;
    this.refs = refs;
    this.sideOfRef = sideOfRef;
    this.columnOfRef = columnOfRef;
  }

  @Override
  public boolean hasNext() {
    return probes.hasNext();
  }

  @Override
  public TrainingRow next() {
    if (!probes.hasNext()) {
      throw new NoSuchElementException();
    }
    Probe p = probes.next();
    StoredRow[] winners = new StoredRow[sides.length];
    for (int s = 0; s < sides.length; s++) {
      winners[s] = sides[s].advance(p.entityKey(), p.atMicros());
    }
    FeatureValue[] values = new FeatureValue[refs.length];
    for (int i = 0; i < refs.length; i++) {
      Side side = sides[sideOfRef[i]];
      values[i] = FeatureValues.of(refs[i], winners[sideOfRef[i]], columnOfRef[i], p.atMicros(), side.ttlMicros);
    }
    return new TrainingRow(p.entityKey(), Micros.toInstant(p.atMicros()), java.util.List.of(values));
  }
}

package dev.mlops.featurestore;

import java.util.Comparator;

/**
 * One row as stored and sorted internally: times in microseconds, values positional in the
 * order of the view's features (or of a projection of them), {@code null} where the row has no
 * value. {@code segment} is the rank of the offline segment the row came from (lower ranks win
 * ties of identical (entity, event, created) triples); 0 where it does not matter.
 *
 * <p>Not thread-safe by itself; instances are never modified after construction and are shared
 * read-only.
 */
record StoredRow(String entityKey, long eventMicros, long createdMicros, int segment, Object[] values) {

  /**
   * Sort order of the merge join and of materialization: entity, event time, created time, then
   * segment rank DESCENDING, so that the last row of a run of equal keys is the winner.
   */
  static final Comparator<StoredRow> JOIN_ORDER = (a, b) -> {
    int c = a.entityKey.compareTo(b.entityKey);
    if (c != 0) {
      return c;
    }
    c = Long.compare(a.eventMicros, b.eventMicros);
    if (c != 0) {
      return c;
    }
    c = Long.compare(a.createdMicros, b.createdMicros);
    if (c != 0) {
      return c;
    }
    return Integer.compare(b.segment, a.segment);
  };

  /**
   * Whether this row beats {@code other} for the same entity: later event time, then later
   * created time, then lower segment rank.
   *
   * @param other another row of the same entity
   * @return whether this one wins
   */
  boolean beats(StoredRow other) {
    return JOIN_ORDER.compare(this, other) > 0;
  }

  /**
   * Online order: later event time, then later created time (an online row's key is its
   * (event, created) pair, so no segment rank is involved).
   *
   * @param other another row of the same entity
   * @return whether this one is newer
   */
  boolean beatsOnline(StoredRow other) {
    return eventMicros != other.eventMicros ? eventMicros > other.eventMicros : createdMicros > other.createdMicros;
  }

  StoredRow project(int[] columns) {
    Object[] v = new Object[columns.length];
    for (int i = 0; i < columns.length; i++) {
      v[i] = values[columns[i]];
    }
    return new StoredRow(entityKey, eventMicros, createdMicros, segment, v);
  }
}

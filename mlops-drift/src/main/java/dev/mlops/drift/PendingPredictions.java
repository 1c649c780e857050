package dev.mlops.drift;

/**
 * One segment of the delayed-label buffer: the latest {@code capacity} predictions of this
 * segment, in arrival order (a ring), indexed by prediction id (open addressing with linear
 * probing, backward-shift deletion). A prediction leaves when its label arrives or, unlabelled,
 * when the ring is full and it is the oldest (an eviction, counted). Allocates nothing after
 * construction.
 *
 * <p>Not thread-safe on its own; every access holds the segment's lock.
 */
final class PendingPredictions extends SpinLocked {
  private final int capacity;
  private final long[] ringIds;
  private final double[] ringPredictions;
  private final boolean[] ringLive;
  private long head;
  private long tail;
  private final long[] tableIds;
  private final int[] tablePositions; // ring index + 1; 0 = empty slot
  private final int tableMask;
  long evicted;
  long evictedTotal;
  long duplicates;

  PendingPredictions(int capacity) {
    this.capacity = capacity;
    ringIds = new long[capacity];
    ringPredictions = new double[capacity];
    ringLive = new boolean[capacity];
    int tableSize = Integer.highestOneBit(Math.max(2, capacity) * 2 - 1) << 1;
    tableIds = new long[tableSize];
    tablePositions = new int[tableSize];
    tableMask = tableSize - 1;
  }

  static int hash(long id) {
    return (int) ((id * 0x9E3779B97F4A7C15L) >>> 33);
  }

  void put(long id, double prediction) {
    if (tail - head == capacity) {
      int r = (int) (head % capacity);
      if (ringLive[r]) {
        removeSlot(find(ringIds[r]));
        ringLive[r] = false;
        evicted++;
        evictedTotal++;
      }
      head++;
    }
    int r = (int) (tail % capacity);
    int slot = find(id);
    if (slot >= 0) {
      ringLive[tablePositions[slot] - 1] = false;
      tablePositions[slot] = r + 1;
      duplicates++;
    } else {
      int i = hash(id) & tableMask;
      while (tablePositions[i] != 0) {
        i = (i + 1) & tableMask;
      }
      tableIds[i] = id;
      tablePositions[i] = r + 1;
    }
    ringIds[r] = id;
    ringPredictions[r] = prediction;
    ringLive[r] = true;
    tail++;
  }

  /**
   * Removes a pending prediction.
   *
   * @return its ring index (read {@link #predictionAt} before unlocking), or -1 if absent
   */
  int take(long id) {
    int slot = find(id);
    if (slot < 0) {
      return -1;
    }
    int r = tablePositions[slot] - 1;
    removeSlot(slot);
    ringLive[r] = false;
    return r;
  }

  double predictionAt(int ringIndex) {
    return ringPredictions[ringIndex];
  }

  int size() {
    int n = 0;
    for (int p : tablePositions) {
      n += p != 0 ? 1 : 0;
    }
    return n;
  }

  private int find(long id) {
    int i = hash(id) & tableMask;
    while (tablePositions[i] != 0) {
      if (tableIds[i] == id) {
        return i;
      }
      i = (i + 1) & tableMask;
    }
    return -1;
  }

  private void removeSlot(int slot) {
    int hole = slot;
    int i = slot;
    while (true) {
      i = (i + 1) & tableMask;
      if (tablePositions[i] == 0) {
        break;
      }
      int home = hash(tableIds[i]) & tableMask;
      // move entry i into the hole if its home is not cyclically within (hole, i]
      boolean movable = hole <= i ? (home <= hole || home > i) : (home <= hole && home > i);
      if (movable) {
        tableIds[hole] = tableIds[i];
        tablePositions[hole] = tablePositions[i];
        hole = i;
      }
    }
    tablePositions[hole] = 0;
  }
}

package dev.mlops.featurestore;

import dev.mlops.StorageException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;

/**
 * Sorts any number of items in bounded memory: items are buffered, and every {@code runSize}
 * items the buffer is sorted and spilled to a temporary file; {@link #sorted()} then merges the
 * runs (a k-way merge through a priority queue, one buffered reader per run). With a single run
 * nothing touches the disk. Ties keep no particular order, so the comparator must be total where
 * order matters. {@link #close()} deletes the spill files.
 *
 * <p>Not thread-safe; confine to one thread.
 */
final class ExternalSorter<T> implements AutoCloseable {

  /** Reads and writes items of a run. */
  interface Codec<T> {
    void write(DataOutputStream out, T item) throws IOException;

    T read(DataInputStream in) throws IOException;
  }

  private static final int IO_BUFFER = 1 << 16;

  private final Comparator<? super T> order;
  private final Codec<T> codec;
  private final Path spillDirectory;
  private final int runSize;
  private final List<Path> runs = new ArrayList<>();
  private final List<DataInputStream> readers = new ArrayList<>();
  private ArrayList<T> buffer = new ArrayList<>();
  private long count;
  private boolean finished;

  ExternalSorter(Comparator<? super T> order, Codec<T> codec, Path spillDirectory, int runSize) {
    this.order = order;
    this.codec = codec;
    this.spillDirectory = spillDirectory;
    this.runSize = runSize;
  }

  void add(T item) {
    if (finished) {
      throw new IllegalStateException("sorter already finished");
    }
    buffer.add(item);
    count++;
    if (buffer.size() >= runSize) {
      spill();
    }
  }

  long count() {
    return count;
  }

  int spilledRuns() {
    return runs.size();
  }

  /** @return all items in order; may be called once */
  Iterator<T> sorted() {
    if (finished) {
      throw new IllegalStateException("sorter already finished");
    }
    finished = true;
    if (runs.isEmpty()) {
      buffer.sort(order);
      List<T> all = buffer;
      buffer = new ArrayList<>();
      return all.iterator();
    }
    if (!buffer.isEmpty()) {
      spill();
    }
    buffer = null;
    return merge();
  }

  private void spill() {
    buffer.sort(order);
    try {
      Files.createDirectories(spillDirectory);
      Path file = Files.createTempFile(spillDirectory, "mlops-run-", ".bin");
      runs.add(file);
      try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), IO_BUFFER))) {
        for (T item : buffer) {
          out.writeBoolean(true);
          codec.write(out, item);
        }
        out.writeBoolean(false);
      }
    } catch (IOException e) {
      throw new StorageException("cannot spill a sorted run to " + spillDirectory + ": " + e.getMessage(), e, false);
    }
    buffer.clear();
  }

  private Iterator<T> merge() {
    record Head<T>(T item, DataInputStream in) {}
    PriorityQueue<Head<T>> heap = new PriorityQueue<>(runs.size(), (a, b) -> order.compare(a.item, b.item));
    try {
      for (Path run : runs) {
        DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(run), IO_BUFFER));
        readers.add(in);
        T first = readNext(in);
        if (first != null) {
          heap.add(new Head<>(first, in));
        }
      }
    } catch (IOException e) {
      throw new StorageException("cannot read a spilled run: " + e.getMessage(), e, false);
    }
    return new Iterator<>() {
      @Override
      public boolean hasNext() {
        return !heap.isEmpty();
      }

      @Override
      public T next() {
        Head<T> h = heap.poll();
        if (h == null) {
          throw new NoSuchElementException();
        }
        try {
          T following = readNext(h.in);
          if (following != null) {
            heap.add(new Head<>(following, h.in));
          }
        } catch (IOException e) {
          throw new UncheckedIOException("cannot read a spilled run", e);
        }
        return h.item;
      }
    };
  }

  private T readNext(DataInputStream in) throws IOException {
    return in.readBoolean() ? codec.read(in) : null;
  }

  @Override
  public void close() {
    buffer = null;
    for (DataInputStream in : readers) {
      try {
        in.close();
      } catch (IOException ignored) {
        // closing a read-only temp file; deletion below is what matters
      }
    }
    readers.clear();
    for (Path run : runs) {
      try {
        Files.deleteIfExists(run);
      } catch (IOException ignored) {
        // a leftover spill file in the temp directory is harmless
      }
    }
    runs.clear();
  }
}

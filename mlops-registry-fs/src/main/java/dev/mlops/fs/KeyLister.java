package dev.mlops.fs;

import dev.mlops.CorruptDataException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * One {@code list} call: walks the directories that keys map to, in key order, reading only the
 * directories that can hold keys of the page and stopping as soon as the page is full.
 *
 * <p>Order: within one directory, a file {@code n} stands for the key {@code base + n} and a
 * directory {@code n} for keys {@code base + n + "/..."}. Sorting entries by {@code n} for files and
 * {@code n + "/"} for directories gives exactly {@link String#compareTo} order of the full keys.
 * Entry types are looked up lazily ({@code lstat} per entry actually emitted, plus a few), because
 * a directory entry can only move behind names that extend it with {@code '-'} or {@code '.'},
 * the two key characters below {@code '/'}.
 *
 * <p>Not thread-safe; confine to one thread (one instance per call).
 */
final class KeyLister {
  private final String startAfter;
  private final int want;
  private final List<String> out = new ArrayList<>();

  /**
   * @param startAfter exclusive lower bound
   * @param want how many keys to collect before stopping (limit + 1, to know about truncation)
   */
  KeyLister(String startAfter, int want) {
    this.startAfter = startAfter;
    this.want = want;
  }

  List<String> keys() {
    return out;
  }

  /**
   * Walks {@code dir}, whose entries are keys {@code base + name...}, taking only entries whose name
   * starts with {@code namePrefix}.
   *
   * @return true when the page is full
   */
  boolean walk(Path dir, String base, String namePrefix) {
    List<String> names = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (name.startsWith(namePrefix) && FsKeys.isValidSegment(name) && mayHoldKeysAfterStart(base, name)) {
          names.add(name);
        }
      }
    } catch (NoSuchFileException | NotDirectoryException e) {
      return false; // removed by a concurrent delete, or never there
    } catch (IOException e) {
      throw FsObjectStore.storageFailure("listing directory " + dir + " failed", e);
    }
    Collections.sort(names);
    PriorityQueue<Entry> ready = new PriorityQueue<>(Comparator.comparing(Entry::sortKey));
    int next = 0;
    while (next < names.size() || !ready.isEmpty()) {
      // Every entry not yet looked at sorts at or after its own name, so the head of `ready`
      // can be emitted once it sorts before the next unread name.
      if (!ready.isEmpty() && (next == names.size() || ready.peek().sortKey().compareTo(names.get(next)) < 0)) {
        if (emit(dir, base, ready.poll())) {
          return true;
        }
        continue;
      }
      String name = names.get(next++);
      Entry e = lookUp(dir, base, name);
      if (e != null) {
        ready.add(e);
      }
    }
    return false;
  }

  private boolean emit(Path dir, String base, Entry e) {
    String key = base + e.name();
    if (e.directory()) {
      return walk(dir.resolve(e.name()), key + "/", "");
    }
    if (key.compareTo(startAfter) > 0 && key.length() <= FsKeys.MAX_KEY_LENGTH) {
      out.add(key);
    }
    return out.size() >= want;
  }

  private Entry lookUp(Path dir, String base, String name) {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(dir.resolve(name), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null; // deleted since the directory was read
    } catch (IOException e) {
      throw FsObjectStore.storageFailure("reading attributes of " + dir.resolve(name) + " failed", e);
    }
    if (attrs.isDirectory()) {
      return new Entry(name, true);
    }
    if (attrs.isRegularFile()) {
      return new Entry(name, false);
    }
    throw new CorruptDataException("storage key '" + base + name + "' is "
        + (attrs.isSymbolicLink() ? "a symbolic link" : "not a regular file or directory")
        + " at " + dir.resolve(name) + "; the file: store never creates one and never follows one,"
        + " so the store has been tampered with or damaged");
  }

  /** Whether the file {@code base+name} or some key under the directory {@code base+name/} can be listed. */
  private boolean mayHoldKeysAfterStart(String base, String name) {
    String asFile = base + name;
    if (asFile.compareTo(startAfter) > 0) {
      return true;
    }
    String asDir = asFile + "/";
    return asDir.compareTo(startAfter) > 0 || startAfter.startsWith(asDir);
  }

  private record Entry(String name, boolean directory) {
    String sortKey() {
      return directory ? name + "/" : name;
    }
  }
}

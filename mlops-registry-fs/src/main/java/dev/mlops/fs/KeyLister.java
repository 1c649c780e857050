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
import java.util.Comparator;
import java.util.List;

/**
 * One {@code list} call: walks the directories that keys map to, in key order, reading only the
 * directories that can hold keys of the page and stopping as soon as the page is full.
 *
 * <p>Order: within one directory, a file {@code n} stands for the key {@code base + n} and a
 * directory {@code n+} for the keys {@code base + n + "/..."}. Sorting entries by {@code n} for
 * files and {@code n + "/"} for directories gives exactly {@link String#compareTo} order of the full
 * keys, so a depth-first walk in that order yields keys in order. Names that are neither (the
 * store's own {@code ~} entries, files a person dropped in) are ignored.
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
   * Walks {@code dir}, whose entries are keys {@code base + segment...}, taking only segments that
   * start with {@code segmentPrefix}.
   *
   * @return true when the page is full
   */
  boolean walk(Path dir, String base, String segmentPrefix) {
    List<Entry> entries = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path p : stream) {
        Entry e = Entry.of(p.getFileName().toString());
        if (e != null && e.segment().startsWith(segmentPrefix) && mayHoldKeysAfterStart(base, e)) {
          entries.add(e);
        }
      }
    } catch (NoSuchFileException | NotDirectoryException e) {
      return false; // removed by a concurrent delete, or never there
    } catch (IOException e) {
      throw FsObjectStore.storageFailure("listing directory " + dir + " failed", e);
    }
    entries.sort(Comparator.comparing(Entry::sortKey));
    for (Entry e : entries) {
      if (emit(dir, base, e)) {
        return true;
      }
    }
    return false;
  }

  private boolean emit(Path dir, String base, Entry e) {
    Path path = dir.resolve(e.fileName());
    String key = base + e.segment();
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException ex) {
      return false; // deleted since the directory was read
    } catch (IOException ex) {
      throw FsObjectStore.storageFailure("reading attributes of " + path + " failed", ex);
    }
    if (attrs.isSymbolicLink() || attrs.isOther()) {
      throw new CorruptDataException("storage key '" + key + (e.directory() ? "/" : "") + "' is "
          + (attrs.isSymbolicLink() ? "a symbolic link" : "a special file") + " at " + path
          + "; the file: store never creates one and never follows one, so the store has been tampered"
          + " with or damaged");
    }
    if (e.directory()) {
      return attrs.isDirectory() && walk(path, key + "/", "");
    }
    if (attrs.isRegularFile() && key.length() <= FsKeys.MAX_KEY_LENGTH && key.compareTo(startAfter) > 0) {
      out.add(key);
    }
    return out.size() >= want;
  }

  /** Whether the file {@code base+segment}, or some key under the directory, can be listed. */
  private boolean mayHoldKeysAfterStart(String base, Entry e) {
    String key = base + e.segment();
    if (!e.directory()) {
      return key.compareTo(startAfter) > 0;
    }
    String below = key + "/";
    return below.compareTo(startAfter) > 0 || startAfter.startsWith(below);
  }

  /** A directory entry that can hold keys: a file named by a segment or a directory {@code segment+}. */
  private record Entry(String segment, boolean directory) {
    static Entry of(String fileName) {
      if (fileName.endsWith(FsKeys.DIRECTORY_SUFFIX)) {
        String segment = fileName.substring(0, fileName.length() - 1);
        return FsKeys.isValidSegment(segment) ? new Entry(segment, true) : null;
      }
      return FsKeys.isValidSegment(fileName) ? new Entry(fileName, false) : null;
    }

    String fileName() {
      return directory ? segment + FsKeys.DIRECTORY_SUFFIX : segment;
    }

    String sortKey() {
      return directory ? segment + "/" : segment;
    }
  }
}

package dev.mlops.fs;

import dev.mlops.CorruptDataException;
import dev.mlops.spi.ObjectStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * Maps keys to paths under the root and checks that no path component on the way is a symbolic
 * link. The key {@code s1/s2/s3} is the file {@code s1+/s2+/s3}: every segment but the last names a
 * directory with a {@code '+'} suffix — a character keys cannot contain — so the object {@code a/b}
 * (file {@code a+/b}) and the objects below it ({@code a+/b+/c}) never collide. A valid key has no
 * {@code .}, {@code ..} or absolute segment, so once every directory on the way is a real
 * directory, the path cannot leave the root.
 *
 * <p>Immutable and thread-safe.
 */
final class FsKeys {
  static final int MAX_KEY_LENGTH = ObjectStore.MAX_KEY_LENGTH;
  /** Suffix of a directory holding the keys below a segment. */
  static final String DIRECTORY_SUFFIX = "+";
  /**
   * Longest segment: most file systems (ext4, xfs, btrfs, APFS, NTFS) accept names of 255 bytes,
   * and a directory name adds the suffix.
   */
  static final int MAX_SEGMENT_LENGTH = 254;

  private FsKeys() {}

  /** @return the file of a valid key under root */
  static Path file(Path root, String key) {
    return root.resolve(key.replace("/", DIRECTORY_SUFFIX + "/"));
  }

  /**
   * @param prefixWithSlash a valid key followed by {@code /}
   * @return the directory holding the keys that start with it
   */
  static Path directory(Path root, String prefixWithSlash) {
    String withoutSlash = prefixWithSlash.substring(0, prefixWithSlash.length() - 1);
    return root.resolve(withoutSlash.replace("/", DIRECTORY_SUFFIX + "/") + DIRECTORY_SUFFIX);
  }

  /** A directory entry name that can be part of a key: {@code [A-Za-z0-9._-]+}, not {@code .} or {@code ..}. */
  static boolean isValidSegment(String name) {
    int n = name.length();
    if (n == 0 || name.equals(".") || name.equals("..")) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '.' || c == '_' || c == '-';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** @return the length of the longest segment of a valid key */
  static int longestSegment(String key) {
    int longest = 0;
    int start = 0;
    for (int i = 0; i <= key.length(); i++) {
      if (i == key.length() || key.charAt(i) == '/') {
        longest = Math.max(longest, i - start);
        start = i + 1;
      }
    }
    return longest;
  }

  /**
   * Checks that every existing directory from the root down to {@code dir} (inclusive) is a real
   * directory and not a link.
   *
   * @param root the store's real root
   * @param dir a directory under (or equal to) the root
   * @param key the key being accessed, for the message
   * @return false if some component does not exist (the key cannot exist), true if all of them
   *     are real directories
   * @throws CorruptDataException naming the key if a component is a symbolic link, a special file
   *     or a regular file (the store never makes a file with a directory's name)
   */
  static boolean directoriesAreReal(Path root, Path dir, String key) {
    Path rel = root.relativize(dir);
    Path current = root;
    if (rel.toString().isEmpty()) {
      return true;
    }
    for (Path part : rel) {
      current = current.resolve(part);
      BasicFileAttributes attrs;
      try {
        attrs = Files.readAttributes(current, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      } catch (NoSuchFileException e) {
        return false;
      } catch (IOException e) {
        throw FsObjectStore.storageFailure("reading attributes of " + current + " for key '" + key + "' failed", e);
      }
      if (!attrs.isDirectory()) {
        throw damaged(key, current, attrs);
      }
    }
    return true;
  }

  static CorruptDataException damaged(String key, Path at, BasicFileAttributes attrs) {
    String what = attrs.isSymbolicLink() ? "a symbolic link"
        : attrs.isOther() ? "a special file (device, pipe or socket)"
        : attrs.isDirectory() ? "a directory where the store keeps a file"
        : "a file where the store keeps a directory";
    return new CorruptDataException("storage key '" + key + "' is damaged: found " + what + " at " + at
        + "; the file: store never creates one and never follows a link (it could point outside the"
        + " store's root), so the store has been tampered with or damaged");
  }
}

package dev.mlops.fs;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's {@code ~tmp} directory: where every object is written before it is published with a
 * hard link, and the clean-up of what crashed writers left there.
 *
 * <p>A temp file's name says who wrote it: {@code <host>~<pid>~<process start ms>~<unique>.tmp}.
 * A file is deleted only when its writer is provably gone — same host and that pid is not running
 * (or runs with another start time, i.e. the pid was reused) — or, for files from another host or
 * with a foreign name, when it has not been modified for longer than the stale age. A live writer
 * is therefore never robbed of its temp file.
 *
 * <p>Thread-safe.
 */
final class TempArea {
  /** The directory name under the root; '~' is not a key character, so it is never a key. */
  static final String DIR_NAME = "~tmp";

  private static final Logger LOG = LoggerFactory.getLogger(TempArea.class);
  private static final String SUFFIX = ".tmp";
  private static final String HOST = hostName();
  private static final long PID = ProcessHandle.current().pid();
  private static final long START_MS = ProcessHandle.current().info().startInstant()
      .map(Instant::toEpochMilli).orElse(0L);
  /** Tolerance when comparing start times: the OS reports them with coarse precision. */
  private static final long START_TOLERANCE_MS = 2_000;

  private final Path dir;
  private final Duration staleAge;
  private final AtomicLong counter = new AtomicLong();

  TempArea(Path dir, Duration staleAge) {
    this.dir = dir;
    this.staleAge = staleAge;
  }

  Path dir() {
    return dir;
  }

  /** @return a fresh, unused path in the temp area (the file is not created) */
  Path newPath() {
    String unique = Long.toHexString(counter.incrementAndGet()) + "-"
        + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    return dir.resolve(HOST + "~" + PID + "~" + START_MS + "~" + unique + SUFFIX);
  }

  /**
   * Deletes the temp files of writers that are gone.
   *
   * @param now the current time, for the stale-age rule
   * @return how many files were deleted
   */
  int clean(Instant now) {
    int deleted = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        if (isAbandoned(p, now) && deleteQuietly(p)) {
          deleted++;
        }
      }
    } catch (NoSuchFileException e) {
      return deleted;
    } catch (IOException e) {
      LOG.warn("could not scan temp directory {} for leftovers: {}", dir, e.toString());
    }
    if (deleted > 0) {
      LOG.debug("deleted {} temp files left by crashed writers in {}", deleted, dir);
    }
    return deleted;
  }

  private boolean isAbandoned(Path p, Instant now) throws IOException {
    String name = p.getFileName().toString();
    Optional<Writer> writer = Writer.parse(name);
    if (writer.isPresent() && writer.get().host().equals(HOST)) {
      return !writer.get().isAlive();
    }
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return false;
    }
    return attrs.lastModifiedTime().toInstant().plus(staleAge).isBefore(now);
  }

  private static boolean deleteQuietly(Path p) {
    try {
      return Files.deleteIfExists(p);
    } catch (IOException e) {
      LOG.warn("could not delete leftover temp file {}: {}", p, e.toString());
      return false;
    }
  }

  private static String hostName() {
    // The kernel's name first: InetAddress.getLocalHost() resolves it, which can hang on bad DNS.
    String name = null;
    try {
      Path kernel = Path.of("/proc/sys/kernel/hostname");
      if (Files.isReadable(kernel)) {
        name = Files.readString(kernel).strip();
      }
    } catch (IOException | SecurityException e) {
      name = null;
    }
    if (name == null || name.isEmpty()) {
      name = System.getenv().getOrDefault("HOSTNAME", System.getenv("COMPUTERNAME"));
    }
    if (name == null || name.isEmpty()) {
      try {
        name = InetAddress.getLocalHost().getHostName();
      } catch (IOException | SecurityException e) {
        name = "localhost";
      }
    }
    // Only key-like characters, so the parts of the name can be split on '~' again.
    String clean = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9.-]", "-");
    return clean.isEmpty() ? "host" : clean;
  }

  /** Who wrote a temp file, parsed from its name. */
  record Writer(String host, long pid, long startMs) {
    static Optional<Writer> parse(String name) {
      if (!name.endsWith(SUFFIX)) {
        return Optional.empty();
      }
      String[] parts = name.substring(0, name.length() - SUFFIX.length()).split("~");
      if (parts.length != 4) {
        return Optional.empty();
      }
      try {
        return Optional.of(new Writer(parts[0], Long.parseLong(parts[1]), Long.parseLong(parts[2])));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    }

    boolean isAlive() {
      if (pid == PID) {
        // This very process (or a previous one with our pid whose start differs).
        return Math.abs(startMs - START_MS) <= START_TOLERANCE_MS;
      }
      Optional<ProcessHandle> handle = ProcessHandle.of(pid);
      if (handle.isEmpty() || !handle.get().isAlive()) {
        return false;
      }
      Optional<Instant> started = handle.get().info().startInstant();
      // Unknown start time (restricted /proc): assume alive rather than risk a live writer's file.
      return started.isEmpty() || startMs == 0
          || Math.abs(started.get().toEpochMilli() - startMs) <= START_TOLERANCE_MS;
    }
  }
}

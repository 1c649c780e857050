package dev.mlops.core;

import dev.mlops.Provenance;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * Captures where a run executes: library version, JVM, OS, host, user and — when the working
 * directory is inside a git work tree — the checked-out commit. Git is read from its files
 * ({@code .git}, {@code HEAD}, loose refs, {@code packed-refs}, linked work trees via
 * {@code gitdir:} and {@code commondir}); no process is spawned. Any problem reading git gives an
 * empty commit, never an error.
 *
 * <p>{@link #capture()} (the working directory's provenance, taken by every run start) is cached
 * per process and re-read at most every {@link #REFRESH_NANOS} (2 s): reading git's files on
 * every run start cost a large share of a short run, and the only part that can change while the
 * process runs is the checked-out commit, so a {@code git checkout} or commit made while the
 * process runs shows in the runs started from 2 s later on. The library version is read once.
 *
 * <p>Thread-safe (the host name and library version are looked up once per JVM; the cache is a
 * volatile immutable snapshot).
 */
final class ProvenanceCapture {
  private static final Pattern OBJECT_ID = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
  private static final int MAX_GIT_FILE = 64 << 20;

  /** How long a cached {@link #capture()} is reused before git's files are read again. */
  static final long REFRESH_NANOS = 2_000_000_000L;

  private record Snapshot(Provenance provenance, long takenAtNanos) { }

  private static volatile Snapshot cached;

  private ProvenanceCapture() {}

  /**
   * @return provenance for the current process, looking for git from the working directory;
   *     a snapshot at most {@link #REFRESH_NANOS} old
   */
  static Provenance capture() {
    Snapshot s = cached;
    long now = System.nanoTime();
    if (s == null || now - s.takenAtNanos() >= REFRESH_NANOS) {
      s = new Snapshot(capture(Path.of("").toAbsolutePath()), now);
      cached = s; // racing refreshes both store a fresh snapshot: fine
    }
    return s.provenance();
  }

  static Provenance capture(Path workingDirectory) {
    return new Provenance(Version.VALUE, property("java.vendor") + " " + property("java.version"),
        property("os.name") + " " + property("os.version") + " (" + property("os.arch") + ")", Host.NAME,
        property("user.name"), gitCommit(workingDirectory));
  }

  /** The library version, read once. */
  private static final class Version {
    static final String VALUE = libraryVersion();
  }

  /** @return the jar's Implementation-Version, else the version filtered into version.properties */
  static String libraryVersion() {
    String v = CoreExperiments.class.getPackage().getImplementationVersion();
    if (v != null && !v.isBlank()) {
      return v;
    }
    try (InputStream in = ProvenanceCapture.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String fromFile = p.getProperty("version", "");
        if (!fromFile.isBlank() && !fromFile.startsWith("${")) {
          return fromFile;
        }
      }
    } catch (IOException e) {
      // fall through
    }
    return "unknown";
  }

  private static String property(String name) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() ? "unknown" : v;
  }

  /** Resolved once: a slow DNS must not delay every run start. */
  private static final class Host {
    static final String NAME = lookUp();

    private static String lookUp() {
      try {
        String h = InetAddress.getLocalHost().getHostName();
        if (h != null && !h.isBlank()) {
          return h;
        }
      } catch (IOException | SecurityException e) {
        // fall back to the environment
      }
      for (String env : List.of("HOSTNAME", "COMPUTERNAME")) {
        String h = System.getenv(env);
        if (h != null && !h.isBlank()) {
          return h;
        }
      }
      return "unknown";
    }
  }

  /**
   * @param start a directory in (or outside) a git work tree
   * @return the commit HEAD points at, or empty if there is none or it cannot be read
   */
  static Optional<String> gitCommit(Path start) {
    try {
      for (Path dir = start.toAbsolutePath().normalize(); dir != null; dir = dir.getParent()) {
        Path dotGit = dir.resolve(".git");
        if (Files.isDirectory(dotGit)) {
          return headOf(dotGit);
        }
        if (Files.isRegularFile(dotGit)) {
          // a linked work tree or submodule: ".git" is a file "gitdir: <path>"
          String content = read(dotGit).trim();
          if (!content.startsWith("gitdir:")) {
            return Optional.empty();
          }
          return headOf(dir.resolve(content.substring("gitdir:".length()).trim()).normalize());
        }
      }
    } catch (IOException | RuntimeException e) {
      // unreadable git metadata: no commit rather than a failed run start
    }
    return Optional.empty();
  }

  private static Optional<String> headOf(Path gitDir) throws IOException {
    String head = read(gitDir.resolve("HEAD")).trim();
    if (!head.startsWith("ref:")) {
      return objectId(head);
    }
    String ref = head.substring("ref:".length()).trim();
    if (!ref.startsWith("refs/") || ref.contains("..")) {
      return Optional.empty();
    }
    Path common = gitDir;
    Path commonDirFile = gitDir.resolve("commondir");
    if (Files.isRegularFile(commonDirFile)) {
      common = gitDir.resolve(read(commonDirFile).trim()).normalize();
    }
    for (Path d : List.of(gitDir, common)) {
      Path loose = d.resolve(ref);
      if (Files.isRegularFile(loose)) {
        return objectId(read(loose).trim());
      }
    }
    Path packed = common.resolve("packed-refs");
    if (Files.isRegularFile(packed)) {
      for (String line : read(packed).split("\n")) {
        if (line.startsWith("#") || line.startsWith("^")) {
          continue;
        }
        int space = line.indexOf(' ');
        if (space > 0 && line.substring(space + 1).trim().equals(ref)) {
          return objectId(line.substring(0, space));
        }
      }
    }
    return Optional.empty(); // an unborn branch
  }

  private static Optional<String> objectId(String s) {
    return OBJECT_ID.matcher(s).matches() ? Optional.of(s) : Optional.empty();
  }

  private static String read(Path p) throws IOException {
    if (Files.size(p) > MAX_GIT_FILE) {
      throw new IOException(p + " is too large for git metadata");
    }
    return new String(Files.readAllBytes(p), StandardCharsets.UTF_8);
  }
}

package dev.mlops.fs;

import dev.mlops.AlreadyExistsException;
import dev.mlops.CorruptDataException;
import dev.mlops.StorageException;
import dev.mlops.spi.BlobSink;
import dev.mlops.spi.ListPage;
import dev.mlops.spi.ObjectStore;
import dev.mlops.spi.StoreCapabilities;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code file:} backend: an {@link ObjectStore} in a local (or shared POSIX) directory, safe
 * for many threads and many processes at once and crash-safe at every instant.
 *
 * <p><b>Layout.</b> A key maps to a file under the root; every segment but the last names a
 * directory with a {@code '+'} suffix: {@code models/fraud/log/0000000001.json} is
 * {@code <root>/models+/fraud+/log+/0000000001.json}. {@code '+'} is not a key character, so an
 * object ({@code a/b}, the file {@code a+/b}) and the objects below it ({@code a+/b+/c}) never
 * collide, and files keep their own names (a log entry is still a {@code .json}, a blob is still
 * named by its digest). Names with a {@code '~'} belong to the store itself: {@code ~format} (the
 * layout's version, {@value #FORMAT_VERSION}) and {@code ~tmp/} (objects being written). Segments
 * longer than 254 characters cannot be file names (255 bytes with the suffix) and are refused
 * with a {@link StorageException}. The file system must be case-sensitive.
 *
 * <p><b>Create-if-absent.</b> {@link #create} writes the bytes to a new file in {@code ~tmp/},
 * forces it to disk, publishes it with a hard link ({@link Files#createLink}, which fails if the
 * target exists — never a rename, which would replace it), forces the directory, and removes the
 * temp name. Of concurrent creates of one key, in any number of processes, exactly one link
 * succeeds; a crash at any instant leaves either no object or the whole object. Temp files of
 * writers that are gone are deleted when a store is opened and every ten minutes while it is used;
 * a temp file of a live process is never touched (see the builder's {@link Builder#staleTempAge}).
 *
 * <p><b>Opening.</b> Everything that can refuse a directory (not a directory, not empty and no
 * {@code ~format} marker, a format this version does not read, not writable) is checked before
 * anything is written, so a refused open leaves the directory as it was. A store opened
 * {@linkplain Builder#readOnly read-only} writes nothing at all, not even at open, and refuses
 * every write with a {@link StorageException}.
 *
 * <p><b>Hostile or damaged stores.</b> No key ever resolves outside the root: keys have no
 * {@code .}/{@code ..} segments, and every path component is checked without following links. A
 * symbolic link or special file met on the way is a {@link CorruptDataException} naming the key;
 * it is never followed.
 *
 * <p>Thread-safe.
 */
public final class FsObjectStore implements ObjectStore {
  /** Version of the on-disk layout this class reads and writes. */
  public static final int FORMAT_VERSION = 1;

  static final String FORMAT_FILE = "~format";
  private static final Duration CLEAN_INTERVAL = Duration.ofMinutes(10);
  private static final int COPY_BUFFER = 1 << 16;
  private static final int MAX_PUBLISH_ATTEMPTS = 100;
  private static final boolean WINDOWS =
      System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows");

  /**
   * Syncs the parents of a create's new directories while the creating thread syncs the object's
   * own directory (see {@link #publish}): daemon threads shared by every store in the JVM, at most
   * {@value #MAX_SYNC_THREADS}, idle ones ending after a minute; when all are busy the creating
   * thread does the sync itself.
   */
  private static final ThreadPoolExecutor DIRECTORY_SYNCS;
  private static final int MAX_SYNC_THREADS = 8;

  static {
    AtomicLong n = new AtomicLong();
    DIRECTORY_SYNCS = new ThreadPoolExecutor(0, MAX_SYNC_THREADS, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
      Thread t = new Thread(r, "mlops-fs-directory-sync-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    }, new ThreadPoolExecutor.CallerRunsPolicy());
  }

  private final Path root;
  private final TempArea temp;
  private final Clock clock;
  private final boolean readOnly;
  private final AtomicLong lastCleanMillis;
  /** Directories made by creates here whose parent is not synced yet (see {@link #createDirectories}). */
  private final Set<Path> madeNotSynced = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private FsObjectStore(Path root, TempArea temp, Clock clock, boolean readOnly) {
    this.root = root;
    this.temp = temp;
    this.clock = clock;
    this.readOnly = readOnly;
    this.lastCleanMillis = new AtomicLong(clock.millis());
  }

  /** @return a builder; {@link Builder#root} is required */
  public static Builder builder() {
    return new Builder();
  }

  /** @return the store's root directory, with links resolved */
  public Path root() {
    return root;
  }

  /** @return whether the store was opened read-only ({@link Builder#readOnly}): every write is refused */
  public boolean readOnly() {
    return readOnly;
  }

  @Override
  public Optional<byte[]> get(String key) {
    Optional<Path> file = existingFile(key);
    if (file.isEmpty()) {
      return Optional.empty();
    }
    try (FileChannel ch = openForReading(file.get(), key)) {
      long size = ch.size();
      if (size > Integer.MAX_VALUE - 16) {
        throw new StorageException("storage key '" + key + "' holds " + size
            + " bytes, too many for one array; read it with openStream");
      }
      ByteBuffer buf = ByteBuffer.allocate((int) size);
      while (buf.hasRemaining()) {
        if (ch.read(buf) < 0) {
          throw new CorruptDataException("storage key '" + key + "' was truncated while being read: got "
              + buf.position() + " of " + size + " bytes at " + file.get());
        }
      }
      return Optional.of(buf.array());
    } catch (NoSuchFileException e) {
      return Optional.empty(); // deleted since it was looked up
    } catch (IOException e) {
      throw storageFailure("reading storage key '" + key + "' from " + file.get() + " failed", e);
    }
  }

  @Override
  public Optional<InputStream> openStream(String key) {
    Optional<Path> file = existingFile(key);
    if (file.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Channels.newInputStream(openForReading(file.get(), key)));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw storageFailure("opening storage key '" + key + "' at " + file.get() + " failed", e);
    }
  }

  /**
   * Opens without following a link: if the file was swapped for a link after it was checked, the
   * open fails with ELOOP, which is reported like the link itself.
   */
  static FileChannel openForReading(Path file, String key) throws IOException {
    try {
      return FileChannel.open(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      throw e;
    } catch (IOException e) {
      // ELOOP comes as a plain IOException ("Too many levels of symbolic links")
      if (e.getMessage() != null && e.getMessage().toLowerCase(Locale.ROOT).contains("symbolic link")) {
        throw new CorruptDataException("storage key '" + key + "' is damaged: " + file
            + " became a symbolic link; the file: store never follows one", e);
      }
      throw e;
    }
  }

  @Override
  public void create(String key, byte[] bytes) {
    Path target = writableTarget(key);
    Objects.requireNonNull(bytes, "bytes");
    failIfPresent(key, target);
    Path tmp = temp.newPath();
    try {
      try (FileChannel ch = openTempChannel(tmp)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(false);
      }
      publish(tmp, key);
    } catch (IOException e) {
      throw storageFailure("writing storage key '" + key + "' failed", e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  @Override
  public void createFromStream(String key, InputStream in) {
    Path target = writableTarget(key);
    Objects.requireNonNull(in, "in");
    failIfPresent(key, target);
    Path tmp = temp.newPath();
    try {
      try (FileChannel ch = openTempChannel(tmp)) {
        byte[] buf = new byte[COPY_BUFFER];
        ByteBuffer wrapped = ByteBuffer.wrap(buf);
        int n;
        while ((n = readContent(in, buf, key)) >= 0) {
          wrapped.clear().limit(n);
          while (wrapped.hasRemaining()) {
            ch.write(wrapped);
          }
        }
        ch.force(false);
      }
      publish(tmp, key);
    } catch (IOException e) {
      throw storageFailure("writing storage key '" + key + "' failed", e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  private static int readContent(InputStream in, byte[] buf, String key) {
    try {
      return in.read(buf);
    } catch (IOException e) {
      throw new StorageException("reading the content for storage key '" + key + "' failed; nothing was stored", e, false);
    }
  }

  /**
   * Writes straight into a temp file of this store, so content-addressed blobs of any size are
   * written once, in constant memory, and published with the same create-if-absent as
   * {@link #create}.
   */
  @Override
  public BlobSink newBlobSink() {
    checkOpen();
    checkNotReadOnly("write a blob");
    Path tmp = temp.newPath();
    try {
      return new FsBlobSink(this, tmp, openTempChannel(tmp));
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw storageFailure("creating a temp file in " + temp.dir() + " failed", e);
    }
  }

  @Override
  public ListPage list(String prefix, String startAfter, int limit) {
    checkOpen();
    ObjectStore.requireValidPrefix(prefix);
    Objects.requireNonNull(startAfter, "startAfter");
    if (limit < 1 || limit > MAX_LIST_LIMIT) {
      throw new IllegalArgumentException("limit must be in 1.." + MAX_LIST_LIMIT + ", got " + limit);
    }
    if (startAfter.compareTo(prefix) > 0 && !startAfter.startsWith(prefix)) {
      return new ListPage(List.of(), false); // every key with the prefix sorts before startAfter
    }
    int slash = prefix.lastIndexOf('/');
    String base = prefix.substring(0, slash + 1);
    String namePrefix = prefix.substring(slash + 1);
    Path dir = base.isEmpty() ? root : FsKeys.directory(root, base);
    if (!base.isEmpty() && !FsKeys.directoriesAreReal(root, dir, prefix)) {
      return new ListPage(List.of(), false);
    }
    KeyLister lister = new KeyLister(startAfter, limit + 1);
    lister.walk(dir, base, namePrefix);
    List<String> keys = lister.keys();
    if (keys.size() > limit) {
      return new ListPage(keys.subList(0, limit), true);
    }
    return new ListPage(keys, false);
  }

  @Override
  public boolean delete(String key) {
    checkOpen();
    checkNotReadOnly("delete storage key '" + key + "'");
    Optional<Path> file = existingFile(key);
    if (file.isEmpty()) {
      return false;
    }
    Path parent = file.get().getParent();
    boolean deleted;
    try {
      deleted = Files.deleteIfExists(file.get());
      if (deleted) {
        try {
          syncDirectory(parent);
        } catch (NoSuchFileException e) {
          // a concurrent delete already removed the emptied directory
        }
      }
    } catch (IOException e) {
      throw storageFailure("deleting storage key '" + key + "' at " + file.get() + " failed", e);
    }
    if (deleted) {
      removeEmptyDirectories(parent);
    }
    return deleted;
  }

  /** @return persistent and multi-process */
  @Override
  public StoreCapabilities capabilities() {
    return new StoreCapabilities(true, true);
  }

  @Override
  public void close() {
    closed = true;
  }

  /**
   * Deletes temp files left by writers that are gone (crashed processes). Runs when a store is
   * opened and every ten minutes while it is written to; call it to clean up at another time.
   *
   * @return how many files were deleted
   */
  public int cleanTempFiles() {
    checkOpen();
    checkNotReadOnly("clean temp files");
    lastCleanMillis.set(clock.millis());
    return temp.clean(clock.instant());
  }

  /** @return the directory temp files are written to */
  Path temp() {
    return temp.dir();
  }

  @Override
  public String toString() {
    return "FsObjectStore[" + root + "]";
  }

  // ---- internals ---------------------------------------------------------------------------

  /**
   * Publishes a fully written, forced temp file under key: hard link, then directory sync.
   *
   * <p>Directories missing on the way are created first and their parents synced after the link,
   * not one sync per directory as each is made, and at the same time: the object's directory on
   * this thread, the parents of the new directories on {@link #DIRECTORY_SYNCS} threads. The
   * syncs do not depend on each other (each makes one directory's entries durable), and all have
   * completed when this returns. On a journaling file system (ext4 with its journal, xfs) the new
   * entries are committed together, so the first sync makes them all durable and the others find
   * little left to write. Without a journal (ext4 created without one, as on the benchmark
   * machine) every sync writes its own blocks and flushes the device's cache, so each new
   * directory costs one more sync; issued together they take about the time of one or two
   * instead of one each (benchmarks/RESULTS.md, "Session 10"). The object is durable, with every
   * directory on its way, when this returns; a crash before that may leave the object, some of
   * its new directories, or neither (nothing was promised yet).
   */
  void publish(Path tmp, String key) throws IOException {
    Path target = FsKeys.file(root, key);
    Path parent = target.getParent();
    List<Path> unsynced = new ArrayList<>(2);
    List<Path> made = new ArrayList<>(2);
    for (int attempt = 1; ; attempt++) {
      try {
        createDirectories(parent, key, unsynced, made);
        Files.createLink(target, tmp);
        break;
      } catch (FileAlreadyExistsException e) {
        attributes(target, key).filter(a -> !a.isRegularFile()).ifPresent(a -> {
          throw FsKeys.damaged(key, target, a);
        });
        throw new AlreadyExistsException("storage key '" + key + "' already exists");
      } catch (NoSuchFileException e) {
        // A concurrent delete removed a (then empty) directory on the way; make it again.
        if (attempt >= MAX_PUBLISH_ATTEMPTS || !Files.exists(tmp, LinkOption.NOFOLLOW_LINKS)) {
          throw e;
        }
      }
    }
    try {
      syncDirectories(parent, unsynced);
    } catch (NoSuchFileException e) {
      // created, then deleted with its directory by a concurrent delete: nothing left to make durable
    }
    synced(made);
    maybeClean();
  }

  /** Validates a key for writing and returns its path. */
  private Path writableTarget(String key) {
    checkOpen();
    checkNotReadOnly("create storage key '" + key + "'");
    ObjectStore.requireValidKey(key);
    if (FsKeys.longestSegment(key) > FsKeys.MAX_SEGMENT_LENGTH) {
      throw new StorageException("storage key '" + key + "' has a segment longer than "
          + FsKeys.MAX_SEGMENT_LENGTH + " characters, which file systems cannot store as a file name;"
          + " the file: store takes segments of up to " + FsKeys.MAX_SEGMENT_LENGTH + " characters");
    }
    return FsKeys.file(root, key);
  }

  /** Validates a key for writing (used by the blob sink before it publishes). */
  void checkWritable(String key) {
    writableTarget(key);
  }

  private void failIfPresent(String key, Path target) {
    if (!FsKeys.directoriesAreReal(root, target.getParent(), key)) {
      return;
    }
    BasicFileAttributes attrs = attributes(target, key).orElse(null);
    if (attrs == null) {
      return;
    }
    if (!attrs.isRegularFile()) {
      throw FsKeys.damaged(key, target, attrs);
    }
    throw new AlreadyExistsException("storage key '" + key + "' already exists");
  }

  /** @return the regular file holding key, if it exists; checks every component on the way */
  private Optional<Path> existingFile(String key) {
    checkOpen();
    ObjectStore.requireValidKey(key);
    if (FsKeys.longestSegment(key) > FsKeys.MAX_SEGMENT_LENGTH) {
      return Optional.empty();
    }
    Path file = FsKeys.file(root, key);
    if (!FsKeys.directoriesAreReal(root, file.getParent(), key)) {
      return Optional.empty();
    }
    Optional<BasicFileAttributes> attrs = attributes(file, key);
    if (attrs.isEmpty()) {
      return Optional.empty();
    }
    if (!attrs.get().isRegularFile()) {
      throw FsKeys.damaged(key, file, attrs.get());
    }
    return Optional.of(file);
  }

  private static Optional<BasicFileAttributes> attributes(Path p, String key) {
    try {
      return Optional.of(Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (FileSystemException e) {
      if (e.getReason() != null && e.getReason().contains("Not a directory")) {
        return Optional.empty();
      }
      throw storageFailure("reading attributes of " + p + " for storage key '" + key + "' failed", e);
    } catch (IOException e) {
      throw storageFailure("reading attributes of " + p + " for storage key '" + key + "' failed", e);
    }
  }

  /**
   * Creates the directories from the root down to dir and adds the parent of each one created to
   * {@code unsynced} (root first), for the caller to sync once its object is linked, and each one
   * created to {@code made} (see {@link #synced}); refuses links and files on the way. A directory
   * that exists but that a concurrent create in this process made and whose parent it has not
   * synced yet counts as new here too: without that, this create could return, durable in its
   * own eyes, before the directory holding its object is (a crash then loses the object).
   */
  private void createDirectories(Path dir, String key, List<Path> unsynced, List<Path> made) throws IOException {
    Path rel = root.relativize(dir);
    if (rel.toString().isEmpty()) {
      return;
    }
    Path current = root;
    for (Path part : rel) {
      Path next = current.resolve(part);
      Optional<BasicFileAttributes> attrs = attributes(next, key);
      if (attrs.isEmpty()) {
        try {
          Files.createDirectory(next);
          madeNotSynced.add(next);
          made.add(next);
          if (!unsynced.contains(current)) {
            unsynced.add(current);
          }
        } catch (FileAlreadyExistsException e) {
          attrs = attributes(next, key); // made by a concurrent writer, which may not have synced it yet
          if (!unsynced.contains(current)) {
            unsynced.add(current);
          }
        }
      } else if (madeNotSynced.contains(next)) {
        // made a moment ago by a concurrent create here that has not synced its parent yet
        made.add(next);
        if (!unsynced.contains(current)) {
          unsynced.add(current);
        }
      }
      if (attrs.isPresent() && !attrs.get().isDirectory()) {
        throw FsKeys.damaged(key, next, attrs.get());
      }
      current = next;
    }
  }

  /** The parents of these directories (made by one create) have been synced: they are durable. */
  private void synced(List<Path> made) {
    if (!made.isEmpty()) {
      madeNotSynced.removeAll(made);
    }
  }

  /** Removes now-empty directories from dir up to (not including) the root. */
  private void removeEmptyDirectories(Path dir) {
    Path current = dir;
    while (current != null && !current.equals(root) && current.startsWith(root)) {
      try {
        Files.delete(current); // rmdir: fails unless empty, so a concurrent create is never harmed
      } catch (IOException e) {
        return; // not empty (or already gone): stop
      }
      current = current.getParent();
    }
  }

  FileChannel openTempChannel(Path tmp) throws IOException {
    try {
      return FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    } catch (NoSuchFileException e) {
      // Someone removed ~tmp (e.g. a manual clean-up): recreate it once.
      Files.createDirectories(temp.dir());
      return FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }
  }

  /**
   * Syncs {@code dir} on this thread and each of {@code others} (the parents of directories a
   * create made) on a {@link #DIRECTORY_SYNCS} thread, at the same time, and returns once all have
   * completed, even if interrupted meanwhile (the flag is set again): the caller's object is
   * linked, and returning earlier would report it durable before it is. The first failure is
   * thrown, an {@link IOException} as itself.
   */
  private static void syncDirectories(Path dir, List<Path> others) throws IOException {
    if (others.isEmpty() || WINDOWS) {
      syncDirectory(dir);
      for (Path other : others) {
        syncDirectory(other);
      }
      return;
    }
    List<Future<?>> pending = new ArrayList<>(others.size());
    for (Path other : others) {
      pending.add(DIRECTORY_SYNCS.submit(() -> {
        syncDirectory(other);
        return null;
      }));
    }
    IOException first = null;
    try {
      syncDirectory(dir);
    } catch (IOException e) {
      first = e;
    }
    boolean interrupted = false;
    for (Future<?> f : pending) {
      while (true) {
        try {
          f.get();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException e) {
          if (first == null) {
            first = e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
          }
          break;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (first != null) {
      throw first;
    }
  }

  static void syncDirectory(Path dir) throws IOException {
    if (WINDOWS) {
      return; // Windows cannot open a directory as a channel; NTFS journals the entry itself
    }
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // the temp-file clean-up deletes it later
    }
  }

  private void maybeClean() {
    long now = clock.millis();
    long last = lastCleanMillis.get();
    if (now - last >= CLEAN_INTERVAL.toMillis() && lastCleanMillis.compareAndSet(last, now)) {
      temp.clean(clock.instant());
    }
  }

  void checkOpen() {
    if (closed) {
      throw new IllegalStateException("file: store at " + root + " is closed");
    }
  }

  private void checkNotReadOnly(String action) {
    if (readOnly) {
      throw new StorageException("cannot " + action + ": the file: store at " + root
          + " was opened read-only (readOnly=true)");
    }
  }

  static StorageException storageFailure(String message, IOException e) {
    return new StorageException(message + ": " + e, e, false);
  }

  // ---- opening -----------------------------------------------------------------------------

  /**
   * Opens (and for a new store initialises) the store. Everything that can refuse the directory is
   * checked before anything is written: a refused open leaves the directory exactly as it was.
   */
  private static FsObjectStore open(Path requestedRoot, Duration staleAge, Clock clock, boolean readOnly) {
    Path absolute = requestedRoot.toAbsolutePath().normalize();
    Path root = existingRoot(absolute, readOnly);
    TempArea temp = new TempArea(root.resolve(TempArea.DIR_NAME), staleAge);
    FsObjectStore store = new FsObjectStore(root, temp, clock, readOnly);
    Optional<BasicFileAttributes> tmpAttrs = attributes(temp.dir(), TempArea.DIR_NAME);
    if (tmpAttrs.isPresent() && !tmpAttrs.get().isDirectory()) {
      throw new CorruptDataException("the file: store at " + root + " is damaged: " + temp.dir()
          + " is not a real directory (a link or a file)");
    }
    // Reading only: nothing has been written when any of these refuse.
    boolean initialised;
    try {
      initialised = store.readFormat();
      if (!initialised && !readOnly) {
        store.refuseForeignContent();
      }
    } catch (IOException e) {
      throw storageFailure("cannot open the file: store at " + root, e);
    }
    if (readOnly) {
      if (!initialised) {
        throw new StorageException("cannot open " + root + " read-only: it has no " + FORMAT_FILE
            + " marker, so it is not an mlops store (a read-only open never initialises one);"
            + " open it writable once to create the store");
      }
      return store;
    }
    store.checkWritable(tmpAttrs.isPresent());
    try {
      Files.createDirectories(temp.dir());
      if (!initialised) {
        store.writeFormat();
      }
      store.probeHardLinks();
    } catch (AccessDeniedException e) {
      throw notWritable(root, e);
    } catch (FileSystemException e) {
      if (isReadOnlyFileSystem(e)) {
        throw notWritable(root, e);
      }
      throw storageFailure("cannot open the file: store at " + root, e);
    } catch (IOException e) {
      throw storageFailure("cannot open the file: store at " + root, e);
    }
    temp.clean(clock.instant());
    return store;
  }

  /** @return the real path of the root directory; creates it (writable opens only) if missing */
  private static Path existingRoot(Path absolute, boolean readOnly) {
    Path root;
    try {
      if (readOnly) {
        if (!Files.exists(absolute)) {
          throw new StorageException("cannot open the file: store at " + absolute + " read-only: the directory"
              + " does not exist (a read-only open never creates a store)");
        }
      } else {
        Files.createDirectories(absolute);
      }
      root = absolute.toRealPath();
    } catch (FileAlreadyExistsException e) {
      throw new StorageException("cannot open a file: store at " + absolute + ": it exists and is not a directory", e, false);
    } catch (AccessDeniedException e) {
      throw new StorageException("cannot create the file: store directory " + absolute + ": permission denied on "
          + e.getFile(), e, false);
    } catch (IOException e) {
      throw storageFailure("cannot create or open the file: store directory " + absolute, e);
    }
    if (!Files.isDirectory(root)) {
      throw new StorageException("cannot open a file: store at " + absolute + ": it is not a directory");
    }
    return root;
  }

  /**
   * Fails, before anything is written, if this process cannot write the root (or an existing temp
   * directory). Permission bits do not stop the superuser, so for root this passes and a read-only
   * mount is reported when the first write fails instead.
   */
  private void checkWritable(boolean tempExists) {
    if (!Files.isWritable(root)) {
      throw notWritable(root, null);
    }
    if (tempExists && !Files.isWritable(temp.dir())) {
      throw notWritable(temp.dir(), null);
    }
  }

  private static StorageException notWritable(Path dir, IOException cause) {
    return new StorageException("cannot open the file: store at " + dir + " for writing: the directory is not"
        + " writable by this process" + (cause != null ? " (" + cause + ")" : "")
        + "; to read it, open it read-only (URI parameter readOnly=true or WorkspaceOptions.readOnly(true))",
        cause, false);
  }

  private static boolean isReadOnlyFileSystem(FileSystemException e) {
    String reason = e.getReason();
    return reason != null && reason.toLowerCase(Locale.ROOT).contains("read-only file system");
  }

  /**
   * Reads and checks the format marker.
   *
   * @return true if the marker is present (and of this version), false if there is none
   */
  private boolean readFormat() throws IOException {
    Path marker = root.resolve(FORMAT_FILE);
    Optional<BasicFileAttributes> attrs = attributes(marker, FORMAT_FILE);
    if (attrs.isEmpty()) {
      return false;
    }
    if (!attrs.get().isRegularFile()) {
      throw new CorruptDataException("the file: store at " + root + " is damaged: " + marker + " is not a regular file");
    }
    int version = parseFormat(Files.readString(marker, StandardCharsets.UTF_8), marker);
    if (version != FORMAT_VERSION) {
      throw new StorageException("the file: store at " + root + " has layout format " + version
          + " but this version of mlops reads only format " + FORMAT_VERSION
          + (version > FORMAT_VERSION ? "; upgrade mlops-registry-fs" : ""));
    }
    return true;
  }

  /** Refuses a directory without a marker that holds anything but store files (so: not a store). */
  private void refuseForeignContent() throws IOException {
    List<String> foreign = foreignEntries();
    if (!foreign.isEmpty()) {
      throw new StorageException("refusing to use " + root + " as a file: store: it is not empty and has no "
          + FORMAT_FILE + " marker, so it is not an mlops store (found " + foreign
          + "); use a new or empty directory");
    }
  }

  /** Writes the format marker into a new (empty) directory, unless a concurrent open just did. */
  private void writeFormat() throws IOException {
    Path marker = root.resolve(FORMAT_FILE);
    Path tmp = temp.newPath();
    try {
      try (FileChannel ch = openTempChannel(tmp)) {
        ch.write(ByteBuffer.wrap(("# mlops file: store; layout described in docs/storage-format.md."
            + " Do not edit.\nformat=" + FORMAT_VERSION + "\n").getBytes(StandardCharsets.UTF_8)));
        ch.force(false);
      }
      Files.createLink(marker, tmp);
      syncDirectory(root);
    } catch (FileAlreadyExistsException e) {
      // another process initialised the store at the same moment: check its marker
      if (!readFormat()) {
        throw new StorageException("cannot initialise the file: store marker " + marker, e, false);
      }
    } finally {
      deleteQuietly(tmp);
    }
  }

  private static int parseFormat(String text, Path marker) {
    for (String line : text.split("\n")) {
      String l = line.strip();
      if (l.startsWith("format=")) {
        try {
          return Integer.parseInt(l.substring("format=".length()).strip());
        } catch (NumberFormatException e) {
          break;
        }
      }
    }
    throw new CorruptDataException("the file: store marker " + marker + " is damaged: no 'format=<number>' line in '"
        + text.strip() + "'");
  }

  private List<String> foreignEntries() throws IOException {
    List<String> out = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
      for (Path p : entries) {
        String name = p.getFileName().toString();
        if (!name.startsWith("~") && out.size() < 5) {
          out.add(name);
        }
      }
    }
    return out;
  }

  /** Fails at open, with a clear message, on file systems without hard links (FAT, some mounts). */
  private void probeHardLinks() throws IOException {
    Path a = temp.newPath();
    Path b = temp.newPath();
    try {
      // A failure to write the file itself is not about links (read-only directory or mount):
      // it propagates and is reported as such by open.
      Files.write(a, new byte[0], StandardOpenOption.CREATE_NEW);
      try {
        Files.createLink(b, a);
      } catch (UnsupportedOperationException | IOException e) {
        if (e instanceof NoSuchFileException || e instanceof AccessDeniedException
            || (e instanceof FileSystemException fse && isReadOnlyFileSystem(fse))) {
          throw e;
        }
        throw new StorageException("the file system of " + root + " does not support hard links, which the"
            + " file: store needs for an atomic create-if-absent: " + e, e, false);
      }
    } finally {
      deleteQuietly(a);
      deleteQuietly(b);
    }
  }

  /**
   * Builds an {@link FsObjectStore}.
   *
   * <p>Not thread-safe; confine to one thread.
   */
  public static final class Builder {
    private Path root;
    private Duration staleTempAge = Duration.ofHours(1);
    private Clock clock = Clock.systemUTC();
    private boolean readOnly;

    private Builder() {}

    /**
     * @param root the store's directory; created (with its parents) if missing. Relative paths are
     *     resolved against the working directory when {@link #build} runs.
     * @return this
     * @throws NullPointerException if root is null
     */
    public Builder root(Path root) {
      this.root = Objects.requireNonNull(root, "root");
      return this;
    }

    /**
     * How long a temp file must have been left untouched before it is deleted, when its writer's
     * liveness cannot be checked: it was written from another host (a shared mount) or has a name
     * this version does not recognise. Temp files of this host's processes are deleted as soon as
     * their process is gone, whatever their age. Default one hour.
     *
     * @param age a positive duration; make it longer than the slowest single write of a blob
     * @return this
     * @throws IllegalArgumentException if age is zero or negative
     */
    public Builder staleTempAge(Duration age) {
      Objects.requireNonNull(age, "age");
      if (age.isZero() || age.isNegative()) {
        throw new IllegalArgumentException("staleTempAge must be positive, got " + age);
      }
      this.staleTempAge = age;
      return this;
    }

    /**
     * @param clock the time source for the temp-file rules (tests); default the system UTC clock
     * @return this
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Opens the store for reading only: nothing is written, not even at open — no marker, no temp
     * directory, no hard-link probe, no temp clean-up, no directory created. The directory must
     * already be a store of this layout format. Every write ({@code create}, {@code delete},
     * {@code newBlobSink}, {@link FsObjectStore#cleanTempFiles}) then throws a
     * {@link StorageException} saying the store is read-only. Use it for readers of a directory
     * this process may not (or must not) write: a read-only mount, another user's files, an audit.
     * Default false.
     *
     * @param readOnly whether to open for reading only
     * @return this
     */
    public Builder readOnly(boolean readOnly) {
      this.readOnly = readOnly;
      return this;
    }

    /**
     * Opens the store. Writable (the default): creates the directory if missing, checks (or
     * writes, for a new store) the layout format marker, checks that the file system supports hard
     * links and deletes temp files left by crashed writers. Read-only: only checks that the
     * directory exists and holds a marker of this format. Everything that can refuse the directory
     * is checked before anything is written, so a refused open leaves it as it was.
     *
     * @return the open store
     * @throws IllegalStateException if no root was set
     * @throws StorageException if the directory cannot be created or used, is a non-empty
     *     directory that is not an mlops store, has a layout format this version does not read, is
     *     not writable by this process (writable open), or is missing or has no marker (read-only open)
     */
    public FsObjectStore build() {
      if (root == null) {
        throw new IllegalStateException("FsObjectStore.builder().root(path) is required");
      }
      return open(root, staleTempAge, clock, readOnly);
    }
  }
}

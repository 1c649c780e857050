package dev.mlops.benchmarks.fs;

import dev.mlops.ArtifactRef;
import dev.mlops.ArtifactSpec;
import dev.mlops.Digest;
import dev.mlops.Mlops;
import dev.mlops.Workspace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Artifact write + read on {@code file:} beside {@code Files.copy} of the same file in the same run.
 *
 * <ul>
 *   <li>{@code artifactPutThenRead}: {@code artifacts().put(stream)} (SHA-256 while writing into a
 *       temp file, fsync, hard-link publish, directory fsync), then {@code artifacts().open(digest)}
 *       read to the end (SHA-256 verified while reading). The blob is deleted before each call so
 *       every call really writes.
 *   <li>{@code filesCopyThenRead}: the baseline the issue names — {@code Files.copy} of the source
 *       to a file, then {@code Files.copy} of that file to a null stream. No digest, no fsync.
 *   <li>{@code filesCopyFsyncThenRead}: the same plus one {@code fsync}, to show what durability
 *       alone costs on this disk.
 *   <li>{@code filesCopyDigestFsyncThenRead}: the floor of any store that is durable and verifies
 *       digests: {@code Files.copy} of a SHA-256-hashing stream, {@code fsync}, then a hashing
 *       read. The gap between this and {@code artifactPutThenRead} is what the store itself costs.
 * </ul>
 *
 * Throughput = size / time per call; the ratio is {@code filesCopyThenRead / artifactPutThenRead}
 * of the average times.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@State(Scope.Benchmark)
public class FsArtifactThroughputBenchmark {
  /** Size of the artifact. */
  @Param({"134217728"})
  public long size;

  private Path dir;
  private Path source;
  private Path copyTarget;
  private Workspace ws;
  private Path blobFile;

  @Setup(Level.Trial)
  public void setup() throws IOException {
    dir = Files.createTempDirectory("mlops-fs-bench");
    source = dir.resolve("source.bin");
    copyTarget = dir.resolve("copy.bin");
    byte[] chunk = new byte[1 << 20];
    Random random = new Random(42);
    try (OutputStream out = Files.newOutputStream(source)) {
      for (long written = 0; written < size; written += chunk.length) {
        random.nextBytes(chunk);
        out.write(chunk, 0, (int) Math.min(chunk.length, size - written));
      }
    }
    ws = Mlops.open("file:" + dir.resolve("store"));
    ArtifactRef ref;
    try (InputStream in = Files.newInputStream(source)) {
      ref = ws.artifacts().put(in, ArtifactSpec.defaults());
    }
    String hex = ref.digest().hex();
    blobFile = dir.resolve("store/artifacts+/sha256+/" + hex.substring(0, 2) + "+/" + hex.substring(2));
    if (!Files.isRegularFile(blobFile)) {
      throw new IllegalStateException("blob not at " + blobFile);
    }
  }

  @Setup(Level.Invocation)
  public void removeCopies() throws IOException {
    // every call must really write: content addressing would otherwise skip the second write
    Files.deleteIfExists(blobFile);
    Files.deleteIfExists(copyTarget);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    ws.close();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Benchmark
  public long artifactPutThenRead() throws IOException {
    ArtifactRef ref;
    try (InputStream in = Files.newInputStream(source)) {
      ref = ws.artifacts().put(in, ArtifactSpec.defaults());
    }
    try (InputStream in = ws.artifacts().open(ref.digest())) {
      return in.transferTo(OutputStream.nullOutputStream());
    }
  }

  @Benchmark
  public long filesCopyThenRead() throws IOException {
    Files.copy(source, copyTarget, StandardCopyOption.REPLACE_EXISTING);
    return Files.copy(copyTarget, OutputStream.nullOutputStream());
  }

  @Benchmark
  public long filesCopyFsyncThenRead() throws IOException {
    Files.copy(source, copyTarget, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel ch = FileChannel.open(copyTarget, StandardOpenOption.WRITE)) {
      ch.force(false);
    }
    return Files.copy(copyTarget, OutputStream.nullOutputStream());
  }

  @Benchmark
  public long filesCopyDigestFsyncThenRead() throws IOException {
    // the same 64 KiB chunks and SHA-256 calls the store's write and verified read make
    byte[] buf = new byte[1 << 16];
    MessageDigest writeSha = Digest.newSha256();
    try (InputStream in = Files.newInputStream(source);
        OutputStream out = Files.newOutputStream(copyTarget)) {
      for (int n; (n = in.read(buf)) >= 0; ) {
        writeSha.update(buf, 0, n);
        out.write(buf, 0, n);
      }
    }
    try (FileChannel ch = FileChannel.open(copyTarget, StandardOpenOption.WRITE)) {
      ch.force(false);
    }
    MessageDigest readSha = Digest.newSha256();
    long total = 0;
    try (InputStream in = Files.newInputStream(copyTarget)) {
      for (int n; (n = in.read(buf)) >= 0; ) {
        readSha.update(buf, 0, n);
        total += n;
      }
    }
    if (!Arrays.equals(writeSha.digest(), readSha.digest())) {
      throw new IllegalStateException("copy differs");
    }
    return total;
  }
}

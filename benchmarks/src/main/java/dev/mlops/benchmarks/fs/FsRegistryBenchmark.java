package dev.mlops.benchmarks.fs;

import dev.mlops.testkit.SharedStore;
import dev.mlops.Mlops;
import dev.mlops.ModelVersion;
import dev.mlops.Registration;
import dev.mlops.Workspace;
import dev.mlops.fs.FsObjectStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The registry on {@code file:}, with real fsyncs: registering a version (percentiles, via
 * {@link Mode#SampleTime}), resolving an alias cold (a new workspace over the same directory, so
 * the model's checkpoint and log tail are read from disk) and cached (the in-memory fold).
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class FsRegistryBenchmark {

  /** A fresh store per trial; models roll over every 1,000 versions to keep realistic sizes. */
  @State(Scope.Benchmark)
  public static class Registering {
    Path dir;
    Workspace ws;
    final Registration registration = Registration.builder().description("bench").tag("k", "v").build();
    long n;

    @Setup(Level.Trial)
    public void open() throws IOException {
      dir = Files.createTempDirectory("mlops-fs-register");
      ws = Mlops.open("file:" + dir);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
      ws.close();
      deleteTree(dir);
    }
  }

  /** A model with 500 versions and an alias; a cold workspace is opened before every call. */
  @State(Scope.Benchmark)
  public static class Resolving {
    Path dir;
    FsObjectStore store;
    Workspace cached;
    Workspace cold;

    @Setup(Level.Trial)
    public void open() throws IOException {
      dir = Files.createTempDirectory("mlops-fs-resolve");
      store = FsObjectStore.builder().root(dir).build();
      cached = Mlops.open(URI.create("file:" + dir), SharedStore.of(store));
      for (int i = 0; i < 500; i++) {
        cached.registry().register("fraud", Registration.builder().description("v" + i).build());
      }
      cached.registry().approve("fraud", 321, "bench", "");
      cached.registry().setAlias("fraud", "production", 321);
    }

    @Setup(Level.Invocation)
    public void openCold() {
      cold = Mlops.open(URI.create("file:" + dir), SharedStore.of(store));
    }

    @TearDown(Level.Invocation)
    public void closeCold() {
      cold.close();
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
      cached.close();
      store.close();
      deleteTree(dir);
    }
  }

  @Benchmark
  public ModelVersion registerVersion(Registering s) {
    return s.ws.registry().register("model-" + (s.n++ / 1000), s.registration);
  }

  /**
   * The floor of any durable create on this disk, measured beside registerVersion: a new 400-byte
   * file written, fdatasync'ed, and its directory fsync'ed.
   */
  @Benchmark
  public Path durableCreateFloor(Registering s) throws IOException {
    Path file = s.dir.resolve("floor-" + (s.n++));
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(FLOOR_BYTES));
      ch.force(false);
    }
    try (FileChannel d = FileChannel.open(s.dir, StandardOpenOption.READ)) {
      d.force(true);
    }
    return file;
  }

  private static final byte[] FLOOR_BYTES = new byte[400];

  @Benchmark
  public Optional<ModelVersion> resolveAliasCold(Resolving s) {
    return s.cold.registry().find("fraud@production");
  }

  @Benchmark
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public Optional<ModelVersion> resolveAliasCached(Resolving s) {
    return s.cached.registry().find("fraud@production");
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}

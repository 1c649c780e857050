package dev.mlops.benchmarks.pipeline;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A timed local run (not JMH) of the shapes a pipeline step's durable creates take on this disk,
 * with the syscalls of {@code FsObjectStore.create} written out (temp file, {@code force}, hard
 * link, directory {@code force}), interleaved round by round so that every shape sees the same
 * disk noise: a create into an existing directory (the floor), into two new directories (a run's
 * START) with the directory syncs one after another or at the same time, making and syncing two
 * directories ahead of time and then creating into them, and two creates one after the other or
 * at the same time. Prints p50/p90 per shape and its ratio to the floor's p50.
 *
 * <p>Usage: {@code java -cp benchmarks.jar dev.mlops.benchmarks.pipeline.FsCreateShapes [rounds]}
 * (default 150); writes into a new temp directory, which it leaves behind.
 *
 * <p>Not thread-safe; a program, run from {@link #main}.
 */
public final class FsCreateShapes {
  private static final byte[] SMALL = "{\"v\":1,\"type\":\"claimed\",\"step\":\"s1\"}".getBytes(StandardCharsets.UTF_8);
  private static final ExecutorService POOL = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r);
    t.setDaemon(true);
    return t;
  });
  private final Path tmp;
  private long counter;

  private FsCreateShapes(Path tmp) {
    this.tmp = tmp;
  }

  private interface Op {
    void run() throws Exception;
  }

  static void sync(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  private synchronized Path nextTemp() {
    return tmp.resolve("t" + (counter++));
  }

  private Path temp() throws IOException {
    Path t = nextTemp();
    try (FileChannel ch = FileChannel.open(t, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ch.write(ByteBuffer.wrap(SMALL));
      ch.force(false);
    }
    return t;
  }

  private void createIn(Path dir, String name) throws IOException {
    Path t = temp();
    Files.createLink(dir.resolve(name), t);
    sync(dir);
    Files.delete(t);
  }

  private static void together(List<Op> ops) throws Exception {
    List<Future<?>> fs = new ArrayList<>();
    for (Op op : ops.subList(1, ops.size())) {
      fs.add(POOL.submit(() -> {
        op.run();
        return null;
      }));
    }
    ops.get(0).run();
    for (Future<?> f : fs) {
      f.get();
    }
  }

  /**
   * @param args optional: the number of rounds
   * @throws Exception if the disk fails
   */
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 150;
    Path root = Files.createTempDirectory("mlops-create-shapes");
    FsCreateShapes s = new FsCreateShapes(Files.createDirectory(root.resolve("~tmp")));
    Path floor = Files.createDirectory(root.resolve("floor+"));
    Path runs = Files.createDirectory(root.resolve("runs+"));
    Path idx = Files.createDirectory(root.resolve("idx+"));
    Path mk = Files.createDirectory(root.resolve("mk+"));
    sync(root);
    Deque<Path> ready = new ArrayDeque<>();
    int[] u = {0};
    Map<String, Op> ops = new LinkedHashMap<>();
    ops.put("floor: create into an existing directory", () -> s.createIn(floor, "f" + u[0]++));
    ops.put("create into 2 new directories, syncs in turn", () -> {
      Path id = runs.resolve("r" + u[0]++ + "+");
      Path log = id.resolve("log+");
      Files.createDirectory(id);
      Files.createDirectory(log);
      Path t = s.temp();
      Files.createLink(log.resolve("0.json"), t);
      sync(log);
      sync(id);
      sync(runs);
      Files.delete(t);
    });
    ops.put("create into 2 new directories, syncs at once", () -> {
      Path id = runs.resolve("r" + u[0]++ + "+");
      Path log = id.resolve("log+");
      Files.createDirectory(id);
      Files.createDirectory(log);
      Path t = s.temp();
      Files.createLink(log.resolve("0.json"), t);
      together(List.of(() -> sync(log), () -> sync(id), () -> sync(runs)));
      Files.delete(t);
    });
    Op prepare = () -> {
      Path id = runs.resolve("p" + u[0]++ + "+");
      Path log = id.resolve("log+");
      Files.createDirectory(id);
      Files.createDirectory(log);
      sync(id);
      sync(runs);
      ready.add(log);
    };
    ops.put("make + sync 2 directories ahead", prepare);
    ops.put("create into 2 directories made ahead", () -> s.createIn(ready.remove(), "0.json"));
    ops.put("2 creates in turn", () -> {
      s.createIn(idx, "e" + u[0]++);
      s.createIn(mk, "m" + u[0]++);
    });
    ops.put("2 creates at once", () -> together(List.of(() -> s.createIn(idx, "e" + u[0]++),
        () -> s.createIn(mk, "m" + u[0]++ + "b"))));
    // A step's write sets, with FsObjectStore.create's order (temp file and force, directories,
    // link, syncs deepest first): the run's START makes runs/<id>/log/, its END goes into the log
    // directory of the START before it (as a step's END follows its START), the execution log
    // entry, index start entry and marker into directories that exist.
    java.util.concurrent.atomic.AtomicInteger c = new java.util.concurrent.atomic.AtomicInteger();
    Path exec = Files.createDirectory(root.resolve("exec+"));
    Path[] lastLog = {null};
    Op start = () -> {
      Path id = runs.resolve("s" + c.getAndIncrement() + "+");
      Path log = id.resolve("log+");
      Path t = s.temp();
      Files.createDirectory(id);
      Files.createDirectory(log);
      Files.createLink(log.resolve("1.json"), t);
      sync(log);
      sync(id);
      sync(runs);
      Files.delete(t);
      lastLog[0] = log;
    };
    start.run();
    ops.put("step set, session 7's order: [index start, marker] | START; [END, index end] | log entry", () -> {
      Path prev = lastLog[0];
      together(List.of(start, () -> {
        s.createIn(idx, "se" + c.getAndIncrement());
        s.createIn(mk, "sm" + c.getAndIncrement());
      }));
      together(List.of(() -> s.createIn(exec, "sx" + c.getAndIncrement()), () -> {
        s.createIn(prev, "2.json");
        s.createIn(idx, "se" + c.getAndIncrement());
      }));
    });
    ops.put("step set, all 6 at once", () -> {
      Path prev = lastLog[0];
      together(List.of(start, () -> s.createIn(idx, "se" + c.getAndIncrement()), () -> s.createIn(mk, "sm" + c.getAndIncrement()),
          () -> s.createIn(exec, "sx" + c.getAndIncrement()), () -> s.createIn(prev, "2.json"), () -> s.createIn(idx, "sf" + c.getAndIncrement())));
    });
    ops.put("step set, 5 at once (no index end entry)", () -> {
      Path prev = lastLog[0];
      together(List.of(start, () -> s.createIn(idx, "se" + c.getAndIncrement()), () -> s.createIn(mk, "sm" + c.getAndIncrement()),
          () -> s.createIn(exec, "sx" + c.getAndIncrement()), () -> s.createIn(prev, "2.json")));
    });
    ops.put("step set, 3 own records at once (log entry, START, END)", () -> {
      Path prev = lastLog[0];
      together(List.of(start, () -> s.createIn(exec, "sx" + c.getAndIncrement()), () -> s.createIn(prev, "2.json")));
    });
    ops.put("step set, 3 own records in turn", () -> {
      Path prev = lastLog[0];
      s.createIn(exec, "sx" + c.getAndIncrement());
      start.run();
      s.createIn(prev, "2.json");
    });
    List<String> names = new ArrayList<>(ops.keySet());
    Map<String, long[]> times = new LinkedHashMap<>();
    names.forEach(k -> times.put(k, new long[n]));
    for (int i = -10; i < n; i++) {
      for (int j = 0; j < names.size(); j++) {
        String k = names.get(Math.floorMod(i + j, names.size()));
        if (k.startsWith("create into 2 directories made") && ready.isEmpty()) {
          prepare.run();
        }
        long t0 = System.nanoTime();
        ops.get(k).run();
        if (i >= 0) {
          times.get(k)[i] = System.nanoTime() - t0;
        }
      }
    }
    long floorP50 = p(times.get(names.get(0)), 0.5);
    for (String k : names) {
      long[] x = times.get(k);
      System.out.printf("%-90s p50 %6d us  p90 %6d us  = %.2fx floor%n", k, p(x, 0.5) / 1000, p(x, 0.9) / 1000,
          (double) p(x, 0.5) / floorP50);
    }
  }

  private static long p(long[] v, double q) {
    long[] x = v.clone();
    Arrays.sort(x);
    return x[(int) (x.length * q)];
  }
}

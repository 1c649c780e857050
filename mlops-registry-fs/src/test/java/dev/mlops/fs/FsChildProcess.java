package dev.mlops.fs;

import dev.mlops.ArtifactRef;
import dev.mlops.ArtifactSpec;
import dev.mlops.ConflictException;
import dev.mlops.Digest;
import dev.mlops.Mlops;
import dev.mlops.ModelVersion;
import dev.mlops.Registration;
import dev.mlops.Run;
import dev.mlops.Workspace;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;

/**
 * The worker the multi-process ITs spawn: opens {@code file:<root>} with {@link Mlops#open} and
 * runs one scenario, printing a line for every committed operation — only after the call returned,
 * so a printed line is a promise the store must keep even if the process is killed right after.
 *
 * <p>Not thread-safe; one scenario per process.
 */
public final class FsChildProcess {
  private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);

  private FsChildProcess() {}

  /**
   * @param args {@code crash <root> <worker> <seed>}, {@code register <root> <model> <count>},
   *     {@code alias <root> <model> <alias> <attempts> <versions> <seed>} or
   *     {@code large <root> <bytes> <seed>}
   */
  public static void main(String[] args) throws Exception {
    String root = args[1];
    try (Workspace ws = Mlops.open("file:" + root)) {
      switch (args[0]) {
        case "crash" -> crash(ws, Integer.parseInt(args[2]), Long.parseLong(args[3]));
        case "register" -> register(ws, args[2], Integer.parseInt(args[3]));
        case "alias" -> alias(ws, args[2], args[3], Integer.parseInt(args[4]), Integer.parseInt(args[5]),
            Long.parseLong(args[6]));
        case "large" -> large(ws, Long.parseLong(args[2]), Long.parseLong(args[3]));
        case "churn" -> churn(ws, args[2], Integer.parseInt(args[3]), Long.parseLong(args[4]));
        case "audit" -> audit(root, args[2], Integer.parseInt(args[3]));
        default -> throw new IllegalArgumentException("unknown scenario " + args[0]);
      }
    }
    OUT.println("DONE");
  }

  /** Registers versions, moves aliases, logs metrics and writes artifacts until killed. */
  private static void crash(Workspace ws, int worker, long seed) {
    Random random = new Random(seed);
    String model = "crash";
    String alias = "w" + worker;
    Run run = startRunIfSupported(ws, worker);
    OUT.println("READY");
    long step = 0;
    int lastVersion = 0;
    while (true) {
      int op = random.nextInt(10);
      if (op < 3 || lastVersion == 0) {
        byte[] content = new byte[1 + random.nextInt(64 * 1024)];
        random.nextBytes(content);
        ArtifactRef ref = ws.artifacts().put(content);
        ModelVersion v = ws.registry().register(model, Registration.builder()
            .artifact("model.bin", ref).tag("worker", Integer.toString(worker)).build());
        ws.registry().approve(model, v.version(), "worker-" + worker, "");
        lastVersion = v.version();
        OUT.println("VERSION " + v.version() + " " + ref.digest().hex());
      } else if (op < 6) {
        ws.registry().setAlias(model, alias, lastVersion);
        OUT.println("ALIAS " + alias + " " + lastVersion);
      } else if (op < 8 && run != null) {
        for (int i = 0; i < 10; i++) {
          run.logMetric("loss", 1.0 / (step + 1), step++);
        }
        run.flush();
        OUT.println("METRIC " + run.id().value() + " loss " + step);
      } else {
        long size = 1 + random.nextInt(3 << 20);
        long contentSeed = random.nextLong();
        ArtifactRef ref = ws.artifacts().put(new GeneratedStream(contentSeed, size), ArtifactSpec.defaults());
        OUT.println("ARTIFACT " + ref.digest().hex() + " " + size);
      }
    }
  }

  private static Run startRunIfSupported(Workspace ws, int worker) {
    try {
      Run run = ws.experiments().startRun("crash", "worker-" + worker);
      OUT.println("RUN " + run.id().value());
      return run;
    } catch (UnsupportedOperationException e) {
      OUT.println("NOMETRICS " + e.getMessage()); // experiments not built yet: the IT fails on this
      return null;
    }
  }

  /** Waits for GO on stdin, then registers {@code count} versions of one model. */
  private static void register(Workspace ws, String model, int count) throws Exception {
    awaitGo();
    for (int i = 0; i < count; i++) {
      ModelVersion v = ws.registry().register(model, Registration.builder().description("from " + ProcessHandle.current().pid()).build());
      OUT.println("VERSION " + v.version());
    }
  }

  /** Waits for GO, then tries to move the alias from where it was last seen to another version. */
  private static void alias(Workspace ws, String model, String alias, int attempts, int versions, long seed)
      throws Exception {
    Random random = new Random(seed);
    awaitGo();
    int conflicts = 0;
    for (int i = 0; i < attempts; i++) {
      Optional<ModelVersion> seen = ws.registry().find(model + "@" + alias);
      int from = seen.orElseThrow().version();
      int to = 1 + random.nextInt(versions - 1);
      if (to >= from) {
        to++;
      }
      try {
        ws.registry().moveAlias(model, alias, from, to);
        OUT.println("MOVED " + from + " " + to);
      } catch (ConflictException e) {
        conflicts++;
        OUT.println("CONFLICT " + from + " " + to);
      }
    }
    OUT.println("CONFLICTS " + conflicts);
  }

  /**
   * Waits for GO, then registers and approves {@code count} versions, moving alias {@code prod}
   * to its own newest version now and then. Prints {@code VERSION n}, {@code MOVED a b},
   * {@code LOST a b} for a lost conditional move, and {@code REFUSED <what>: <exception>} for any
   * other failure (which a correct store never causes).
   */
  private static void churn(Workspace ws, String model, int count, long seed) throws Exception {
    Random random = new Random(seed);
    awaitGo();
    for (int i = 0; i < count; i++) {
      int version;
      try {
        version = ws.registry().register(model, Registration.builder().description("churn " + seed).build()).version();
        ws.registry().approve(model, version, "churn-" + seed, "");
        OUT.println("VERSION " + version);
      } catch (RuntimeException e) {
        OUT.println("REFUSED register: " + e);
        continue;
      }
      if (random.nextInt(3) == 0) {
        int from = -1;
        try {
          from = ws.registry().resolve(model + "@prod").version();
          ws.registry().moveAlias(model, "prod", from, version);
          OUT.println("MOVED " + from + " " + version);
        } catch (ConflictException lost) {
          OUT.println("LOST " + from + " " + version);
        } catch (RuntimeException e) {
          OUT.println("REFUSED move: " + e);
        }
      }
    }
  }

  /**
   * Waits for GO, then {@code rounds} times: opens a fresh workspace (a cold reader), reads the
   * model's versions and verifies its log. Prints {@code CHECKED n} per good round, and
   * {@code FALSE <what>: <problem>} for a read that failed or a verify that was not clean.
   */
  private static void audit(String root, String model, int rounds) throws Exception {
    awaitGo();
    for (int i = 0; i < rounds; i++) {
      try (Workspace cold = Mlops.open("file:" + root)) {
        int n = cold.registry().versions(model).size();
        dev.mlops.VerifyReport r = cold.registry().verify(model);
        OUT.println(r.ok() ? "CHECKED " + n : "FALSE verify: " + r);
      } catch (RuntimeException e) {
        OUT.println("FALSE read: " + e);
      }
    }
  }

  /** Writes a generated artifact of {@code bytes} and reads it back, both in constant memory. */
  private static void large(Workspace ws, long bytes, long seed) throws Exception {
    ArtifactRef ref = ws.artifacts().put(new GeneratedStream(seed, bytes), ArtifactSpec.defaults());
    OUT.println("PUT " + ref.digest().hex() + " " + ref.size());
    MessageDigest sha = GeneratedStream.newSha256();
    long read = 0;
    byte[] buf = new byte[1 << 16];
    try (InputStream in = ws.artifacts().open(Digest.parse(ref.digest().hex()))) {
      for (int n; (n = in.read(buf)) >= 0; ) {
        sha.update(buf, 0, n);
        read += n;
      }
    }
    OUT.println("READ " + HexFormat.of().formatHex(sha.digest()) + " " + read
        + " maxHeap " + Runtime.getRuntime().maxMemory());
  }

  private static void awaitGo() throws Exception {
    OUT.println("READY");
    BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    String line = stdin.readLine();
    if (!"GO".equals(line)) {
      throw new IllegalStateException("expected GO, got " + line);
    }
  }
}

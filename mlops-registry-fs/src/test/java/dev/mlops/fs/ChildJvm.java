package dev.mlops.fs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM running {@link FsChildProcess} (or another main class) on the test class path: its stdout lines are queued
 * as they arrive, its stderr goes to a file for diagnosis. Always {@link #kill} or wait for it.
 *
 * <p>Not thread-safe; confine to one thread (the reader thread only fills the queue).
 */
final class ChildJvm implements AutoCloseable {
  private static final String EOF = "\u0000EOF";

  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private final List<String> all = new ArrayList<>();
  private final Path stderr;

  private ChildJvm(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = r.readLine()) != null; ) {
          lines.add(line);
        }
      } catch (IOException e) {
        // the process died mid-line: what was read is what was reported
      } finally {
        lines.add(EOF);
      }
    }, "child-stdout-" + process.pid());
    reader.setDaemon(true);
    reader.start();
  }

  /**
   * @param maxHeap e.g. {@code 128m}
   * @param stderr where the child's stderr goes
   * @param args arguments of {@link FsChildProcess#main}
   */
  static ChildJvm start(String maxHeap, Path stderr, String... args) throws IOException {
    return start(FsChildProcess.class, maxHeap, stderr, args);
  }

  /**
   * @param main the class whose {@code main} the child runs
   * @param maxHeap e.g. {@code 128m}
   * @param stderr where the child's stderr goes (appended)
   * @param args its arguments
   */
  static ChildJvm start(Class<?> main, String maxHeap, Path stderr, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx" + maxHeap);
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-XX:TieredStopAtLevel=1"); // short-lived workers: start fast
    cmd.add("-Xshare:auto");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    cmd.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()));
    return new ChildJvm(pb.start(), stderr);
  }

  long pid() {
    return process.pid();
  }

  /** Waits for the next stdout line. @return it, or null at end of output */
  String nextLine(long timeout, TimeUnit unit) throws InterruptedException {
    String line = lines.poll(timeout, unit);
    if (line == null) {
      throw new AssertionError("child " + pid() + " printed nothing for " + timeout + " " + unit + "; stderr in " + stderr);
    }
    if (line.equals(EOF)) {
      lines.add(EOF);
      return null;
    }
    all.add(line);
    return line;
  }

  /** Waits for a line equal to {@code expected}, keeping the lines before it. */
  void await(String expected, long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("child " + pid() + " did not print " + expected + "; stderr in " + stderr);
      }
      String line = nextLine(left, TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new AssertionError("child " + pid() + " ended before printing " + expected + "; stderr in " + stderr
            + "; output " + all);
      }
      if (line.equals(expected)) {
        return;
      }
    }
  }

  /** Waits for a line starting with {@code prefix}, keeping the lines before it. @return that line */
  String awaitPrefix(String prefix, long timeout, TimeUnit unit) throws InterruptedException {
    long deadline = System.nanoTime() + unit.toNanos(timeout);
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("child " + pid() + " printed no " + prefix + "; stderr in " + stderr);
      }
      String line = nextLine(left, TimeUnit.NANOSECONDS);
      if (line == null) {
        throw new AssertionError("child " + pid() + " ended before printing " + prefix + "; stderr in " + stderr
            + "; output " + all);
      }
      if (line.startsWith(prefix)) {
        return line;
      }
    }
  }

  /** Sends a line to the child's stdin. */
  void send(String line) throws IOException {
    OutputStream in = process.getOutputStream();
    in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
  }

  /** SIGKILL (destroyForcibly is SIGKILL on Linux), then waits for the death and the last output. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  /** Waits for a normal exit. @return the exit code */
  int waitFor(long timeout, TimeUnit unit) throws InterruptedException {
    if (!process.waitFor(timeout, unit)) {
      process.destroyForcibly();
      throw new AssertionError("child " + pid() + " did not finish in " + timeout + " " + unit + "; stderr in " + stderr);
    }
    return process.exitValue();
  }

  /** @return every stdout line, after the process is dead; waits for the reader to drain */
  List<String> drain() throws InterruptedException {
    while (nextLine(30, TimeUnit.SECONDS) != null) {
      // collecting into `all`
    }
    return List.copyOf(all);
  }

  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
  }
}

package dev.mlops.ui;

import dev.mlops.MlopsException;
import dev.mlops.Mlops;
import dev.mlops.Workspace;
import dev.mlops.WorkspaceOptions;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CountDownLatch;

/**
 * Starts the UI from the command line until the process is stopped:
 * {@code java -cp ... dev.mlops.ui.UiMain --store <uri> [--port N] [--bind ADDRESS] [--allow-writes]}.
 * The workspace is opened read-only unless {@code --allow-writes}. Exit codes: 2 for bad
 * arguments or a store that does not open, 1 if the port cannot be bound.
 *
 * <p>Not thread-safe; run once per process.
 */
public final class UiMain {
  private UiMain() {}

  /**
   * @param args {@code --store <uri> [--port N] [--bind ADDRESS] [--allow-writes]}
   * @throws InterruptedException if interrupted while serving
   */
  public static void main(String[] args) throws InterruptedException {
    CountDownLatch stop = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    // on Ctrl-C: let run() close the server and the workspace before the JVM halts
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stop.countDown();
      try {
        done.await(5, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "mlops-ui-stop"));
    int code;
    try {
      code = run(args, System.out, System.err, stop);
    } finally {
      done.countDown();
    }
    if (code != 0) {
      System.exit(code);
    }
  }

  /**
   * Parses the arguments, opens the store, starts the server and waits on {@code stop}.
   *
   * @return the exit code
   */
  static int run(String[] args, PrintStream out, PrintStream err, CountDownLatch stop) throws InterruptedException {
    String store = null;
    UiOptions.Builder options = UiOptions.builder();
    boolean writes = false;
    try {
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--store" -> store = value(args, ++i, "--store");
          case "--port" -> {
            String p = value(args, ++i, "--port");
            try {
              options.port(Integer.parseInt(p));
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException("--port '" + p + "' is not a number");
            }
          }
          case "--bind" -> options.bindAddress(value(args, ++i, "--bind"));
          case "--allow-writes" -> writes = true;
          case "--help", "-h" -> {
            out.println(usage());
            return 0;
          }
          default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
        }
      }
      if (store == null) {
        throw new IllegalArgumentException("--store <uri> is required");
      }
    } catch (IllegalArgumentException e) {
      err.println("mlops ui: " + e.getMessage());
      err.println(usage());
      return 2;
    }
    options.allowWrites(writes);
    Workspace ws;
    try {
      ws = Mlops.open(store, WorkspaceOptions.builder().readOnly(!writes).build());
    } catch (MlopsException | IllegalArgumentException e) {
      err.println("mlops ui: cannot open store '" + store + "': " + e.getMessage());
      return 2;
    }
    try (ws) {
      UiServer server;
      try {
        server = UiServer.start(ws, options.build());
      } catch (UncheckedIOException | IllegalArgumentException e) {
        err.println("mlops ui: " + e.getMessage() + (e.getCause() != null ? ": " + e.getCause().getMessage() : ""));
        return 1;
      }
      try (server) {
        out.println("mlops UI for " + store + " at " + server.uri() + (writes ? " (writes allowed)" : " (read-only)")
            + "; stop with Ctrl-C");
        out.flush();
        stop.await();
      }
    }
    return 0;
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) {
      throw new IllegalArgumentException(flag + " needs a value");
    }
    return args[i];
  }

  private static String usage() {
    return "usage: UiMain --store <uri> [--port N] [--bind ADDRESS] [--allow-writes]\n"
        + "  serves a local web UI over the store (read-only unless --allow-writes), on 127.0.0.1 by default";
  }
}

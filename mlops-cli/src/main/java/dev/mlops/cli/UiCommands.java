package dev.mlops.cli;

import dev.mlops.ModelVersion;
import dev.mlops.NotFoundException;
import dev.mlops.RunId;
import dev.mlops.Workspace;
import dev.mlops.drift.BaselineProfile;
import dev.mlops.drift.Baselines;
import dev.mlops.drift.DriftReport;
import dev.mlops.drift.PredictionMonitor;
import dev.mlops.drift.WindowSnapshot;
import dev.mlops.ui.DriftWindows;
import dev.mlops.ui.HtmlReports;
import dev.mlops.ui.UiOptions;
import dev.mlops.ui.UiServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code mlops ui} and {@code mlops report}: the web UI and self-contained HTML reports. Not thread-safe. */
final class UiCommands {
  private UiCommands() {}

  @Command(name = "ui", mixinStandardHelpOptions = true,
      description = "Serve the web UI over the store (read-only unless --allow-writes) until stopped with Ctrl-C.")
  static final class Ui extends ListCommands.Base {
    @Option(names = "--port", paramLabel = "<n>", description = "port (default 8080; 0 picks a free one)")
    int port = 8080;

    @Option(names = "--bind", paramLabel = "<address>", description = "address to listen on (default 127.0.0.1)")
    String bind = "127.0.0.1";

    @Option(names = "--allow-writes", description = "allow approve/reject from the UI (through the registry's rules)")
    boolean allowWrites;

    @Override
    boolean writes() {
      return allowWrites;
    }

    @Override
    int run(Workspace ws) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("--port must be in 0..65535, got " + port);
      }
      UiOptions options = UiOptions.builder().bindAddress(bind).port(port).allowWrites(allowWrites).build();
      CountDownLatch stopped = new CountDownLatch(1);
      try (UiServer server = UiServer.start(ws, options)) {
        Thread hook = new Thread(stopped::countDown, "mlops-ui-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        out().println("mlops UI at " + server.uri() + (allowWrites ? " (writes allowed)" : " (read-only)")
            + "; Ctrl-C stops it");
        out().flush();
        try {
          stopped.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } finally {
          try {
            Runtime.getRuntime().removeShutdownHook(hook);
          } catch (IllegalStateException shuttingDown) {
            // the JVM is exiting; the hook has run
          }
        }
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "report", mixinStandardHelpOptions = true,
      description = "Render a self-contained HTML report (one file, no network access).",
      subcommands = {Report.Runs.class, Report.Model.class, Report.Features.class, Report.Drift.class})
  static final class Report implements java.util.concurrent.Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "report needs a subcommand: runs, model, features or drift");
    }

    /** Writes the page to -o, or prints it. */
    abstract static class Base extends ListCommands.Base {
      @Option(names = {"-o", "--output"}, paramLabel = "<file.html>", description = "where to write (default: standard output)")
      Path output;

      int write(String html) {
        if (output == null) {
          out().print(html);
          return ExitCodes.OK;
        }
        try {
          Path parent = output.toAbsolutePath().getParent();
          if (parent != null) {
            Files.createDirectories(parent);
          }
          Files.writeString(output, html, StandardCharsets.UTF_8);
        } catch (IOException e) {
          throw new UncheckedIOException("cannot write " + output + ": " + e.getMessage(), e);
        }
        out().println("wrote " + output + " (" + html.length() + " characters)");
        return ExitCodes.OK;
      }
    }

    @Command(name = "runs", mixinStandardHelpOptions = true, description = "Compare runs: parameters side by side, metric curves.")
    static final class Runs extends Base {
      @Parameters(paramLabel = "<run-id>", arity = "1..10", description = "one to ten run ids")
      List<String> ids = new ArrayList<>();

      @Override
      int run(Workspace ws) {
        List<RunId> runs = new ArrayList<>();
        for (String id : ids) {
          RunId run = RunId.of(id);
          ws.experiments().findRun(run).orElseThrow(() -> new NotFoundException("run '" + id + "' does not exist"));
          runs.add(run);
        }
        return write(HtmlReports.runComparison(ws, runs));
      }
    }

    @Command(name = "model", mixinStandardHelpOptions = true,
        description = "A model version: lineage, approvals, aliases, audit trail with its verification.")
    static final class Model extends Base {
      @Parameters(index = "0", paramLabel = "<ref>", description = "model/3, model@production or model/latest")
      String ref;

      @Override
      int run(Workspace ws) {
        ModelVersion v = ws.registry().resolve(ref);
        return write(HtmlReports.modelVersion(ws, v.model(), v.version()));
      }
    }

    @Command(name = "features", mixinStandardHelpOptions = true, description = "A feature view: definition and history.")
    static final class Features extends Base {
      @Parameters(index = "0", paramLabel = "<view>", description = "the feature view name")
      String view;

      @Override
      int run(Workspace ws) {
        ws.features().findView(view).orElseThrow(() -> new NotFoundException("feature view '" + view + "' does not exist"));
        return write(HtmlReports.featureView(ws, view));
      }
    }

    @Command(name = "drift", mixinStandardHelpOptions = true,
        description = "The drift of a model version's stored monitoring windows against its baseline.")
    static final class Drift extends Base {
      @Parameters(index = "0", paramLabel = "<ref>", description = "model/3 or model@production")
      String ref;

      @Option(names = "--windows", paramLabel = "<n>", description = "at most this many newest windows (default 50)")
      int windows = 50;

      @Override
      int run(Workspace ws) {
        if (windows < 1) {
          throw new IllegalArgumentException("--windows must be >= 1, got " + windows);
        }
        ModelVersion v = ws.registry().resolve(ref);
        BaselineProfile baseline = Baselines.find(ws, v.model(), v.version()).orElseThrow(() -> new NotFoundException(
            v.ref() + " has no drift baseline (store one with Baselines.save)"));
        List<WindowSnapshot> stored = DriftWindows.list(ws, v, windows);
        if (stored.isEmpty()) {
          throw new NotFoundException(v.ref() + " has no stored monitoring windows (store them with DriftWindows.save)");
        }
        PredictionMonitor monitor = PredictionMonitor.builder(baseline).build();
        List<DriftReport> reports = new ArrayList<>();
        stored.forEach(w -> reports.add(monitor.evaluate(w)));
        return write(HtmlReports.driftReport("Drift of " + v.ref(), baseline, reports));
      }
    }
  }
}

package dev.mlops.cli;

import dev.mlops.ConflictException;
import dev.mlops.CorruptDataException;
import dev.mlops.NotFoundException;
import dev.mlops.ProviderNotFoundException;
import dev.mlops.StorageException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code mlops} command: subcommands over any store. Run {@code java -jar mlops.jar -h}.
 *
 * <p>Every subcommand takes {@code --store <uri>} (or the environment variable
 * {@code MLOPS_STORE}) and {@code --json}. Errors print one line to standard error, never a stack
 * trace, and exit with a code from {@link ExitCodes}.
 *
 * <p>Instances are not thread-safe; {@link #execute} builds a fresh one per call.
 */
@Command(name = "mlops", mixinStandardHelpOptions = true, versionProvider = MlopsCli.Version.class,
    description = "Inspect and govern an mlops store: models, versions, aliases, audit trails, runs.",
    subcommands = {
        ListCommands.Models.class, ListCommands.Versions.class, ListCommands.Show.class,
        ListCommands.Aliases.class, ListCommands.Experiments.class, ListCommands.Runs.class,
        ListCommands.RunCommand.class, ChangeCommands.Approve.class, ChangeCommands.Reject.class,
        ChangeCommands.Alias.class, AuditCommands.Verify.class, AuditCommands.Audit.class,
        UiCommands.Ui.class, UiCommands.Report.class,
        CommandLine.HelpCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:done", "1:a check found a problem (verify)", "2:wrong command line",
        "3:a named model, version, alias or run does not exist",
        "4:the store refused the change (conflict or rule)", "5:the store could not be opened or read, or is corrupt"})
public final class MlopsCli {
  private MlopsCli() {}

  /**
   * Runs {@code mlops} and exits the JVM with its exit code.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    System.exit(execute(out, err, args));
  }

  /**
   * Runs {@code mlops} in this JVM.
   *
   * @param out where results go
   * @param err where errors and usage go
   * @param args the command line
   * @return the exit code, one of {@link ExitCodes}
   */
  public static int execute(PrintWriter out, PrintWriter err, String... args) {
    CommandLine cli = new CommandLine(new MlopsCli());
    cli.setOut(out);
    cli.setErr(err);
    cli.setExitCodeExceptionMapper(MlopsCli::exitCode);
    cli.setExecutionExceptionHandler((e, line, parsed) -> {
      line.getErr().println("mlops " + line.getCommandName() + ": " + message(e));
      line.getErr().flush();
      return exitCode(e);
    });
    int code = cli.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  static int exitCode(Throwable e) {
    if (e instanceof CommandLine.ParameterException || e instanceof IllegalArgumentException) {
      return ExitCodes.USAGE;
    }
    if (e instanceof NotFoundException) {
      return ExitCodes.NOT_FOUND;
    }
    if (e instanceof ConflictException || e instanceof IllegalStateException) {
      return ExitCodes.REFUSED;
    }
    if (e instanceof StorageException || e instanceof CorruptDataException || e instanceof ProviderNotFoundException
        || e instanceof java.io.UncheckedIOException) {
      return ExitCodes.STORE_ERROR;
    }
    return ExitCodes.STORE_ERROR;
  }

  private static String message(Throwable e) {
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
  }

  /** Prints the version of the mlops-cli jar. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = MlopsCli.class.getPackage().getImplementationVersion();
      return new String[] {"mlops " + (v == null ? "(development build)" : v)};
    }
  }
}

package dev.mlops.cli;

import dev.mlops.AliasCondition;
import dev.mlops.ApprovalStatus;
import dev.mlops.ModelVersion;
import dev.mlops.Workspace;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The commands that change the registry, through the same API as any caller, so the registry's
 * rules (aliases need an Approved version, a version is reviewed once) apply. Not thread-safe.
 */
final class ChangeCommands {
  private ChangeCommands() {}

  /** approve / reject. */
  abstract static class Review extends ListCommands.Base {
    @Parameters(index = "0", paramLabel = "<model>", description = "the model name")
    String model;

    @Parameters(index = "1", paramLabel = "<version>", description = "the version number")
    int version;

    @Option(names = {"-m", "--comment"}, paramLabel = "<text>", description = "why (recorded in the audit log)")
    String comment = "";

    @Override
    boolean writes() {
      return true;
    }

    abstract ApprovalStatus decision();

    @Override
    int run(Workspace ws) {
      ModelVersion v = ws.registry().review(model, version, decision(), options.actorName(), comment);
      if (options.json) {
        Output.json(out(), Output.version(v));
      } else {
        out().printf("%s is %s (by %s)%n", v.ref(), v.status(), Output.clean(options.actorName()));
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "approve", mixinStandardHelpOptions = true, description = "Approve a version pending review.")
  static final class Approve extends Review {
    @Override
    ApprovalStatus decision() {
      return ApprovalStatus.APPROVED;
    }
  }

  @Command(name = "reject", mixinStandardHelpOptions = true, description = "Reject a version pending review.")
  static final class Reject extends Review {
    @Override
    ApprovalStatus decision() {
      return ApprovalStatus.REJECTED;
    }
  }

  @Command(name = "alias", mixinStandardHelpOptions = true, description = "Set, move or delete an alias.",
      subcommands = {Alias.Set.class, Alias.Delete.class})
  static final class Alias implements java.util.concurrent.Callable<Integer> {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    /** Without a subcommand: the usage, and a usage error. */
    @Override
    public Integer call() {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "alias needs a subcommand: set or delete");
    }

    /** alias set. */
    @Command(name = "set", mixinStandardHelpOptions = true,
        description = "Point an alias at a version (creates or moves it); --expect makes the move conditional.")
    static final class Set extends ListCommands.Base {
      @Parameters(index = "0", paramLabel = "<model>") String model;
      @Parameters(index = "1", paramLabel = "<alias>") String alias;
      @Parameters(index = "2", paramLabel = "<version>") int version;

      @Option(names = "--expect", paramLabel = "<version>",
          description = "only if the alias points at this version now (0: only if it does not exist)")
      Integer expect;

      @Override
      boolean writes() {
        return true;
      }

      @Override
      int run(Workspace ws) {
        ws.registry().setAlias(model, alias, version, condition(expect));
        out().printf("%s@%s -> %d%n", model, alias, version);
        return ExitCodes.OK;
      }
    }

    /** alias delete. */
    @Command(name = "delete", mixinStandardHelpOptions = true, description = "Delete an alias.")
    static final class Delete extends ListCommands.Base {
      @Parameters(index = "0", paramLabel = "<model>") String model;
      @Parameters(index = "1", paramLabel = "<alias>") String alias;

      @Option(names = "--expect", paramLabel = "<version>", description = "only if the alias points at this version now")
      Integer expect;

      @Override
      boolean writes() {
        return true;
      }

      @Override
      int run(Workspace ws) {
        ws.registry().deleteAlias(model, alias, condition(expect));
        out().printf("%s@%s deleted%n", model, alias);
        return ExitCodes.OK;
      }
    }

    static AliasCondition condition(Integer expect) {
      if (expect == null) {
        return AliasCondition.any();
      }
      return expect == 0 ? AliasCondition.absent() : AliasCondition.pointsAt(expect);
    }
  }
}

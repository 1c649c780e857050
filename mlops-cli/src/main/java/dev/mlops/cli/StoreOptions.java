package dev.mlops.cli;

import dev.mlops.Mlops;
import dev.mlops.Workspace;
import dev.mlops.WorkspaceOptions;
import picocli.CommandLine.Option;

/**
 * The options every subcommand takes: which store, output format, who acts.
 *
 * <p>Not thread-safe (picocli fills it per command line).
 */
final class StoreOptions {
  @Option(names = "--store", paramLabel = "<uri>", defaultValue = "${env:MLOPS_STORE}",
      description = "the store: file:/path, s3://bucket/prefix?region=..., mem: (default: $MLOPS_STORE)")
  String store;

  @Option(names = "--json", description = "print JSON (one document, or JSON Lines for audit trails) for scripts")
  boolean json;

  @Option(names = "--actor", paramLabel = "<name>", defaultValue = "${env:MLOPS_ACTOR}",
      description = "who acts, recorded in the audit log (default: $MLOPS_ACTOR, else the OS user name)")
  String actor;

  String actorName() {
    if (actor != null && !actor.isBlank()) {
      return actor;
    }
    String user = System.getProperty("user.name");
    return user == null || user.isBlank() ? "mlops-cli" : user;
  }

  /** Opens the store; read-only unless the command changes something. */
  Workspace open(boolean write) {
    if (store == null || store.isBlank()) {
      throw new IllegalArgumentException("no store: pass --store <uri> or set MLOPS_STORE (e.g. file:/data/mlops)");
    }
    return Mlops.open(store, WorkspaceOptions.builder().actor(actorName()).readOnly(!write).build());
  }
}

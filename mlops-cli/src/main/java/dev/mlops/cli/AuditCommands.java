package dev.mlops.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.mlops.AuditEntry;
import dev.mlops.LogAnchor;
import dev.mlops.VerifyReport;
import dev.mlops.Workspace;
import java.util.ArrayList;
import java.util.List;

import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Verifying and exporting the tamper-evident audit trail. Not thread-safe. */
final class AuditCommands {
  private AuditCommands() {}

  @Command(name = "verify", mixinStandardHelpOptions = true,
      description = "Verify the hash chains of models' audit logs (all models by default); exit 1 if any is broken.")
  static final class Verify extends ListCommands.Base {
    @Parameters(paramLabel = "<model>", arity = "0..*", description = "models to verify (default: every model)")
    List<String> models = new ArrayList<>();

    @Option(names = "--anchor", paramLabel = "<seq>:<hash>",
        description = "a head recorded earlier (printed by verify): also detects truncation or rewriting of newer entries;"
            + " one model only")
    String anchor;

    @Override
    int run(Workspace ws) {
      List<String> names = models.isEmpty() ? ws.registry().models() : models;
      if (anchor != null && models.size() != 1) {
        throw new IllegalArgumentException("--anchor checks one model's log: name exactly one model (" + models.size()
            + " named)");
      }
      names.forEach(m -> requireModel(ws, m));
      boolean ok = true;
      ArrayNode json = Output.JSON.createArrayNode();
      List<List<String>> rows = new ArrayList<>();
      for (String m : names) {
        VerifyReport r = anchor == null ? ws.registry().verify(m) : ws.registry().verify(m, parseAnchor(anchor));
        ok &= r.ok();
        json.add(Output.verify(m, r));
        rows.add(List.of(m, r.ok() ? "ok" : "BROKEN", Long.toString(r.entriesChecked()),
            r.head().map(h -> h.seq() + ":" + h.hash()).orElse(""),
            r.ok() ? "" : r.brokenKey().orElse("") + ": " + r.problem().orElse("")));
      }
      if (options.json) {
        Output.json(out(), json);
      } else {
        Output.table(out(), List.of("MODEL", "LOG", "ENTRIES", "HEAD (keep it to pass as --anchor)", "PROBLEM"), rows);
      }
      return ok ? ExitCodes.OK : ExitCodes.CHECK_FAILED;
    }

    static LogAnchor parseAnchor(String text) {
      int colon = text.indexOf(':');
      try {
        return new LogAnchor(Long.parseLong(text.substring(0, Math.max(colon, 0))), text.substring(colon + 1));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("--anchor '" + text + "' is not <seq>:<sha-256 hex>: " + e.getMessage());
      }
    }
  }

  @Command(name = "audit", mixinStandardHelpOptions = true,
      description = "Print a model's audit trail, oldest first; with --json, one JSON object per line (JSON Lines)"
          + " with each entry's hash and the previous entry's hash, for export.")
  static final class Audit extends ListCommands.Base {
    @Parameters(index = "0", paramLabel = "<model>", description = "the model name")
    String model;

    @Override
    int run(Workspace ws) {
      requireModel(ws, model);
      List<AuditEntry> entries = ws.registry().history(model);
      if (options.json) {
        entries.forEach(e -> Output.jsonLine(out(), Output.audit(model, e)));
        return ExitCodes.OK;
      }
      List<List<String>> rows = new ArrayList<>();
      for (AuditEntry e : entries) {
        List<String> details = new ArrayList<>();
        new TreeMap<>(e.details()).forEach((k, v) -> details.add(k + "=" + v));
        rows.add(List.of(Long.toString(e.seq()), e.at().toString(), e.type(), e.actor(), String.join(" ", details)));
      }
      Output.table(out(), List.of("SEQ", "AT", "TYPE", "ACTOR", "DETAILS"), rows);
      return ExitCodes.OK;
    }
  }

}

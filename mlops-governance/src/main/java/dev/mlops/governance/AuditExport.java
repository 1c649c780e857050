package dev.mlops.governance;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.CorruptDataException;
import dev.mlops.Names;
import dev.mlops.Workspace;
import dev.mlops.core.CoreWorkspace;
import dev.mlops.core.internal.HashChainedLog;
import dev.mlops.spi.ObjectStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Exports audit trails as JSON Lines, one line per log entry, with the entry's stored text so that
 * {@link AuditVerifier} can recompute every hash and check every signature without the store:
 *
 * <pre>{"format":1,"log":"models/fraud/log","seq":3,"hash":"…","prev":"…","entry":"{…stored entry…}"}</pre>
 *
 * <p>The governance log ({@code governance/log}: policies, trusted keys, grants) always comes
 * first, since signatures in the model logs are checked against the keys it trusts; then the
 * model's log, or every model's log in name order.
 *
 * <p>Thread-safe (stateless).
 */
public final class AuditExport {
  /** The line format this version writes. */
  public static final int FORMAT = 1;
  private static final ObjectMapper JSON = new ObjectMapper();

  private AuditExport() {}

  /**
   * Writes the audit trail of one model, or of every model when {@code model} is empty.
   *
   * @param workspace an open workspace from mlops-core
   * @param model a model name, or empty for the whole store
   * @param out where the lines go (not closed)
   * @return how many entries were written
   * @throws CorruptDataException naming the first stored entry whose own hash does not match
   * @throws UncheckedIOException if writing fails
   */
  public static long export(Workspace workspace, Optional<String> model, Writer out) {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(out, "out");
    ObjectStore store = storeOf(workspace);
    List<String> logs = new ArrayList<>();
    logs.add("governance/log");
    if (model.isPresent()) {
      logs.add("models/" + Names.requireValid("model name", model.get()) + "/log");
    } else {
      workspace.registry().models().forEach(m -> logs.add("models/" + m + "/log"));
    }
    long n = 0;
    try {
      for (String log : logs) {
        HashChainedLog chain = new HashChainedLog(store, log);
        for (String key : store.listAll(chain.prefix()).filter(k -> k.endsWith(".json")).toList()) {
          byte[] bytes = store.get(key).orElse(null);
          if (bytes == null) {
            continue;
          }
          HashChainedLog.Entry e = HashChainedLog.parse(key, bytes);
          ObjectNode line = JSON.createObjectNode();
          line.put("format", FORMAT);
          line.put("log", log);
          line.put("seq", e.seq());
          line.put("hash", e.hash());
          line.put("prev", e.prev());
          line.put("entry", new String(bytes, StandardCharsets.UTF_8));
          out.write(JSON.writeValueAsString(line));
          out.write('\n');
          n++;
        }
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException("writing the audit export failed: " + e.getMessage(), e);
    }
    return n;
  }

  static ObjectStore storeOf(Workspace workspace) {
    Objects.requireNonNull(workspace, "workspace");
    if (workspace instanceof CoreWorkspace c) {
      return c.store();
    }
    throw new IllegalArgumentException("workspace " + workspace + " is a " + workspace.getClass().getName()
        + ", not an mlops-core workspace; open it with Mlops.open(...)");
  }
}

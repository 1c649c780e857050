package dev.mlops.governance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlops.CorruptDataException;
import dev.mlops.LogAnchor;
import dev.mlops.Principal;
import dev.mlops.TrustedKey;
import dev.mlops.core.internal.EntrySignatures;
import dev.mlops.core.internal.HashChainedLog;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Checks an {@link AuditExport} without the store: every entry's own SHA-256, the numbering and
 * chain of each log from entry 1, every signature against the keys the exported governance log
 * trusted when the entry was made, that rule changes after the first trusted key are signed, and
 * that review decisions and alias moves are signed where a policy required it. Also a command:
 * {@code java dev.mlops.governance.AuditVerifier export.jsonl} prints the report and exits 0 if it
 * checks out, 1 if not.
 *
 * <p>Like the store's own {@code verify}, an export alone cannot show that the newest entries of a
 * log were dropped: compare {@link AuditReport#heads()} with anchors kept elsewhere.
 *
 * <p>Thread-safe (stateless).
 */
public final class AuditVerifier {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> DECISIONS = Set.of("REVIEW", "APPROVAL_VOTE", "SET_ALIAS", "DELETE_ALIAS");

  private AuditVerifier() {}

  /**
   * @param args one argument: the export file
   * @throws IOException if the file cannot be read
   */
  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: java dev.mlops.governance.AuditVerifier <export.jsonl>");
      System.exit(2);
    }
    AuditReport r;
    try (Reader in = Files.newBufferedReader(Path.of(args[0]), StandardCharsets.UTF_8)) {
      r = verify(in);
    }
    System.out.println("entries checked: " + r.entries());
    new TreeMap<>(r.heads()).forEach((log, head) -> System.out.println("head " + log + " " + head));
    r.problems().forEach(p -> System.out.println("PROBLEM " + p));
    System.out.println(r.ok() ? "OK" : "FAILED: " + r.problems().size() + " problem(s)");
    System.exit(r.ok() ? 0 : 1);
  }

  /**
   * @param export the JSON Lines written by {@link AuditExport}
   * @return the report
   * @throws UncheckedIOException if reading fails
   */
  public static AuditReport verify(Reader export) {
    Map<String, List<HashChainedLog.Entry>> logs = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    long n = 0;
    BufferedReader in = new BufferedReader(export);
    try {
      String line;
      int lineNo = 0;
      while ((line = in.readLine()) != null) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        n++;
        JsonNode l;
        try {
          l = JSON.readTree(line);
        } catch (IOException e) {
          problems.add("line " + lineNo + ": not JSON: " + e.getMessage().lines().findFirst().orElse(""));
          continue;
        }
        if (l.path("format").asInt(-1) != AuditExport.FORMAT) {
          problems.add("line " + lineNo + ": format " + l.path("format") + " is not " + AuditExport.FORMAT);
          continue;
        }
        String log = l.path("log").asText();
        String key = log + "/" + String.format("%020d", l.path("seq").asLong()) + ".json";
        HashChainedLog.Entry e;
        try {
          e = HashChainedLog.parse(key, l.path("entry").asText().getBytes(StandardCharsets.UTF_8));
        } catch (CorruptDataException ex) {
          problems.add(ex.getMessage());
          continue;
        }
        if (!e.hash().equals(l.path("hash").asText())) {
          problems.add("log entry '" + key + "' hashes to " + e.hash() + " but the export line records "
              + l.path("hash").asText());
        }
        logs.computeIfAbsent(log, k -> new ArrayList<>()).add(e);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("reading the audit export failed: " + e.getMessage(), e);
    }
    Map<String, LogAnchor> heads = new TreeMap<>();
    logs.forEach((log, entries) -> {
      long expect = 1;
      String prev = HashChainedLog.GENESIS;
      for (HashChainedLog.Entry e : entries) {
        if (e.seq() != expect) {
          problems.add(log + ": entry " + expect + " is missing (next is " + e.seq() + ")");
        } else if (!e.prev().equals(prev)) {
          problems.add(log + ": entry " + e.seq() + " does not continue the chain: entry " + (e.seq() - 1) + " was rewritten");
        }
        expect = e.seq() + 1;
        prev = e.hash();
      }
      if (!entries.isEmpty()) {
        HashChainedLog.Entry last = entries.get(entries.size() - 1);
        heads.put(log, new LogAnchor(last.seq(), last.hash()));
      }
    });
    // governance: keys and signature-requiring policies over time
    Map<String, TrustedKey> keys = new HashMap<>();
    Map<String, Instant> signedSince = new HashMap<>();
    for (HashChainedLog.Entry e : logs.getOrDefault("governance/log", List.of())) {
      String type = e.body().path("type").asText();
      Map<String, TrustedKey> before = new HashMap<>(keys);
      try {
        Instant at = Instant.parse(e.body().path("at").asText());
        switch (type) {
          case "TRUST_KEY" -> {
            PublicKey k = KeyFactory.getInstance("Ed25519").generatePublic(
                new X509EncodedKeySpec(Base64.getDecoder().decode(e.body().path("publicKey").asText())));
            keys.put(Principal.keyId(k), new TrustedKey(Principal.keyId(k), e.body().path("owner").asText(), k, at,
                Optional.empty()));
          }
          case "REVOKE_KEY" -> {
            TrustedKey k = keys.get(e.body().path("keyId").asText());
            if (k != null) {
              keys.put(k.id(), new TrustedKey(k.id(), k.owner(), k.key(), k.trustedAt(), Optional.of(at)));
            }
          }
          case "SET_POLICY" -> {
            if (e.body().path("policy").path("requireSignatures").asBoolean(false)) {
              signedSince.put(e.body().path("scope").asText(), at);
            } else {
              signedSince.remove(e.body().path("scope").asText());
            }
          }
          case "REMOVE_POLICY" -> signedSince.remove(e.body().path("scope").asText());
          default -> { }
        }
      } catch (Exception ex) {
        problems.add(e.key() + ": cannot be applied: " + ex.getMessage());
      }
      boolean bootstrap = before.isEmpty() && type.equals("TRUST_KEY");
      if (EntrySignatures.isSigned(e.body())) {
        EntrySignatures.check("governance/log/", e, bootstrap ? keys : before)
            .ifPresent(p -> problems.add(e.key() + ": " + p));
      } else if (!before.isEmpty() && !type.equals("REFUSED")) {
        problems.add(e.key() + ": unsigned " + type + " by " + e.body().path("actor").asText()
            + " after a key was trusted");
      }
    }
    logs.forEach((log, entries) -> {
      if (!log.startsWith("models/")) {
        return;
      }
      String model = log.substring("models/".length(), log.length() - "/log".length());
      Instant since = signedSince.containsKey(model) ? signedSince.get(model) : signedSince.get("*");
      for (HashChainedLog.Entry e : entries) {
        String type = e.body().path("type").asText();
        if (EntrySignatures.isSigned(e.body())) {
          EntrySignatures.check(log + "/", e, keys).ifPresent(p -> problems.add(e.key() + ": " + p));
        } else if (since != null && (DECISIONS.contains(type) || type.startsWith("DEPLOY"))
            && !Instant.parse(e.body().path("at").asText()).isBefore(since)) {
          problems.add(e.key() + ": unsigned " + type + " by " + e.body().path("actor").asText()
              + " where the policy requires signed decisions since " + since);
        }
      }
    });
    return new AuditReport(n, heads, problems);
  }
}

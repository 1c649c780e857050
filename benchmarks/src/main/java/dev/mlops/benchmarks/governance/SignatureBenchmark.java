package dev.mlops.benchmarks.governance;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.Principal;
import dev.mlops.TrustedKey;
import dev.mlops.core.MemObjectStore;
import dev.mlops.core.internal.EntrySignatures;
import dev.mlops.core.internal.HashChainedLog;
import dev.mlops.core.internal.Json;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Per-entry cost of checking a stored, signed review entry: {@code parse} (the entry's own SHA-256
 * and JSON, what {@code verify()} always does) versus {@code parseAndCheckSignature} (plus the
 * Ed25519 verification against the trusted keys), and {@code sign} (what a signing principal adds
 * to each write).
 *
 * <p>Run: {@code java -jar benchmarks/target/benchmarks.jar governance.SignatureBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class SignatureBenchmark {
  private KeyPair key;
  private byte[] stored;
  private String storedKey;
  private Map<String, TrustedKey> keys;
  private ObjectNode body;

  @Setup
  public void setup() throws Exception {
    key = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
    keys = Map.of(Principal.keyId(key.getPublic()),
        new TrustedKey(Principal.keyId(key.getPublic()), "bob", key.getPublic(), Instant.EPOCH, Optional.empty()));
    body = Json.MAPPER.createObjectNode();
    body.put("type", "REVIEW").put("actor", "bob").put("at", Instant.parse("2026-12-03T10:00:00Z").toString())
        .put("commit", "6f1c2b9e-2f3a-4c55-9d0e-0c7b6a1e4f21").put("version", 3).put("decision", "APPROVED")
        .put("comment", "metrics and bias report reviewed");
    MemObjectStore store = new MemObjectStore();
    HashChainedLog log = new HashChainedLog(store, "models/fraud/log");
    HashChainedLog.Entry e = log.append(0, HashChainedLog.GENESIS,
        EntrySignatures.sign(log.prefix(), 1, HashChainedLog.GENESIS, body.deepCopy(), key));
    storedKey = e.key();
    stored = store.get(storedKey).orElseThrow();
  }

  /** @return the parsed entry (hash checked) */
  @Benchmark
  public HashChainedLog.Entry parse() {
    return HashChainedLog.parse(storedKey, stored);
  }

  /** @return empty if the signature checks out */
  @Benchmark
  public Optional<String> parseAndCheckSignature() {
    HashChainedLog.Entry e = HashChainedLog.parse(storedKey, stored);
    return EntrySignatures.check("models/fraud/log/", e, keys);
  }

  /** @return the signed body */
  @Benchmark
  public ObjectNode sign() {
    return EntrySignatures.sign("models/fraud/log/", 2, HashChainedLog.GENESIS, body.deepCopy(), key);
  }
}

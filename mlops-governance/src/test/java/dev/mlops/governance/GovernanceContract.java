package dev.mlops.governance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.ApprovalPolicy;
import dev.mlops.ApprovalStatus;
import dev.mlops.ArtifactRef;
import dev.mlops.ArtifactSpec;
import dev.mlops.AuditEntry;
import dev.mlops.GovernedAction;
import dev.mlops.Mlops;
import dev.mlops.ModelAttachments;
import dev.mlops.ModelVersion;
import dev.mlops.PolicyViolationException;
import dev.mlops.Principal;
import dev.mlops.Registration;
import dev.mlops.RoleGrant;
import dev.mlops.Run;
import dev.mlops.VerifyReport;
import dev.mlops.Workspace;
import dev.mlops.WorkspaceOptions;
import dev.mlops.core.internal.HashChainedLog;
import dev.mlops.core.internal.Json;
import dev.mlops.spi.ForwardingObjectStore;
import dev.mlops.spi.ObjectStore;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The contract every storage backend runs for governance: approval policies (four-eyes, N
 * distinct approvals, evidence, approved-only aliases), refusals recorded in the audit log,
 * audited policy changes, access-control grants, Ed25519 signatures that make a tampered
 * signed entry and a forged unsigned approval show up in {@code verify()}, and garbage collection
 * of superseded online feature rows beyond a view's retention (readers keep serving; a row deleted
 * by hand is still damage). A backend's test
 * extends this class and implements {@link #newStore()}; it ships in mlops-governance's test jar,
 * runs on {@code mem:} here, on {@code file:} in mlops-registry-fs and on {@code s3:} in
 * mlops-registry-s3. Instances are not thread-safe (one per test, as JUnit makes them).
 */
public abstract class GovernanceContract {
  /** The store under test, fresh for each test. */
  protected ObjectStore store;
  private final List<Workspace> open = new ArrayList<>();

  /** For subclasses. */
  protected GovernanceContract() {}

  /**
   * Returns an empty store of the backend under test.
   *
   * @return a fresh store, not shared with another test
   */
  protected abstract ObjectStore newStore();

  @BeforeEach
  final void openStore() {
    store = newStore();
  }

  @AfterEach
  final void closeAll() {
    open.forEach(Workspace::close);
    store.close();
  }

  /** A workspace over the shared store acting as {@code options}' actor; closing it leaves the store open. */
  private Workspace as(WorkspaceOptions options) {
    Workspace ws = Mlops.open(URI.create("kit:governance"), new ForwardingObjectStore(store) {
      @Override
      public void close() {
        // the test closes the store
      }
    }, options.toBuilder().refreshInterval(Duration.ofMillis(1)).aliasesRequireApproval(false).build());
    open.add(ws);
    return ws;
  }

  private Workspace as(String actor) {
    return as(WorkspaceOptions.builder().actor(actor).build());
  }

  private Workspace signing(String name, KeyPair key) {
    return as(WorkspaceOptions.builder().principal(Principal.signing(name, key)).build());
  }

  private static KeyPair ed25519() throws Exception {
    return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
  }

  private static ModelVersion register(Workspace ws, String model) {
    ArtifactRef ref = ws.artifacts().put(("weights of " + model).getBytes(StandardCharsets.UTF_8), ArtifactSpec.of("application/octet-stream"));
    return ws.registry().register(model, Registration.builder().artifact("model.bin", ref).build());
  }

  @Test
  void withoutAPolicyTheRegistrantMayApproveAsBefore() {
    Workspace alice = as("alice");
    register(alice, "fraud");
    assertThat(alice.registry().approve("fraud", 1, "alice", "ok").status()).isEqualTo(ApprovalStatus.APPROVED);
    assertThat(alice.registry().policies().policy("fraud")).isEmpty();
  }

  @Test
  void fourEyesRefusesASelfApprovalRecordsTheRefusalAndLetsAnotherReviewerApprove() {
    Workspace alice = as("alice");
    register(alice, "fraud");
    alice.registry().policies().setPolicy("fraud", ApprovalPolicy.builder().fourEyes(true).build());

    assertThatThrownBy(() -> alice.registry().approve("fraud", 1, "alice", "looks fine"))
        .isInstanceOf(PolicyViolationException.class)
        .hasMessageContaining("approval policy of fraud")
        .hasMessageContaining("four-eyes: alice registered fraud/1");
    assertThat(alice.registry().get("fraud", 1).status()).isEqualTo(ApprovalStatus.PENDING_MANUAL_APPROVAL);
    List<AuditEntry> h = alice.registry().history("fraud");
    AuditEntry refused = h.get(h.size() - 1);
    assertThat(refused.type()).isEqualTo("REFUSED");
    assertThat(refused.actor()).isEqualTo("alice");
    assertThat(refused.details().get("condition")).contains("four-eyes");

    Workspace bob = as("bob");
    ModelVersion v = bob.registry().approve("fraud", 1, "bob", "reviewed");
    assertThat(v.status()).isEqualTo(ApprovalStatus.APPROVED);
    assertThat(v.approval().orElseThrow().actor()).isEqualTo("bob");
    assertThat(alice.registry().verify("fraud").ok()).isTrue();
  }

  @Test
  void aGlobalPolicyAppliesToEveryModelWithoutItsOwn() {
    Workspace alice = as("alice");
    register(alice, "a");
    register(alice, "b");
    alice.registry().policies().setPolicy(ApprovalPolicy.GLOBAL, ApprovalPolicy.builder().fourEyes(true).build());
    alice.registry().policies().setPolicy("b", ApprovalPolicy.builder().build());
    assertThatThrownBy(() -> alice.registry().approve("a", 1, "alice", ""))
        .isInstanceOf(PolicyViolationException.class).hasMessageContaining("'*' (global)");
    assertThat(alice.registry().approve("b", 1, "alice", "").status()).isEqualTo(ApprovalStatus.APPROVED);
  }

  @Test
  void nApprovalsFromDistinctActorsBeforeApproved() {
    Workspace alice = as("alice");
    register(alice, "fraud");
    alice.registry().policies().setPolicy("fraud", ApprovalPolicy.builder().fourEyes(true).requiredApprovals(2).build());
    Workspace bob = as("bob");
    ModelVersion afterBob = bob.registry().approve("fraud", 1, "bob", "first look");
    assertThat(afterBob.status()).isEqualTo(ApprovalStatus.PENDING_MANUAL_APPROVAL);
    assertThatThrownBy(() -> bob.registry().approve("fraud", 1, "bob", "again"))
        .isInstanceOf(PolicyViolationException.class).hasMessageContaining("bob already approved fraud/1");
    Workspace carol = as("carol");
    ModelVersion done = carol.registry().approve("fraud", 1, "carol", "second look");
    assertThat(done.status()).isEqualTo(ApprovalStatus.APPROVED);
    assertThat(done.approval().orElseThrow().actor()).isEqualTo("carol");
    assertThat(alice.registry().history("fraud")).extracting(AuditEntry::type)
        .containsSubsequence("REGISTER_VERSION", "APPROVAL_VOTE", "REFUSED", "REVIEW");
    assertThatThrownBy(() -> alice.registry().update("fraud", 1, Map.of("mlops.approvals", "[\"x\"]"), Optional.empty()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
  }

  @Test
  void evidenceMetricsAttachmentWithPassingVerdictAndGateTag() {
    Workspace alice = as("alice");
    Run run = alice.experiments().startRun("train");
    run.logMetric("auc", 0.71, 1);
    run.end(dev.mlops.RunStatus.FINISHED);
    ArtifactRef w = alice.artifacts().put(new byte[] {1, 2, 3}, ArtifactSpec.of("application/octet-stream"));
    alice.registry().register("fraud", Registration.builder().artifact("m", w).trainingRun(run.id()).build());
    alice.registry().policies().setPolicy("fraud", ApprovalPolicy.builder()
        .requireMetric("auc", 0.8, 1.0).requireMetric("f1", 0.5, 1.0)
        .requireAttachment("mlops.bias", "bias.verdict", "pass")
        .requireTag("pipeline.gate", "passed").build());
    Workspace bob = as("bob");
    assertThatThrownBy(() -> bob.registry().approve("fraud", 1, "bob", ""))
        .isInstanceOf(PolicyViolationException.class)
        .hasMessageContaining("metric auc = 0.71")
        .hasMessageContaining("metric f1 is not logged")
        .hasMessageContaining("no document attached under tag mlops.bias")
        .hasMessageContaining("gate: tag pipeline.gate must be passed");

    ModelAttachments.attach(alice, "fraud", 1, "mlops.bias", "{\"dpd\":0.01}".getBytes(StandardCharsets.UTF_8),
        ArtifactSpec.of("application/json"));
    alice.registry().update("fraud", 1, Map.of("bias.verdict", "fail", "pipeline.gate", "passed"), Optional.empty());
    // a second version trained by a better run
    Run better = alice.experiments().startRun("train");
    better.logMetric("auc", 0.91, 1);
    better.logMetric("f1", 0.8, 1);
    better.end(dev.mlops.RunStatus.FINISHED);
    alice.registry().register("fraud", Registration.builder().artifact("m", w).trainingRun(better.id()).build());
    ModelAttachments.attach(alice, "fraud", 2, "mlops.bias", "{\"dpd\":0.01}".getBytes(StandardCharsets.UTF_8),
        ArtifactSpec.of("application/json"));
    alice.registry().update("fraud", 2, Map.of("bias.verdict", "fail", "pipeline.gate", "passed"), Optional.empty());
    assertThatThrownBy(() -> bob.registry().approve("fraud", 2, "bob", ""))
        .isInstanceOf(PolicyViolationException.class)
        .hasMessageContaining("verdict bias.verdict=fail, not pass");
    alice.registry().update("fraud", 2, Map.of("bias.verdict", "pass"), Optional.empty());
    assertThat(bob.registry().policies().check("fraud", 2, GovernedAction.REVIEW, "bob").allowed()).isTrue();
    assertThat(bob.registry().approve("fraud", 2, "bob", "evidence ok").status()).isEqualTo(ApprovalStatus.APPROVED);
  }

  @Test
  void aliasesNamedByThePolicyRequireAnApprovedVersionOthersDoNot() {
    Workspace alice = as("alice");
    register(alice, "fraud");
    alice.registry().policies().setPolicy("fraud", ApprovalPolicy.builder()
        .aliasesRequiringApproval(Set.of("production")).deploymentsRequireApproval(true).build());
    alice.registry().setAlias("fraud", "staging", 1);
    assertThatThrownBy(() -> alice.registry().setAlias("fraud", "production", 1))
        .isInstanceOf(PolicyViolationException.class)
        .hasMessageContaining("alias production requires an Approved version");
    assertThat(alice.registry().policies().check("fraud", 1, GovernedAction.DEPLOY, "alice").missing())
        .singleElement().asString().contains("deployments require an Approved version");
    alice.registry().approve("fraud", 1, "alice", "");
    alice.registry().setAlias("fraud", "production", 1);
    assertThat(alice.registry().resolve("fraud@production").version()).isEqualTo(1);
  }

  private static void sleepPastRefresh() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void policyChangesAreAuditedAndSeenByOtherWorkspaces() {
    Workspace alice = as("alice");
    alice.registry().policies().setPolicy("fraud", ApprovalPolicy.builder().fourEyes(true).build());
    alice.registry().policies().setPolicy("fraud", ApprovalPolicy.builder().requiredApprovals(3).build());
    alice.registry().policies().removePolicy("fraud");
    Workspace other = as("bob");
    assertThat(other.registry().policies().history()).extracting(AuditEntry::type, AuditEntry::actor)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("SET_POLICY", "alice"),
            org.assertj.core.groups.Tuple.tuple("SET_POLICY", "alice"),
            org.assertj.core.groups.Tuple.tuple("REMOVE_POLICY", "alice"));
    assertThat(other.registry().policies().policy("fraud")).isEmpty();
    alice.registry().policies().setPolicy("fraud", ApprovalPolicy.builder().requiredApprovals(2).build());
    sleepPastRefresh(); // another workspace sees a change within its refresh interval (1 ms here)
    assertThat(other.registry().policies().policy("fraud").orElseThrow().requiredApprovals()).isEqualTo(2);
    assertThat(other.registry().policies().verify().ok()).isTrue();
  }

  @Test
  void grantsRestrictActionsPerPrincipalAndModel() {
    Workspace admin = as("admin");
    admin.registry().policies().grant(RoleGrant.of("admin", RoleGrant.ALL_MODELS, GovernedAction.values()));
    admin.registry().policies().grant(RoleGrant.of("trainer", "fraud", GovernedAction.REGISTER));
    Workspace trainer = as("trainer");
    register(trainer, "fraud");
    assertThatThrownBy(() -> register(trainer, "churn"))
        .isInstanceOf(PolicyViolationException.class).hasMessageContaining("no grant lets trainer REGISTER on churn");
    assertThatThrownBy(() -> trainer.registry().approve("fraud", 1, "trainer", ""))
        .isInstanceOf(PolicyViolationException.class).hasMessageContaining("no grant lets trainer REVIEW on fraud");
    assertThatThrownBy(() -> trainer.registry().policies().setPolicy("fraud", ApprovalPolicy.builder().build()))
        .isInstanceOf(PolicyViolationException.class).hasMessageContaining("no grant lets trainer POLICY");
    assertThat(admin.registry().policies().history()).extracting(AuditEntry::type).contains("REFUSED");
    assertThat(admin.registry().approve("fraud", 1, "admin", "").status()).isEqualTo(ApprovalStatus.APPROVED);
  }

  @Test
  void signedDecisionsVerifyAndATamperedSignedEntryIsReported() throws Exception {
    KeyPair bobKey = ed25519();
    Workspace alice = as("alice");
    register(alice, "fraud");
    Workspace bob = signing("bob", bobKey);
    bob.registry().policies().trustKey("bob", bobKey.getPublic());
    bob.registry().policies().setPolicy("fraud", ApprovalPolicy.builder().fourEyes(true).requireSignatures(true).build());
    assertThatThrownBy(() -> alice.registry().setAlias("fraud", "staging", 1))
        .isInstanceOf(PolicyViolationException.class).hasMessageContaining("signatures");
    bob.registry().approve("fraud", 1, "bob", "signed approval");
    AuditEntry review = last(alice.registry().history("fraud"));
    assertThat(review.type()).isEqualTo("REVIEW");
    assertThat(review.details()).containsKey("signature");
    assertThat(alice.registry().verify("fraud").ok()).as("%s", alice.registry().verify("fraud")).isTrue();
    assertThat(alice.registry().policies().verify().ok()).isTrue();

    // someone with raw write access changes the comment and recomputes the entry's hash
    String key = "models/fraud/log/" + String.format("%020d", review.seq()) + ".json";
    rewrite(key, b -> b.put("comment", "approved without looking"));
    VerifyReport report = alice.registry().verify("fraud");
    assertThat(report.ok()).isFalse();
    assertThat(report.brokenKey()).contains(key);
    assertThat(report.problem().orElseThrow()).contains("badly signed");
  }

  @Test
  void aForgedUnsignedApprovalIsReportedWhereThePolicyRequiresSignatures() throws Exception {
    KeyPair bobKey = ed25519();
    Workspace alice = as("alice");
    register(alice, "fraud");
    Workspace bob = signing("bob", bobKey);
    bob.registry().policies().trustKey("bob", bobKey.getPublic());
    bob.registry().policies().setPolicy("fraud", ApprovalPolicy.builder().requireSignatures(true).build());
    assertThat(alice.registry().verify("fraud").ok()).isTrue();

    // raw write: append a well-chained but unsigned approval in bob's name
    List<AuditEntry> h = alice.registry().history("fraud");
    long seq = h.get(h.size() - 1).seq();
    ObjectNode b = Json.MAPPER.createObjectNode();
    b.put("type", "REVIEW").put("actor", "bob").put("at", java.time.Instant.now().plusSeconds(1).toString())
        .put("commit", "forged").put("version", 1).put("decision", "APPROVED").put("comment", "forged");
    new HashChainedLog(store, "models/fraud/log").append(seq, h.get(h.size() - 1).hash(), b);
    Workspace fresh = as("carol");
    assertThat(fresh.registry().get("fraud", 1).status()).isEqualTo(ApprovalStatus.APPROVED);
    VerifyReport report = fresh.registry().verify("fraud");
    assertThat(report.ok()).isFalse();
    assertThat(report.problem().orElseThrow()).contains("unsigned REVIEW by bob");
  }

  @Test
  void onceAKeyIsTrustedUnsignedRuleChangesAreRefusedAndForgedOnesReported() throws Exception {
    KeyPair adminKey = ed25519();
    Workspace admin = signing("admin", adminKey);
    admin.registry().policies().trustKey("admin", adminKey.getPublic());
    Workspace mallory = as("mallory");
    assertThatThrownBy(() -> mallory.registry().policies().setPolicy(ApprovalPolicy.GLOBAL, ApprovalPolicy.builder().build()))
        .isInstanceOf(PolicyViolationException.class).hasMessageContaining("must be signed by a trusted key");
    admin.registry().policies().setPolicy("fraud", ApprovalPolicy.builder().fourEyes(true).build());
    assertThat(admin.registry().policies().verify().ok()).as("%s", admin.registry().policies().verify()).isTrue();

    // raw write: an unsigned policy removal
    List<AuditEntry> h = admin.registry().policies().history();
    ObjectNode b = Json.MAPPER.createObjectNode();
    b.put("type", "REMOVE_POLICY").put("actor", "admin").put("at", java.time.Instant.now().toString())
        .put("commit", "forged").put("scope", "fraud");
    new HashChainedLog(store, "governance/log").append(last(h).seq(), last(h).hash(), b);
    VerifyReport report = admin.registry().policies().verify();
    assertThat(report.ok()).isFalse();
    assertThat(report.problem().orElseThrow()).contains("unsigned REMOVE_POLICY by admin");
  }

  private static AuditEntry last(List<AuditEntry> h) {
    return h.get(h.size() - 1);
  }

  /** Rewrites a stored log entry in place, with a recomputed hash (what raw write access allows). */
  private void rewrite(String key, java.util.function.Consumer<ObjectNode> change) {
    HashChainedLog.Entry e = HashChainedLog.parse(key, store.get(key).orElseThrow());
    ObjectNode body = e.body().deepCopy();
    change.accept(body);
    byte[] unhashed = Json.write(body);
    String hash = dev.mlops.Digest.of(unhashed).hex();
    String text = new String(unhashed, StandardCharsets.UTF_8);
    byte[] stored = (text.substring(0, text.length() - 1) + ",\"hash\":\"" + hash + "\"}").getBytes(StandardCharsets.UTF_8);
    store.delete(key);
    store.create(key, stored);
  }
  // ------------------------------------------------------------------ retention of online feature rows

  /** A clock the test moves by hand. Thread-safe. */
  private static final class HandClock extends java.time.Clock {
    private volatile java.time.Instant now;

    HandClock(java.time.Instant start) {
      this.now = start;
    }

    void set(java.time.Instant t) {
      now = t;
    }

    @Override
    public java.time.ZoneId getZone() {
      return java.time.ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public java.time.Instant instant() {
      return now;
    }
  }

  private static final java.time.Instant T0 = java.time.Instant.parse("2026-01-01T00:00:00Z");

  /** A feature store over {@code over} (the shared store unless given) with its own caches, as another process would open. */
  private dev.mlops.featurestore.ObjectStoreFeatureStore features(ObjectStore over, java.time.Clock clock) {
    dev.mlops.featurestore.ObjectStoreFeatureStore fs = dev.mlops.featurestore.ObjectStoreFeatureStore.builder(over)
        .clock(clock).refreshExecutor(Runnable::run).build();
    openFeatures.add(fs);
    return fs;
  }

  private final List<dev.mlops.featurestore.ObjectStoreFeatureStore> openFeatures = new ArrayList<>();

  @AfterEach
  final void closeFeatures() {
    openFeatures.forEach(dev.mlops.featurestore.ObjectStoreFeatureStore::close);
  }

  private ObjectStore sharedStore() {
    return new ForwardingObjectStore(store) {
      @Override
      public void close() {
        // the test closes the store
      }
    };
  }

  /** Views {@code stats} (online retention 1 h) and {@code kept} (none); c1 gets rows at T0, T0+1h, T0+2h in both, c2 one row at T0. */
  private void pushHistory(dev.mlops.featurestore.ObjectStoreFeatureStore fs, HandClock clock) {
    fs.apply(dev.mlops.features.Entity.of("customer", "customer_id"));
    fs.apply(dev.mlops.features.FeatureView.builder("stats", "customer")
        .feature("spend", dev.mlops.features.FeatureType.DOUBLE).onlineRetention(Duration.ofHours(1)).build());
    fs.apply(dev.mlops.features.FeatureView.builder("kept", "customer")
        .feature("spend", dev.mlops.features.FeatureType.DOUBLE).build());
    for (int h = 0; h < 3; h++) {
      clock.set(T0.plus(Duration.ofHours(h)));
      for (String view : List.of("stats", "kept")) {
        fs.push(view, List.of(dev.mlops.features.FeatureRow.of("c1", clock.instant(), Map.of("spend", (double) h))));
        if (h == 0) {
          fs.push(view, List.of(dev.mlops.features.FeatureRow.of("c2", clock.instant(), Map.of("spend", 10.0))));
        }
      }
    }
  }

  private List<String> rowsOf(String view, String entity) {
    String hex = java.util.HexFormat.of().formatHex(entity.getBytes(StandardCharsets.UTF_8));
    return store.listAll("features/" + view + "/v1/online/").filter(k -> k.contains("/" + hex + "/")).toList();
  }

  @Test
  void gcDeletesSupersededOnlineRowsBeyondTheRetentionAfterTheGracePeriodAndReadersKeepServing() {
    HandClock clock = new HandClock(T0);
    dev.mlops.featurestore.ObjectStoreFeatureStore fs = features(sharedStore(), clock);
    pushHistory(fs, clock);
    List<String> c1 = rowsOf("stats", "c1"); // newest first
    assertThat(c1).hasSize(3);
    assertThat(fs.online("c1", "stats:spend").get("stats:spend").value()).contains(2.0); // served and cached
    clock.set(T0.plus(Duration.ofHours(4))); // horizon T0+3h: the row at T0+2h supersedes the two before it
    GarbageCollector gc = GarbageCollector.builder(as("gc")).gracePeriod(Duration.ofMinutes(10)).clock(clock).build();

    GcReport dry = gc.run(true);
    assertThat(dry.deletedFeatureRows()).isEmpty();
    assertThat(dry.waitingFeatureRows()).isEqualTo(2);
    assertThat(gc.run(false).deletedFeatureRows()).as("first seen now: the grace period starts").isEmpty();
    clock.set(T0.plus(Duration.ofHours(4)).plus(Duration.ofMinutes(11)));
    assertThat(gc.run(true).deletedFeatureRows()).containsExactlyInAnyOrder(c1.get(1), c1.get(2));
    assertThat(rowsOf("stats", "c1")).as("a dry run deletes nothing").hasSize(3);

    GcReport sweep = gc.run(false);
    assertThat(sweep.deletedFeatureRows()).containsExactlyInAnyOrder(c1.get(1), c1.get(2));
    assertThat(rowsOf("stats", "c1")).containsExactly(c1.get(0));
    assertThat(rowsOf("stats", "c2")).as("an entity's only row is its newest: never deleted").hasSize(1);
    assertThat(rowsOf("kept", "c1")).as("a view without a retention keeps every row").hasSize(3);
    assertThat(store.listAll("gc/log/").map(k -> new String(store.get(k).orElseThrow(), StandardCharsets.UTF_8))
        .filter(e -> e.contains("deletedFeatureRows") && e.contains(c1.get(1)) && e.contains(c1.get(2))).count())
        .isEqualTo(1);

    // the process that cached the newest row, and a new one, serve it after their refresh
    clock.set(clock.instant().plus(Duration.ofMinutes(1)));
    assertThat(fs.online("c1", "stats:spend").get("stats:spend").value()).contains(2.0);
    dev.mlops.featurestore.ObjectStoreFeatureStore other = features(sharedStore(), clock);
    assertThat(other.online("c1", "stats:spend").get("stats:spend").value()).contains(2.0);
    assertThat(other.online("c2", "stats:spend").get("stats:spend").value()).contains(10.0);
    // training sets read offline segments, which retention never touches: exact before the horizon
    try (java.util.stream.Stream<dev.mlops.features.TrainingRow> rows = other.trainingSet(
        java.util.stream.Stream.of(new dev.mlops.features.EntityRow("c1", T0.plus(Duration.ofMinutes(90)))),
        dev.mlops.features.TrainingSetRequest.of("stats:spend"))) {
      assertThat(rows.toList().get(0).values().get(0).value()).contains(1.0);
    }
    // an online read as of a time before the horizon fails, naming the view, the time and the horizon
    dev.mlops.featurestore.ObjectStoreFeatureStore behind = features(sharedStore(),
        new HandClock(T0.plus(Duration.ofMinutes(90))));
    assertThatThrownBy(() -> behind.online("c1", "stats:spend"))
        .isInstanceOf(dev.mlops.features.RetentionHorizonException.class).hasMessageContaining("'stats'")
        .hasMessageContaining("2026-01-01T01:30:00Z").hasMessageContaining("2026-01-01T03:11:00Z"); // the sweep at T0+4h11m
    assertThat(gc.run(false).deletedFeatureRows()).isEmpty();
  }

  @Test
  void aRowRetainedAwayBetweenAReadersListingAndItsReadIsServedPastButOneDeletedByHandIsDamage() {
    HandClock clock = new HandClock(T0);
    dev.mlops.featurestore.ObjectStoreFeatureStore fs = features(sharedStore(), clock);
    pushHistory(fs, clock);
    clock.set(T0.plus(Duration.ofHours(10)));
    GarbageCollector gc = GarbageCollector.builder(as("gc")).gracePeriod(Duration.ZERO).clock(clock).build();
    // between a reader's listing of c2's only row and its read, a late row newer than it (still
    // older than the horizon) arrives and a collector deletes the listed row as superseded
    String listed = rowsOf("stats", "c2").get(0);
    dev.mlops.featurestore.ObjectStoreFeatureStore reader = features(interfering(listed, () -> {
      fs.push("stats", List.of(dev.mlops.features.FeatureRow.of("c2", T0.plus(Duration.ofHours(1)), Map.of("spend", 11.0))));
      gc.run(false);
      assertThat(gc.run(false).deletedFeatureRows()).contains(listed);
    }), clock);
    assertThat(reader.online("c2", "stats:spend").get("stats:spend").value()).contains(11.0);

    // the same race in the view without a retention: nothing may delete the row, so it is damage
    String kept = rowsOf("kept", "c2").get(0);
    dev.mlops.featurestore.ObjectStoreFeatureStore damaged = features(interfering(kept, () -> {
      fs.push("kept", List.of(dev.mlops.features.FeatureRow.of("c2", T0.plus(Duration.ofHours(1)), Map.of("spend", 11.0))));
      store.delete(kept);
    }), clock);
    assertThatThrownBy(() -> damaged.online("c2", "kept:spend")).isInstanceOf(dev.mlops.CorruptDataException.class)
        .hasMessageContaining(kept);
  }

  /** The shared store, but the first read of {@code key} lets {@code meanwhile} run first (another process acting). */
  private ObjectStore interfering(String key, Runnable meanwhile) {
    return new ForwardingObjectStore(sharedStore()) {
      private boolean done;

      @Override
      public Optional<byte[]> get(String k) {
        if (!done && k.equals(key)) {
          done = true;
          meanwhile.run();
        }
        return super.get(k);
      }
    };
  }
}

package dev.mlops.governance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.ApprovalPolicy;
import dev.mlops.ArtifactRef;
import dev.mlops.ArtifactSpec;
import dev.mlops.DatasetInput;
import dev.mlops.Digest;
import dev.mlops.Mlops;
import dev.mlops.Principal;
import dev.mlops.Registration;
import dev.mlops.Run;
import dev.mlops.RunStatus;
import dev.mlops.Workspace;
import dev.mlops.WorkspaceOptions;
import dev.mlops.core.MemObjectStore;
import dev.mlops.spi.ForwardingObjectStore;
import java.io.StringReader;
import java.io.StringWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Model cards, audit export with offline verification, and lineage queries on {@code mem:}. */
class GovernanceModuleTest {
  private final MemObjectStore store = new MemObjectStore();
  private final List<Workspace> open = new ArrayList<>();
  private final Digest data = Digest.of("customers-2026-11".getBytes(StandardCharsets.UTF_8));

  private Workspace as(WorkspaceOptions o) {
    Workspace ws = Mlops.open(URI.create("mem:test"), new ForwardingObjectStore(store) {
      @Override
      public void close() { }
    }, o.toBuilder().refreshInterval(Duration.ofMillis(1)).aliasesRequireApproval(false).build());
    open.add(ws);
    return ws;
  }

  @AfterEach
  void close() {
    open.forEach(Workspace::close);
  }

  /** alice trains and registers fraud/1 (with data) and fraud/2 (child of 1); bob approves 1 with a signature. */
  private Workspace populate(KeyPair bobKey) {
    Workspace alice = as(WorkspaceOptions.builder().actor("alice").build());
    Run run = alice.experiments().startRun("fraud-training");
    run.logParam("depth", "6");
    run.logInput(new DatasetInput("customers", data, "", 1000, "training"));
    run.logMetric("auc", 0.91, 1);
    run.end(RunStatus.FINISHED);
    ArtifactRef w = alice.artifacts().put(new byte[] {4, 2}, ArtifactSpec.of("application/octet-stream"));
    alice.registry().register("fraud", Registration.builder().artifact("model.bin", w).trainingRun(run.id())
        .description("gradient boosting").build());
    alice.registry().register("fraud", Registration.builder().artifact("model.bin", w).parentVersion(1).build());
    alice.registry().register("churn", Registration.builder().artifact("model.bin", w).build());
    Workspace bob = as(WorkspaceOptions.builder().principal(Principal.signing("bob", bobKey)).build());
    bob.registry().policies().trustKey("bob", bobKey.getPublic());
    bob.registry().policies().setPolicy("fraud", ApprovalPolicy.builder().fourEyes(true).requireSignatures(true).build());
    bob.registry().approve("fraud", 1, "bob", "metrics and data reviewed");
    bob.registry().setAlias("fraud", "production", 1);
    return alice;
  }

  @Test
  void aModelCardIsBuiltFromTheStoreWithAuthoredPartLineageMetricsAndApprovals() throws Exception {
    Workspace alice = populate(KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
    ModelCards.author(alice, "fraud", 1, "Scoring card payments", "Not for credit decisions");
    ModelCard card = ModelCards.builder(alice)
        .section(c -> Optional.of(new CardSection("deployments", "Deployments", java.util.Map.of("serving", "none yet"), List.of())))
        .build().card("fraud", 1);
    assertThat(card.section("intended-use").orElseThrow().fields()).containsEntry("limitations", "Not for credit decisions");
    assertThat(card.section("parameters").orElseThrow().fields()).containsEntry("depth", "6");
    assertThat(card.section("metrics").orElseThrow().fields()).containsEntry("auc", "0.91");
    assertThat(card.section("lineage").orElseThrow().rows()).anySatisfy(r -> assertThat(r.get("dataset")).contains(data.hex()));
    assertThat(card.section("approvals").orElseThrow().rows())
        .anySatisfy(r -> {
          assertThat(r.get("actor")).isEqualTo("bob");
          assertThat(r.get("event")).isEqualTo("approved");
          assertThat(r.get("comment")).isEqualTo("metrics and data reviewed");
          assertThat(r.get("signed")).isEqualTo("yes");
        });
    assertThat(card.section("aliases").orElseThrow().fields()).containsEntry("current", "production");
    assertThat(card.section("deployments")).isPresent();
    assertThat(card.builtFrom().orElseThrow().seq()).isEqualTo(alice.registry().history("fraud").size());
    assertThat(card.toMarkdown()).contains("# Model card: fraud/1", "| bob |", "Not for credit decisions");
    assertThat(card.toJson()).contains("\"id\" : \"approvals\"", "\"builtFrom\"");
    assertThat(alice.registry().verify("fraud", card.builtFrom().orElseThrow()).ok()).isTrue();
  }

  @Test
  void aMalformedStoredPolicyIsCorruptDataNamingTheKeyAndNothingIsLost() {
    Workspace alice = as(WorkspaceOptions.builder().actor("alice").build());
    alice.registry().policies().setPolicy("fraud", ApprovalPolicy.builder().fourEyes(true).build());
    java.util.List<dev.mlops.AuditEntry> h = alice.registry().policies().history();
    com.fasterxml.jackson.databind.node.ObjectNode b = dev.mlops.core.internal.Json.MAPPER.createObjectNode();
    b.put("type", "SET_POLICY").put("actor", "mallory").put("at", "2026-12-03T10:00:00Z").put("commit", "x")
        .put("scope", "fraud").putObject("policy").put("format", 99);
    new dev.mlops.core.internal.HashChainedLog(store, "governance/log").append(1, h.get(0).hash(), b);
    Workspace fresh = as(WorkspaceOptions.builder().actor("bob").build());
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> fresh.registry().policies().policy("fraud"))
        .isInstanceOf(dev.mlops.CorruptDataException.class)
        .hasMessageContaining("governance/log/00000000000000000002.json")
        .hasMessageContaining("policy format 99");
    assertThat(fresh.registry().policies().verify().ok()).isFalse();
    assertThat(fresh.registry().policies().history()).hasSize(2);
  }

  @Test
  void anExportVerifiesOfflineAndATamperedLineIsReported() throws Exception {
    Workspace alice = populate(KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
    StringWriter out = new StringWriter();
    long n = AuditExport.export(alice, Optional.empty(), out);
    AuditReport clean = AuditVerifier.verify(new StringReader(out.toString()));
    assertThat(clean.problems()).isEmpty();
    assertThat(clean.entries()).isEqualTo(n);
    assertThat(clean.heads()).containsKeys("governance/log", "models/fraud/log", "models/churn/log");

    // the signed approval's comment changed in the export (the line's hash no longer matches the entry)
    String tampered = out.toString().replace("metrics and data reviewed", "rubber stamp");
    assertThat(AuditVerifier.verify(new StringReader(tampered)).problems())
        .anySatisfy(p -> assertThat(p).contains("models/fraud/log").contains("altered"));

    // one model's export, with an entry dropped from the middle
    StringWriter one = new StringWriter();
    AuditExport.export(alice, Optional.of("fraud"), one);
    List<String> lines = new ArrayList<>(one.toString().lines().toList());
    lines.removeIf(l -> l.contains("\"log\":\"models/fraud/log\",\"seq\":2,"));
    assertThat(AuditVerifier.verify(new StringReader(String.join("\n", lines))).problems())
        .anySatisfy(p -> assertThat(p).contains("models/fraud/log: entry 2 is missing"));
  }

  @Test
  void lineageFromADatasetReachesRunsVersionsThroughParentsAndAliasesFromTheIndex() throws Exception {
    populate(KeyPairGenerator.getInstance("Ed25519").generateKeyPair());
    LineageIndex index = LineageIndex.of(as(WorkspaceOptions.builder().actor("auditor").build()));
    LineageIndex.DatasetUsage u = index.usesOf(data);
    assertThat(u.runs()).hasSize(1);
    assertThat(u.versions()).extracting(LineageIndex.VersionUse::model, LineageIndex.VersionUse::version)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("fraud", 1), org.assertj.core.groups.Tuple.tuple("fraud", 2));
    assertThat(u.versions().get(0).aliases()).isEqualTo(Set.of("production"));
    assertThat(u.versions().get(1).via()).isEqualTo("derived from fraud/1");
    assertThat(index.upstream("fraud", 2)).extracting(LineageIndex.Edge::kind)
        .containsExactlyInAnyOrder("parent", "trained-by", "run-input");

    // an old store without markers: nothing found until rebuilt
    store.listAll("lineage/").toList().forEach(store::delete);
    assertThat(index.usesOf(data).versions()).isEmpty();
    assertThat(index.rebuild()).isEqualTo(4);
    assertThat(index.usesOf(data).versions()).hasSize(2);
  }

  @Test
  void lineageThroughTheRunAndParentsIsOneListingAlsoWhenTheRunLogsItsInputAfterRegistration() {
    java.util.concurrent.atomic.AtomicInteger listings = new java.util.concurrent.atomic.AtomicInteger();
    Workspace alice = as(WorkspaceOptions.builder().actor("alice").build());
    ArtifactRef w = alice.artifacts().put(new byte[] {7}, ArtifactSpec.of("application/octet-stream"));
    Digest other = Digest.of("other".getBytes(StandardCharsets.UTF_8));
    // v1 registered with the dataset; v2 child of v1; run trains v3 then logs the dataset; v4 child of v3; v5 child of 4
    alice.registry().register("m", Registration.builder().artifact("b", w).dataset(data).build());
    alice.registry().register("m", Registration.builder().artifact("b", w).parentVersion(1).build());
    Run run = alice.experiments().startRun("late-input");
    alice.registry().register("m", Registration.builder().artifact("b", w).trainingRun(run.id()).build());
    alice.registry().register("m", Registration.builder().artifact("b", w).parentVersion(3).dataset(other).build());
    run.logInput(new DatasetInput("late", data, "", 10, "training"));
    alice.registry().register("m", Registration.builder().artifact("b", w).parentVersion(4).build());
    alice.registry().register("m", Registration.builder().artifact("b", w).build()); // unrelated
    Run early = alice.experiments().startRun("early-input");
    early.logInput(new DatasetInput("d", data, "", 10, "training"));
    alice.registry().register("n", Registration.builder().artifact("b", w).trainingRun(early.id()).build());
    alice.registry().register("n", Registration.builder().artifact("b", w).parentVersion(1).build());

    Workspace auditor = Mlops.open(URI.create("mem:test"), new ForwardingObjectStore(store) {
      @Override
      public dev.mlops.spi.ListPage list(String prefix, String startAfter, int limit) {
        if (prefix.startsWith("lineage/")) {
          listings.incrementAndGet();
        }
        return super.list(prefix, startAfter, limit);
      }

      @Override
      public void close() { }
    }, WorkspaceOptions.builder().actor("auditor").build());
    open.add(auditor);
    LineageIndex index = LineageIndex.of(auditor);
    LineageIndex.DatasetUsage u = index.usesOf(data);
    assertThat(u.runs()).hasSize(2);
    List<String> got = u.versions().stream().map(v -> v.model() + "/" + v.version() + " " + v.via()).sorted().toList();
    assertThat(got).containsExactly(
        "m/1 registered with it",
        "m/2 derived from m/1",
        "m/3 trained by run " + run.id().value(),
        "m/4 derived from m/3",
        "m/5 derived from m/4",
        "n/1 trained by run " + early.id().value(),
        "n/2 derived from n/1");
    assertThat(index.usesOf(other).versions()).extracting(v -> v.model() + "/" + v.version())
        .containsExactlyInAnyOrder("m/4", "m/5");
    listings.set(0);
    index.usesOf(data);
    assertThat(listings.get()).as("listings of lineage/ per query").isEqualTo(1);

    // rebuilt from scratch: the same answer
    store.listAll("lineage/").toList().forEach(store::delete);
    index.rebuild();
    assertThat(index.usesOf(data).versions().stream().map(v -> v.model() + "/" + v.version() + " " + v.via()).sorted().toList())
        .isEqualTo(got);
  }
}

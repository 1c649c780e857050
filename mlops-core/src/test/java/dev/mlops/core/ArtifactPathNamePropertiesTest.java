package dev.mlops.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.ArtifactRef;
import dev.mlops.Names;
import dev.mlops.Registration;
import dev.mlops.Run;
import dev.mlops.spi.ObjectStore;
import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;

/**
 * Artifact path names ({@code model/weights.onnx}): any string is either a valid path name and
 * accepted by runs and registrations alike, or refused naming the value and the rule, with nothing stored.
 */
class ArtifactPathNamePropertiesTest {
  private static final Pattern RULE = Pattern.compile(
      "(?=.{1,512}$)[A-Za-z0-9][A-Za-z0-9._-]{0,127}(/[A-Za-z0-9][A-Za-z0-9._-]{0,127})*");

  @Provide
  Arbitrary<String> candidates() {
    Arbitrary<String> segment = Arbitraries.oneOf(
        Arbitraries.strings().withChars("ab9._-").ofMinLength(0).ofMaxLength(6),
        Arbitraries.of("", ".", "..", "a..b", "model", "weights.onnx", "x".repeat(128), "y".repeat(129)));
    Arbitrary<String> joined = segment.list().ofMinSize(1).ofMaxSize(6).map(l -> String.join("/", l));
    return Arbitraries.oneOf(
        joined,
        Combinators.combine(Arbitraries.of("", "/"), joined, Arbitraries.of("", "/")).as((a, b, c) -> a + b + c),
        Arbitraries.strings().all().ofMaxLength(40),
        Arbitraries.strings().withChars("ab/").ofMaxLength(12),
        Arbitraries.of("x/".repeat(255) + "x", "x/".repeat(256) + "x", "plots/roc.png", "a//b", "a/./b", "a/../b"));
  }

  private final MemObjectStore store = new MemObjectStore();
  private final CoreExperiments ex = new CoreExperiments(store, java.time.Clock.systemUTC(), "t");
  private final Run run = ex.startRun("e");
  private final ArtifactRef ref = new CoreArtifacts(store).put("w".getBytes(StandardCharsets.UTF_8));

  @AfterProperty
  void close() {
    ex.close();
  }

  @Property(tries = 300)
  void pathNamesAreAcceptedExactlyWhenEverySegmentIsAName(@ForAll("candidates") String name) {
    boolean valid = RULE.matcher(name).matches() && !name.contains("..");
    assertThat(Names.isValidPath(name)).as(name).isEqualTo(valid);
    if (valid) {
      run.logArtifact(name, ref);
      assertThat(run.info().artifacts()).containsEntry(name, ref);
      assertThat(Registration.builder().artifact(name, ref).build().artifacts()).containsKey(name);
      assertThat(name.split("/")).allSatisfy(seg -> assertThat(Names.isValid(seg)).isTrue());
      return;
    }
    long stored = store.listAll("").count();
    String shown = name.length() > 20 || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f) ? "" : "'" + name + "'";
    for (Runnable use : new Runnable[] {
        () -> run.logArtifact(name, ref),
        () -> Registration.builder().artifact(name, ref),
        () -> new Registration(java.util.Map.of(name, ref), new dev.mlops.Lineage(java.util.Optional.empty(),
            java.util.List.of(), java.util.Optional.empty()), "", java.util.Map.of())}) {
      assertThatThrownBy(use::run).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("artifact name").hasMessageContaining(shown).hasMessageContaining(Names.PATH_RULE);
    }
    assertThat(store.listAll("").count()).isEqualTo(stored);
  }

  @Property(tries = 100)
  void everyValidNameIsAValidPathName(@ForAll("candidates") String name) {
    if (Names.isValid(name)) {
      assertThat(Names.isValidPath(name)).isTrue();
    }
  }

  @Example
  void theMessageNamesTheBadSegment() {
    assertThatThrownBy(() -> Names.requireValidPath("artifact name", "model/../etc/passwd"))
        .hasMessageContaining("'model/../etc/passwd'").hasMessageContaining("segment '..'");
    assertThatThrownBy(() -> Names.requireValidPath("artifact name", "/abs"))
        .hasMessageContaining("starts or ends with '/'");
    assertThatThrownBy(() -> Names.requireValidPath("artifact name", "a//b"))
        .hasMessageContaining("segment ''");
    assertThat(ObjectStore.requireValidKey("x/" + Names.requireValidPath("n", "model/weights.onnx"))).isNotEmpty();
  }
}

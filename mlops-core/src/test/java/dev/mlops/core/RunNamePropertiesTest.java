package dev.mlops.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.Names;
import dev.mlops.Run;
import java.util.List;
import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;

/** Any string either is a valid name and is accepted, or is refused naming it, with nothing stored. */
class RunNamePropertiesTest {

  @Provide
  Arbitrary<String> candidates() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(140),
        Arbitraries.strings().withChars("ab9._-/\u0000\t ").ofMaxLength(12),
        Arbitraries.strings().withCharRange('a', 'z').ofMinLength(120).ofMaxLength(140),
        Arbitraries.of("", ".", "..", "a..b", "-a", ".a", "a/b", "a\nb", "ok", "ok.v1", "A-9_z"));
  }

  // jqwik makes one instance per property: the tries share one store and one run
  private final MemObjectStore store = new MemObjectStore();
  private final CoreExperiments ex = new CoreExperiments(store, java.time.Clock.systemUTC(), "t");
  private final Run run = ex.startRun("e");

  @AfterProperty
  void close() {
    ex.close();
  }

  @Property(tries = 100)
  void namesAreAcceptedExactlyWhenValid(@ForAll("candidates") String name) {
    {
      long stored = store.listAll("").count();
      if (!Names.isValid(name)) {
        assertThatThrownBy(() -> ex.startRun(name)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining(Names.PATTERN);
        assertThat(store.listAll("").count()).isEqualTo(stored);
      }
      List<Consumer<String>> uses = List.of(
          k -> run.logParam(k, "v"), k -> run.setTag(k, "v"), k -> run.logMetric(k, 1.0, 0));
      for (Consumer<String> use : uses) {
        if (Names.isValid(name)) {
          use.accept(name);
        } else {
          assertThatThrownBy(() -> use.accept(name)).isInstanceOf(IllegalArgumentException.class)
              .hasMessageContaining(Names.PATTERN)
              .hasMessageContaining(name.length() > 20 || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f) ? "" : name);
        }
      }
      run.flush();
      if (!Names.isValid(name)) {
        assertThat(store.listAll("").count()).isEqualTo(stored);
      } else {
        assertThat(run.info().params()).containsEntry(name, "v");
        assertThat(run.info().latestMetrics()).containsEntry(name, 1.0);
      }
    }
  }
}

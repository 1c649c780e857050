package dev.mlops.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Provenance;
import dev.mlops.Run;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunProvenanceTest {
  private static final String A = "0123456789abcdef0123456789abcdef01234567";
  private static final String B = "89abcdef0123456789abcdef0123456789abcdef";

  @Test
  void provenanceIsCapturedAtStartAndStoredWithTheRun() throws Exception {
    try (CoreWorkspace ws = CoreWorkspace.builder(new MemObjectStore()).build()) {
      Optional<String> before = gitRevParseHead(); // others may commit meanwhile: accept either side
      Run run = ws.experiments().startRun("e");
      Optional<String> after = gitRevParseHead();
      Provenance p = ws.experiments().getRun(run.id()).provenance();
      assertThat(p.libraryVersion()).isNotBlank().isNotEqualTo("unknown").doesNotContain("${");
      assertThat(p.jvm()).contains(System.getProperty("java.version"));
      assertThat(p.os()).contains(System.getProperty("os.name")).contains(System.getProperty("os.arch"));
      assertThat(p.host()).isNotBlank();
      assertThat(p.user()).isEqualTo(System.getProperty("user.name"));
      // the tests run inside this repository's git work tree
      assertThat(p.gitCommit()).hasValueSatisfying(c -> assertThat(c).matches("[0-9a-f]{40}|[0-9a-f]{64}"));
      if (before.isPresent() && after.isPresent()) {
        assertThat(p.gitCommit().orElseThrow()).isIn(before.get(), after.get());
      }
    }
  }

  @Test
  void looseRefsAreResolvedFromAnySubdirectory(@TempDir Path dir) throws IOException {
    Path git = dir.resolve(".git");
    write(git.resolve("HEAD"), "ref: refs/heads/main\n");
    write(git.resolve("refs/heads/main"), A + "\n");
    Path deep = Files.createDirectories(dir.resolve("a/b/c"));
    assertThat(ProvenanceCapture.gitCommit(deep)).contains(A);
  }

  @Test
  void packedRefsAreResolved(@TempDir Path dir) throws IOException {
    Path git = dir.resolve(".git");
    write(git.resolve("HEAD"), "ref: refs/heads/feature/x\n");
    write(git.resolve("packed-refs"), "# pack-refs with: peeled fully-peeled sorted\n"
        + B + " refs/heads/feature/w\n" + A + " refs/heads/feature/x\n^" + B + "\n");
    assertThat(ProvenanceCapture.gitCommit(dir)).contains(A);
  }

  @Test
  void detachedHeadAndLinkedWorkTreesAreResolved(@TempDir Path dir) throws IOException {
    Path main = dir.resolve("main/.git");
    write(main.resolve("HEAD"), B + "\n");
    assertThat(ProvenanceCapture.gitCommit(dir.resolve("main"))).contains(B);

    // git worktree add ../wt: ".git" is a file; refs live in the common dir
    write(main.resolve("refs/heads/wt-branch"), A + "\n");
    Path wtGitDir = main.resolve("worktrees/wt");
    write(wtGitDir.resolve("HEAD"), "ref: refs/heads/wt-branch\n");
    write(wtGitDir.resolve("commondir"), "../..\n");
    Path wt = Files.createDirectories(dir.resolve("wt"));
    write(wt.resolve(".git"), "gitdir: " + wtGitDir + "\n");
    assertThat(ProvenanceCapture.gitCommit(wt)).contains(A);
  }

  @Test
  void noGitOrUnreadableGitGivesNoCommit(@TempDir Path dir) throws IOException {
    Path plain = Files.createDirectories(dir.resolve("plain"));
    // (the temp dir is outside any work tree on a normal machine; the check below does not depend on it)
    Path unborn = dir.resolve("unborn");
    write(unborn.resolve(".git/HEAD"), "ref: refs/heads/main\n");
    assertThat(ProvenanceCapture.gitCommit(unborn)).isEmpty();
    Path garbage = dir.resolve("garbage");
    write(garbage.resolve(".git/HEAD"), "not a ref\n");
    assertThat(ProvenanceCapture.gitCommit(garbage)).isEmpty();
    Path escaping = dir.resolve("escaping");
    write(escaping.resolve(".git/HEAD"), "ref: refs/../../etc/passwd\n");
    assertThat(ProvenanceCapture.gitCommit(escaping)).isEmpty();
    assertThat(ProvenanceCapture.capture(plain).jvm()).isNotBlank();
  }

  private static void write(Path p, String s) throws IOException {
    Files.createDirectories(p.getParent());
    Files.write(p, s.getBytes(StandardCharsets.UTF_8));
  }

  /** An independent answer from git itself, when it is installed (the library never runs it). */
  private static Optional<String> gitRevParseHead() {
    try {
      Process p = new ProcessBuilder("git", "rev-parse", "HEAD").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      return p.waitFor() == 0 && out.matches("[0-9a-f]{40}|[0-9a-f]{64}") ? Optional.of(out) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }
}

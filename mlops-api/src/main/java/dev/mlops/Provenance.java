package dev.mlops;

import java.util.Objects;
import java.util.Optional;

/**
 * Where and with what a run was executed, captured automatically when it starts.
 *
 * <p>Immutable and thread-safe.
 *
 * @param libraryVersion mlops version
 * @param jvm Java runtime vendor and version
 * @param os operating system name, version and architecture
 * @param host host name
 * @param user OS user name
 * @param gitCommit commit of the git work tree the process runs in, if any
 */
public record Provenance(
    String libraryVersion, String jvm, String os, String host, String user, Optional<String> gitCommit) {
  /** Validates. */
  public Provenance {
    Objects.requireNonNull(libraryVersion, "libraryVersion");
    Objects.requireNonNull(jvm, "jvm");
    Objects.requireNonNull(os, "os");
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(user, "user");
    Objects.requireNonNull(gitCommit, "gitCommit");
  }
}

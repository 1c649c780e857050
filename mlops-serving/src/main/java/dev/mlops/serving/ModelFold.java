package dev.mlops.serving;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.ApprovalStatus;
import dev.mlops.CorruptDataException;
import dev.mlops.core.internal.HashChainedLog;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What serving needs of a model's registry log (version statuses and aliases), folded from the
 * entries as they are tailed. Reads the registry's entry format: {@code REGISTER_VERSION},
 * {@code REVIEW}, {@code SET_ALIAS}, {@code DELETE_ALIAS}; other types are passed over.
 *
 * <p>Not thread-safe; its owner synchronizes.
 */
final class ModelFold {
  final String model;
  long lastSeq;
  String lastHash = HashChainedLog.GENESIS;
  final List<ApprovalStatus> statuses = new ArrayList<>();
  final Map<String, Integer> aliases = new HashMap<>();

  ModelFold(String model) {
    this.model = model;
  }

  Optional<ApprovalStatus> status(int version) {
    return version >= 1 && version <= statuses.size() ? Optional.of(statuses.get(version - 1)) : Optional.empty();
  }

  Optional<Integer> alias(String alias) {
    return Optional.ofNullable(aliases.get(alias));
  }

  /** Applies one entry; returns the event it makes, if it is one serving reports. */
  Optional<RegistryEvent> apply(HashChainedLog.Entry e) {
    ObjectNode b = e.body();
    lastSeq = e.seq();
    lastHash = e.hash();
    String type = b.path("type").asText("");
    String actor = b.path("actor").asText("");
    Instant at = instant(e, b);
    switch (type) {
      case "REGISTER_VERSION" -> {
        int v = intField(e, "version");
        statuses.add(ApprovalStatus.PENDING_MANUAL_APPROVAL);
        return Optional.of(new RegistryEvent.VersionRegistered(model, v, e.seq(), actor, at));
      }
      case "REVIEW" -> {
        int v = intField(e, "version");
        ApprovalStatus d;
        try {
          d = ApprovalStatus.valueOf(b.path("decision").asText(""));
        } catch (IllegalArgumentException bad) {
          throw new CorruptDataException("log entry '" + e.key() + "' has an unknown decision: " + b.path("decision"));
        }
        if (v >= 1 && v <= statuses.size()) {
          statuses.set(v - 1, d);
        }
        return Optional.of(new RegistryEvent.ReviewDecided(model, v, d, b.path("comment").asText(""), e.seq(), actor, at));
      }
      case "SET_ALIAS" -> {
        String alias = b.path("alias").asText("");
        int v = intField(e, "version");
        Integer from = aliases.put(alias, v);
        return Optional.of(new RegistryEvent.AliasMoved(model, alias, Optional.ofNullable(from), Optional.of(v),
            e.seq(), actor, at));
      }
      case "DELETE_ALIAS" -> {
        String alias = b.path("alias").asText("");
        Integer from = aliases.remove(alias);
        return Optional.of(new RegistryEvent.AliasMoved(model, alias, Optional.ofNullable(from), Optional.empty(),
            e.seq(), actor, at));
      }
      default -> {
        return Optional.empty();
      }
    }
  }

  static int intField(HashChainedLog.Entry e, String field) {
    if (!e.body().path(field).canConvertToInt()) {
      throw new CorruptDataException("log entry '" + e.key() + "' lacks the integer field '" + field + "'");
    }
    return e.body().get(field).asInt();
  }

  static Instant instant(HashChainedLog.Entry e, ObjectNode b) {
    try {
      return Instant.parse(b.path("at").asText(""));
    } catch (DateTimeParseException bad) {
      throw new CorruptDataException("log entry '" + e.key() + "' has a bad time: " + b.path("at"));
    }
  }
}

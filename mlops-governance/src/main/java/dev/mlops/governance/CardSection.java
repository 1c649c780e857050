package dev.mlops.governance;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One section of a {@link ModelCard}: named fields and, optionally, a table.
 *
 * <p>Immutable and thread-safe.
 *
 * @param id stable identifier, e.g. {@code approvals}
 * @param title heading, e.g. {@code Approvals}
 * @param fields ordered name/value pairs
 * @param rows table rows, each an ordered column/value map (all rows should share columns)
 */
public record CardSection(String id, String title, Map<String, String> fields, List<Map<String, String>> rows) {
  /** Validates and copies, keeping the order of fields and columns. */
  public CardSection {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(title, "title");
    fields = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(fields));
    rows = rows.stream().map(r -> java.util.Collections.unmodifiableMap(new LinkedHashMap<>(r))).toList();
  }
}

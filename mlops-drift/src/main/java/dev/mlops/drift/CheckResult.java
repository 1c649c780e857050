package dev.mlops.drift;

import dev.mlops.Names;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One {@link WindowCheck}'s line of a {@link DriftReport}: its verdict on the window, the values it
 * judged and a human-readable detail (for {@link CheckVerdict#NOT_EVALUATED}, the reason).
 *
 * <p>Immutable and thread-safe.
 *
 * @param name the check's {@link WindowCheck#name() name}
 * @param verdict the conclusion
 * @param values the values judged, in the check's order (may be empty)
 * @param detail one or a few lines for a person; never blank for {@code NOT_EVALUATED}
 */
public record CheckResult(String name, CheckVerdict verdict, List<CheckValue> values, String detail) {
  /**
   * Validates and copies.
   *
   * @throws IllegalArgumentException if the name is invalid or a NOT_EVALUATED result has no reason
   */
  public CheckResult {
    Names.requireValid("check name", name);
    Objects.requireNonNull(verdict, "verdict");
    values = List.copyOf(values);
    Objects.requireNonNull(detail, "detail");
    if (verdict == CheckVerdict.NOT_EVALUATED && detail.isBlank()) {
      throw new IllegalArgumentException("check '" + name + "' was not evaluated: its detail must say why");
    }
  }

  /**
   * @param name the check's name
   * @param values the values judged
   * @param detail a human-readable summary
   * @return a result whose verdict is DRIFT when a value is breached, else OK
   */
  public static CheckResult of(String name, List<CheckValue> values, String detail) {
    boolean breached = values.stream().anyMatch(CheckValue::breached);
    return new CheckResult(name, breached ? CheckVerdict.DRIFT : CheckVerdict.OK, values, detail);
  }

  /**
   * @param name the check's name
   * @param reason why the window could not be judged
   * @return a NOT_EVALUATED result without values
   */
  public static CheckResult notEvaluated(String name, String reason) {
    return new CheckResult(name, CheckVerdict.NOT_EVALUATED, List.of(), reason);
  }

  /**
   * @param valueName a value's name
   * @return that value, or empty
   */
  public Optional<CheckValue> value(String valueName) {
    return values.stream().filter(v -> v.name().equals(valueName)).findFirst();
  }
}

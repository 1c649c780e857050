package dev.mlops.governance;

import java.util.Optional;

/**
 * Contributes a section to model cards. The built-in providers are
 * {@link ModelCards#defaultSections()}; other modules (serving's deployment history, a bias
 * report) add their own with {@link ModelCards.Builder#section(ModelCardSection)}. A provider reads
 * only from the store (through the context), so a card cannot disagree with the audit log.
 *
 * <p>Implementations must be thread-safe.
 */
@FunctionalInterface
public interface ModelCardSection {
  /**
   * @param context the version, its log and its training run
   * @return the section, or empty if there is nothing to say
   */
  Optional<CardSection> build(CardContext context);
}

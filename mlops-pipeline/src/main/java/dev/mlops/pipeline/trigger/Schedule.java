package dev.mlops.pipeline.trigger;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.field.CronFieldName;
import com.cronutils.model.field.expression.Always;
import com.cronutils.model.field.expression.And;
import com.cronutils.model.field.expression.Every;
import com.cronutils.model.field.expression.FieldExpression;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.Objects;
import java.util.Optional;

/**
 * When a {@link ScheduleTrigger} is due: at a fixed rate, or by a cron expression. Due instants are
 * a function of the time only (fixed rates are aligned to multiples of the period since the
 * epoch, cron expressions are evaluated in a fixed zone), so every process of a fleet computes
 * the same instants and de-duplicates on them.
 *
 * <p>Cron expressions are Unix cron (5 fields: minute, hour, day of month, month, day of week),
 * parsed by cron-utils. Across daylight-saving changes of the zone they follow Vixie cron. A
 * <em>wildcard</em> expression (its minute or hour field starts with {@code *}: {@code *},
 * {@code *}{@code /15}) is due at every real instant whose local time matches: an hourly job runs
 * in both occurrences of the repeated hour when the clocks go back and has one run fewer when they
 * go forward. Any other expression is a <em>fixed-time</em> one: a local time that occurs twice is
 * due once, at the first occurrence (a nightly {@code 30 2 * * *} runs once on the night the clocks
 * go back), and a matching local time that does not exist (skipped when the clocks go forward) is
 * due at the first instant after the gap, the instant the clocks jump (that nightly job runs at
 * 03:00 on the night Paris goes from 02:00 to 03:00). Due instants form a set: several skipped
 * times, or a skipped time and a real time at the jump, are one due instant.
 *
 * <p>Immutable and thread-safe.
 */
public final class Schedule {
  private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  /** Segments of constant offset walked at most by one due-instant search (a bound, never reached by real rules). */
  private static final int MAX_SEGMENTS = 10_000;

  private final Duration period;
  private final String expression;
  /** The cron expression on local date-times, given as date-times at UTC (no transitions there). */
  private final ExecutionTime cron;
  /**
   * Whether the minute or hour field starts with {@code *} (Vixie cron's wildcard jobs): then every
   * real instant whose local time matches is due, and local times skipped by a gap are not;
   * otherwise only the first occurrence of a repeated local time is due, and a skipped one is due
   * at the end of the gap.
   */
  private final boolean wildcard;
  private final ZoneId zone;
  private final ZoneRules rules;

  private Schedule(Duration period, String expression, ExecutionTime cron, boolean wildcard, ZoneId zone) {
    this.period = period;
    this.expression = expression;
    this.cron = cron;
    this.wildcard = wildcard;
    this.zone = zone;
    this.rules = zone.getRules();
  }

  /**
   * @param period time between due instants, at least 1 ms; instants are the multiples of the
   *     period since the epoch (a period of 1 hour is due on the hour)
   * @return a fixed-rate schedule
   * @throws IllegalArgumentException if the period is under 1 ms
   */
  public static Schedule fixedRate(Duration period) {
    Objects.requireNonNull(period, "period");
    if (period.toMillis() < 1) {
      throw new IllegalArgumentException("a fixed-rate schedule needs a period of at least 1 ms, got " + period);
    }
    return new Schedule(period, null, null, false, ZoneOffset.UTC);
  }

  /**
   * @param expression a Unix cron expression, evaluated in UTC, e.g. {@code "0 3 * * *"}
   * @return a cron schedule
   * @throws IllegalArgumentException naming the expression if it is not a valid Unix cron expression
   */
  public static Schedule cron(String expression) {
    return cron(expression, ZoneOffset.UTC);
  }

  /**
   * @param expression a Unix cron expression, e.g. {@code "30 2 * * 1-5"}
   * @param zone the zone it is evaluated in (give every process of a fleet the same zone)
   * @return a cron schedule
   * @throws IllegalArgumentException naming the expression if it is not a valid Unix cron expression
   */
  public static Schedule cron(String expression, ZoneId zone) {
    Objects.requireNonNull(expression, "expression");
    Objects.requireNonNull(zone, "zone");
    Cron parsed;
    try {
      parsed = UNIX.parse(expression).validate();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("invalid cron expression '" + expression + "': " + e.getMessage()
          + " (expected Unix cron: minute hour day-of-month month day-of-week, e.g. '0 3 * * *')", e);
    }
    boolean wildcard = startsWithStar(parsed.retrieve(CronFieldName.MINUTE).getExpression())
        || startsWithStar(parsed.retrieve(CronFieldName.HOUR).getExpression());
    return new Schedule(null, expression, ExecutionTime.forCron(parsed), wildcard, zone);
  }

  /** Whether a field is written starting with {@code *} ({@code *}, {@code *}{@code /n}, {@code *,n}), as Vixie cron tests it. */
  private static boolean startsWithStar(FieldExpression field) {
    if (field instanceof Always) {
      return true;
    }
    if (field instanceof Every every) {
      return startsWithStar(every.getExpression());
    }
    if (field instanceof And and) {
      return !and.getExpressions().isEmpty() && startsWithStar(and.getExpressions().get(0));
    }
    return false;
  }

  /**
   * @param now the time
   * @return the latest due instant at or before now, if any
   */
  Optional<Instant> latestDue(Instant now) {
    if (period != null) {
      long p = period.toMillis();
      return Optional.of(Instant.ofEpochMilli(Math.floorDiv(now.toEpochMilli(), p) * p));
    }
    // walk back the segments of constant offset, from the one holding now; a segment's local
    // times map one to one, in order, onto its instants
    ZoneOffsetTransition start = rules.previousTransition(now.plusNanos(1)); // at or before now
    ZoneOffset offset = rules.getOffset(now);
    Optional<LocalDateTime> match = lastMatchAtOrBefore(LocalDateTime.ofInstant(now, offset));
    for (int i = 0; i < MAX_SEGMENTS && match.isPresent(); i++) {
      if (start == null || !match.get().isBefore(firstDueLocalTime(start))) {
        return Optional.of(match.get().toInstant(offset));
      }
      if (dueAtTheJump(start)) {
        return Optional.of(start.getInstant());
      }
      // the segment before start: local times before start's, at the offset before it
      offset = start.getOffsetBefore();
      match = lastMatchBefore(start.getDateTimeBefore());
      start = rules.previousTransition(start.getInstant());
    }
    return Optional.empty(); // no match before: none in the gaps before either (their local times are earlier)
  }

  /**
   * @param now the time
   * @return the first due instant after now, if any
   */
  Optional<Instant> nextDue(Instant now) {
    if (period != null) {
      long p = period.toMillis();
      return Optional.of(Instant.ofEpochMilli((Math.floorDiv(now.toEpochMilli(), p) + 1) * p));
    }
    ZoneOffsetTransition start = rules.previousTransition(now.plusNanos(1)); // at or before now
    ZoneOffset offset = rules.getOffset(now);
    Optional<LocalDateTime> match = firstMatchAfter(LocalDateTime.ofInstant(now, offset));
    ZoneOffsetTransition end = rules.nextTransition(now);
    for (int i = 0; i < MAX_SEGMENTS; i++) {
      if (start != null && match.isPresent() && match.get().isBefore(firstDueLocalTime(start))) {
        match = firstMatchAtOrAfter(firstDueLocalTime(start)); // the second occurrence of a repeated time
      }
      if (match.isEmpty()) {
        return Optional.empty(); // no match later: none in the gaps after either (their local times are later)
      }
      if (end == null || match.get().isBefore(end.getDateTimeBefore())) {
        return Optional.of(match.get().toInstant(offset));
      }
      // the segment after end
      if (dueAtTheJump(end)) {
        return Optional.of(end.getInstant());
      }
      start = end;
      offset = end.getOffsetAfter();
      match = firstMatchAtOrAfter(end.getDateTimeAfter());
      end = rules.nextTransition(end.getInstant());
    }
    return Optional.empty();
  }

  /**
   * @return the earliest local time due in the segment that starts at {@code start}: for a
   *     fixed-time expression, the local times repeated after the clocks went back were due at
   *     their first occurrence, before the transition
   */
  private LocalDateTime firstDueLocalTime(ZoneOffsetTransition start) {
    return !wildcard && start.isOverlap() ? start.getDateTimeBefore() : start.getDateTimeAfter();
  }

  /** @return whether a fixed-time expression matches a local time the gap of {@code t} skips */
  private boolean dueAtTheJump(ZoneOffsetTransition t) {
    return !wildcard && t.isGap()
        && firstMatchAtOrAfter(t.getDateTimeBefore()).filter(m -> m.isBefore(t.getDateTimeAfter())).isPresent();
  }

  private Optional<LocalDateTime> lastMatchAtOrBefore(LocalDateTime local) {
    LocalDateTime minute = local.truncatedTo(ChronoUnit.MINUTES);
    ZonedDateTime at = minute.atZone(ZoneOffset.UTC);
    return (cron.isMatch(at) ? Optional.of(at) : cron.lastExecution(at)).map(ZonedDateTime::toLocalDateTime);
  }

  private Optional<LocalDateTime> lastMatchBefore(LocalDateTime local) {
    LocalDateTime minute = local.truncatedTo(ChronoUnit.MINUTES);
    return minute.equals(local)
        ? cron.lastExecution(minute.atZone(ZoneOffset.UTC)).map(ZonedDateTime::toLocalDateTime)
        : lastMatchAtOrBefore(minute);
  }

  private Optional<LocalDateTime> firstMatchAtOrAfter(LocalDateTime local) {
    LocalDateTime minute = local.truncatedTo(ChronoUnit.MINUTES);
    if (!minute.equals(local)) {
      return firstMatchAfter(minute);
    }
    ZonedDateTime at = minute.atZone(ZoneOffset.UTC);
    return (cron.isMatch(at) ? Optional.of(at) : cron.nextExecution(at)).map(ZonedDateTime::toLocalDateTime);
  }

  private Optional<LocalDateTime> firstMatchAfter(LocalDateTime local) {
    return cron.nextExecution(local.truncatedTo(ChronoUnit.MINUTES).atZone(ZoneOffset.UTC))
        .map(ZonedDateTime::toLocalDateTime);
  }

  @Override
  public String toString() {
    return period != null ? "every " + period : "cron '" + expression + "' (" + zone + ")";
  }
}

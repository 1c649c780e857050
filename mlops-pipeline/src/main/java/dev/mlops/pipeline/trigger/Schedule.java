package dev.mlops.pipeline.trigger;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.field.CronFieldName;
import com.cronutils.model.field.expression.Always;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.Optional;

/**
 * When a {@link ScheduleTrigger} is due: at a fixed rate, or by a cron expression. Due instants are
 * a function of the time only (fixed rates are aligned to multiples of the period since the
 * epoch, cron expressions are evaluated in a fixed zone), so every process of a fleet computes
 * the same instants and de-duplicates on them.
 *
 * <p>Cron expressions are Unix cron (5 fields: minute, hour, day of month, month, day of week),
 * parsed by cron-utils. Across daylight-saving changes of the zone they follow Vixie cron for
 * the repeated hour: an expression whose hour field is {@code *} is due at every real instant
 * that matches (an hourly job runs in both occurrences of the repeated hour), any other is due
 * once, at the first occurrence (a nightly {@code 30 2 * * *} runs once on the night the clocks
 * go back). A local time that does not exist (the hour skipped when the clocks go forward) is not
 * due: a nightly {@code 30 2 * * *} does not run that night.
 *
 * <p>Immutable and thread-safe.
 */
public final class Schedule {
  private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  private final Duration period;
  private final String expression;
  private final ExecutionTime cron;
  /** Whether the hour field is {@code *}: then both occurrences of a repeated local hour are due. */
  private final boolean everyHour;
  private final ZoneId zone;

  private Schedule(Duration period, String expression, ExecutionTime cron, boolean everyHour, ZoneId zone) {
    this.period = period;
    this.expression = expression;
    this.cron = cron;
    this.everyHour = everyHour;
    this.zone = zone;
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
    boolean everyHour = parsed.retrieve(CronFieldName.HOUR).getExpression() instanceof Always;
    return new Schedule(null, expression, ExecutionTime.forCron(parsed), everyHour, zone);
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
    // cron instants fall on whole minutes; one at exactly now counts as due
    ZonedDateTime at = now.atZone(zone);
    Optional<ZonedDateTime> match = cron.isMatch(at) && at.getSecond() == 0 && at.getNano() == 0
        ? Optional.of(at) : cron.lastExecution(at);
    // the second occurrence of a repeated local time is due only for every-hour expressions;
    // otherwise the first occurrence (earlier, so also at or before now) is the due instant
    return match.map(m -> everyHour ? m : m.withEarlierOffsetAtOverlap()).map(ZonedDateTime::toInstant);
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
    return cron.nextExecution(now.atZone(zone)).map(ZonedDateTime::toInstant);
  }

  @Override
  public String toString() {
    return period != null ? "every " + period : "cron '" + expression + "' (" + zone + ")";
  }
}

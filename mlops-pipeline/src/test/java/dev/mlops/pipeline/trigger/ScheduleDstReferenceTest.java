package dev.mlops.pipeline.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.zone.ZoneRules;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@link Schedule#latestDue} and {@link Schedule#nextDue} around daylight-saving transitions, against
 * a brute-force reading of the documented rule: walk every local minute, map each match to its
 * instants (one; the first of a repeated time, or both for a wildcard expression; the end of the
 * gap for a skipped time of a fixed-time expression, none for a wildcard one) and take the
 * latest/next of that set.
 */
class ScheduleDstReferenceTest {
  private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));

  /** Expression and whether it is a wildcard one (minute or hour field starting with *). */
  private static final Object[][] EXPRESSIONS = {
      {"30 2 * * *", false}, {"0,30 2 * * *", false}, {"15 2-3 * * *", false}, {"0 2,3 * * *", false},
      {"0 0 * * *", false}, {"30 0 * * *", false}, {"45 1 * * 0", false}, {"0-59/20 1-3 * * *", false},
      {"0 * * * *", true}, {"*/20 2 * * *", true}, {"0 */2 * * *", true}, {"* 2 * * *", true},
  };

  @Test
  void dueInstantsAroundTransitionsMatchTheBruteForceReading() {
    // Paris and New York (1 h at 02:00), Lord Howe (30 min), Santiago (at midnight), St John's
    // (-03:30), Apia (the skipped day of 2011-12-30)
    List<Instant> around = List.of(Instant.parse("2026-03-29T01:00:00Z"), Instant.parse("2026-10-25T01:00:00Z"));
    check(ZoneId.of("Europe/Paris"), around);
    check(ZoneId.of("America/New_York"),
        List.of(Instant.parse("2026-03-08T07:00:00Z"), Instant.parse("2026-11-01T06:00:00Z")));
    check(ZoneId.of("Australia/Lord_Howe"),
        List.of(Instant.parse("2026-04-04T15:00:00Z"), Instant.parse("2026-10-03T15:30:00Z")));
    check(ZoneId.of("America/Santiago"),
        List.of(Instant.parse("2026-04-05T03:00:00Z"), Instant.parse("2026-09-06T04:00:00Z")));
    check(ZoneId.of("America/St_Johns"),
        List.of(Instant.parse("2026-03-08T05:30:00Z"), Instant.parse("2026-11-01T04:30:00Z")));
    check(ZoneId.of("Pacific/Apia"), List.of(Instant.parse("2011-12-30T10:00:00Z")));
    check(ZoneOffset.UTC, List.of(Instant.parse("2026-03-29T01:00:00Z")));
  }

  private static void check(ZoneId zone, List<Instant> transitions) {
    for (Object[] e : EXPRESSIONS) {
      String expression = (String) e[0];
      Schedule schedule = Schedule.cron(expression, zone);
      ExecutionTime cron = ExecutionTime.forCron(UNIX.parse(expression));
      for (Instant t : transitions) {
        TreeSet<Instant> due = reference(cron, (Boolean) e[1], zone.getRules(), t, t);
        // every 61 minutes ±26 h around t, and next to each due instant ±4 h around t
        TreeSet<Instant> probes = new TreeSet<>();
        for (Instant p = t.minus(26, ChronoUnit.HOURS); p.isBefore(t.plus(26, ChronoUnit.HOURS)); p = p.plusSeconds(3660)) {
          probes.add(p);
        }
        for (Instant d : due.subSet(t.minus(4, ChronoUnit.HOURS), t.plus(4, ChronoUnit.HOURS))) {
          probes.addAll(List.of(d.minusMillis(1), d, d.plusSeconds(59)));
        }
        for (Instant p : probes) {
          String as = expression + " in " + zone + " at " + p;
          assertThat(schedule.latestDue(p)).as("latest, " + as).isEqualTo(Optional.ofNullable(due.floor(p)));
          assertThat(schedule.nextDue(p)).as("next, " + as).isEqualTo(Optional.ofNullable(due.higher(p)));
        }
      }
    }
  }

  /** The due instants whose local minute lies within 9 days of [from, to], by the documented rule. */
  private static TreeSet<Instant> reference(ExecutionTime cron, boolean wildcard, ZoneRules rules, Instant from,
      Instant to) {
    TreeSet<Instant> due = new TreeSet<>();
    LocalDateTime end = LocalDateTime.ofInstant(to, ZoneOffset.UTC).plusDays(9);
    ZonedDateTime m = LocalDateTime.ofInstant(from, ZoneOffset.UTC).minusDays(9).atZone(ZoneOffset.UTC);
    while (true) {
      m = cron.nextExecution(m).orElseThrow(); // the local minutes that match, in order
      LocalDateTime local = m.toLocalDateTime();
      if (!local.isBefore(end)) {
        return due;
      }
      List<ZoneOffset> offsets = rules.getValidOffsets(local);
      if (offsets.isEmpty()) {
        if (!wildcard) {
          due.add(rules.getTransition(local).getInstant());
        }
      } else if (offsets.size() == 1 || wildcard) {
        offsets.forEach(o -> due.add(local.toInstant(o)));
      } else {
        due.add(local.toInstant(offsets.get(0))); // the offset before the overlap: the first occurrence
      }
    }
  }
}

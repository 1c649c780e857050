package dev.mlops.core;

import dev.mlops.Digest;
import dev.mlops.RunInfo;
import dev.mlops.RunPage;
import dev.mlops.RunQuery;
import dev.mlops.RunQuery.Filter;
import dev.mlops.RunQuery.Order;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Filters, orders and pages runs for {@link CoreExperiments#search}. Comparison rules:
 * <ul>
 *   <li>PARAM: as numbers when both sides parse as decimal numbers ({@code 1.0} equals {@code 1}),
 *       else as text; in an order, numbers sort before text.
 *   <li>TAG: as text. STATUS: by name, EQ / NE only. START_TIME: epoch millis, as numbers.
 *   <li>METRIC: as doubles ({@code -0.0} equals {@code 0.0}); a NaN metric matches only EQ NaN
 *       and NE anything else, and sorts after every number in either direction.
 *   <li>A run lacking the param, metric or tag never matches (not even NE) and sorts last in
 *       either direction. Ties break by start time, newest first, then by id.
 * </ul>
 * A page token is {@code base64url("r1:<offset>:<fingerprint>")}, where the fingerprint is a hash
 * of the query's experiments, filters and order; a token with another fingerprint is refused.
 *
 * <p>Immutable and thread-safe (static functions only).
 */
final class RunSearch {
  private static final String TOKEN_VERSION = "r1";

  private RunSearch() {}

  /**
   * @return where the page starts
   * @throws IllegalArgumentException if the token is not one issued for this query
   */
  static int offsetOf(RunQuery q) {
    if (q.pageToken().isEmpty()) {
      return 0;
    }
    String token = q.pageToken().get();
    try {
      String[] parts = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII).split(":", -1);
      if (parts.length == 3 && parts[0].equals(TOKEN_VERSION) && parts[2].equals(fingerprint(q))) {
        int offset = Integer.parseInt(parts[1]);
        if (offset >= 0) {
          return offset;
        }
      }
    } catch (IllegalArgumentException malformed) {
      // reported below
    }
    throw new IllegalArgumentException("page token '" + (token.length() > 100 ? token.substring(0, 100) + "..." : token)
        + "' was not issued for this query (the same experiments, filters and order); start without a token");
  }

  static RunPage page(RunQuery q, List<RunInfo> runs, int offset) {
    return cut(q, select(q, runs, RunFacts::of), offset);
  }

  /** @return the page of {@code ordered} (every match, in order) that starts at {@code offset} */
  static <T> RunPage cut(RunQuery q, List<T> ordered, int offset, Function<List<T>, List<RunInfo>> resolve) {
    if (offset >= ordered.size()) {
      return new RunPage(List.of(), Optional.empty());
    }
    int end = (int) Math.min((long) offset + q.pageSize(), ordered.size());
    Optional<String> next = end < ordered.size() ? Optional.of(token(q, end)) : Optional.empty();
    return new RunPage(resolve.apply(ordered.subList(offset, end)), next);
  }

  private static RunPage cut(RunQuery q, List<RunInfo> ordered, int offset) {
    return cut(q, ordered, offset, List::copyOf);
  }

  /**
   * @param facts what the query looks at in an item
   * @return the items that match every filter, in the query's order
   */
  static <T> List<T> select(RunQuery q, List<T> items, Function<T, RunFacts> facts) {
    List<Order> orders = q.orderBy();
    record Row<T>(RunFacts facts, Object[] keys, T item) {}
    List<Row<T>> matching = new ArrayList<>();
    for (T item : items) {
      RunFacts f = facts.apply(item);
      if (q.filters().stream().allMatch(c -> matches(f, c))) {
        // each sort key is looked up (and a param parsed) once per run, not once per comparison
        Object[] keys = new Object[orders.size()];
        for (int i = 0; i < keys.length; i++) {
          keys[i] = sortKey(f, orders.get(i));
        }
        matching.add(new Row<>(f, keys, item));
      }
    }
    Comparator<Row<T>> order;
    if (orders.isEmpty()) {
      Comparator<RunFacts> byId = comparator(orders);
      order = (a, b) -> byId.compare(a.facts(), b.facts());
    } else {
      order = (a, b) -> {
        for (int i = 0; i < orders.size(); i++) {
          int c = compareKeys(a.keys()[i], b.keys()[i], orders.get(i));
          if (c != 0) {
            return c;
          }
        }
        int c = b.facts().startedAt().compareTo(a.facts().startedAt());
        return c != 0 ? c : a.facts().id().value().compareTo(b.facts().id().value());
      };
    }
    matching.sort(order);
    List<T> out = new ArrayList<>(matching.size());
    matching.forEach(r -> out.add(r.item()));
    return out;
  }

  /** A param value with its number, parsed once. */
  private record ParamKey(String text, BigDecimal number) {}

  private static Object sortKey(RunFacts r, Order o) {
    Object v = valueOf(r, o);
    if (v instanceof String text && o.field() == RunQuery.Field.PARAM) {
      return new ParamKey(text, number(text).orElse(null));
    }
    return v;
  }

  /** {@link #compare} on keys from {@link #sortKey}. */
  private static int compareKeys(Object va, Object vb, Order o) {
    int ra = rank(va);
    int rb = rank(vb);
    if (ra != rb || ra != 0) {
      return Integer.compare(ra, rb); // missing and NaN last in either direction
    }
    int cmp = switch (o.field()) {
      case PARAM -> compareParsed((ParamKey) va, (ParamKey) vb);
      case METRIC -> Double.compare((Double) va, (Double) vb);
      case TAG, STATUS -> ((String) va).compareTo((String) vb);
      case START_TIME -> Long.compare((Long) va, (Long) vb);
    };
    return o.descending() ? -cmp : cmp;
  }

  /** {@link #compareParam} on parsed values. */
  private static int compareParsed(ParamKey a, ParamKey b) {
    if (a.number() != null && b.number() != null) {
      return a.number().compareTo(b.number());
    }
    if ((a.number() != null) != (b.number() != null)) {
      return a.number() != null ? -1 : 1;
    }
    return a.text().compareTo(b.text());
  }

  static String token(RunQuery q, int offset) {
    String raw = TOKEN_VERSION + ":" + offset + ":" + fingerprint(q);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw.getBytes(StandardCharsets.US_ASCII));
  }

  private static String fingerprint(RunQuery q) {
    String canonical = q.experiments() + "|" + q.filters() + "|" + q.orderBy();
    return Digest.of(canonical.getBytes(StandardCharsets.UTF_8)).hex().substring(0, 16);
  }

  static boolean matches(RunFacts r, Filter f) {
    switch (f.field()) {
      case PARAM -> {
        String v = r.params().get(f.key());
        return v != null && holds(f.op(), compareParam(v, f.value()));
      }
      case TAG -> {
        String v = r.tags().get(f.key());
        return v != null && holds(f.op(), v.compareTo(f.value()));
      }
      case METRIC -> {
        Double v = r.metrics().get(f.key());
        if (v == null) {
          return false;
        }
        double want = Double.parseDouble(f.value());
        if (Double.isNaN(v) || Double.isNaN(want)) {
          boolean same = Double.isNaN(v) && Double.isNaN(want);
          return switch (f.op()) {
            case EQ -> same;
            case NE -> !same;
            default -> false;
          };
        }
        return holds(f.op(), v < want ? -1 : v > want ? 1 : 0);
      }
      case STATUS -> {
        boolean same = r.status().name().equals(f.value());
        return f.op() == RunQuery.Op.EQ ? same : !same;
      }
      case START_TIME -> {
        double want = Double.parseDouble(f.value());
        double have = r.startedAt().toEpochMilli();
        return !Double.isNaN(want) && holds(f.op(), Double.compare(have, want));
      }
      default -> throw new IllegalStateException(f.field().name());
    }
  }

  private static boolean holds(RunQuery.Op op, int cmp) {
    return switch (op) {
      case EQ -> cmp == 0;
      case NE -> cmp != 0;
      case LT -> cmp < 0;
      case LE -> cmp <= 0;
      case GT -> cmp > 0;
      case GE -> cmp >= 0;
    };
  }

  /** Numbers compare as numbers, numbers before text, text as text. */
  static int compareParam(String a, String b) {
    Optional<BigDecimal> na = number(a);
    Optional<BigDecimal> nb = number(b);
    if (na.isPresent() && nb.isPresent()) {
      return na.get().compareTo(nb.get());
    }
    if (na.isPresent() != nb.isPresent()) {
      return na.isPresent() ? -1 : 1;
    }
    return a.compareTo(b);
  }

  private static Optional<BigDecimal> number(String s) {
    if (s.isEmpty() || s.length() > 100) {
      return Optional.empty();
    }
    try {
      return Optional.of(new BigDecimal(s));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  static Comparator<RunFacts> comparator(List<Order> orders) {
    if (orders.isEmpty()) {
      // the order CoreExperiments pages in without reading every run: newest id first
      return Comparator.comparing((RunFacts r) -> r.id().value()).reversed();
    }
    Comparator<RunFacts> c = (a, b) -> 0;
    for (Order o : orders) {
      c = c.thenComparing((a, b) -> compare(a, b, o));
    }
    return c.thenComparing(RunFacts::startedAt, Comparator.reverseOrder())
        .thenComparing(r -> r.id().value());
  }

  private static int compare(RunFacts a, RunFacts b, Order o) {
    Object va = valueOf(a, o);
    Object vb = valueOf(b, o);
    int ra = rank(va);
    int rb = rank(vb);
    if (ra != rb || ra != 0) {
      return Integer.compare(ra, rb); // missing and NaN last in either direction
    }
    int cmp = switch (o.field()) {
      case PARAM -> compareParam((String) va, (String) vb);
      case METRIC -> Double.compare((Double) va, (Double) vb);
      case TAG, STATUS -> ((String) va).compareTo((String) vb);
      case START_TIME -> Long.compare((Long) va, (Long) vb);
    };
    return o.descending() ? -cmp : cmp;
  }

  private static Object valueOf(RunFacts r, Order o) {
    return switch (o.field()) {
      case PARAM -> r.params().get(o.key());
      case METRIC -> r.metrics().get(o.key());
      case TAG -> r.tags().get(o.key());
      case STATUS -> r.status().name();
      case START_TIME -> r.startedAt().toEpochMilli();
    };
  }

  private static int rank(Object v) {
    if (v == null) {
      return 2;
    }
    return v instanceof Double d && d.isNaN() ? 1 : 0;
  }
}

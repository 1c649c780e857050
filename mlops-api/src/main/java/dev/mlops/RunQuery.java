package dev.mlops;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A search over runs: filters that must all hold, an order, and a page. Build with
 * {@link #builder()}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param experiments experiments to search; empty means all
 * @param filters conditions that must all hold
 * @param orderBy sort keys, first is most significant; runs tie-break by start time, newest first, then id.
 *     Without sort keys (and without filters, the cheap case) runs come newest first by id, which
 *     begins with the creation time, and a page reads only its own runs
 * @param pageSize runs per page, 1..10000
 * @param pageToken where to continue, from {@link RunPage#nextPageToken()}
 */
public record RunQuery(
    List<String> experiments, List<Filter> filters, List<Order> orderBy, int pageSize, Optional<String> pageToken) {

  /** Validates and copies. */
  public RunQuery {
    experiments = List.copyOf(experiments);
    experiments.forEach(e -> Names.requireValid("experiment name", e));
    filters = List.copyOf(filters);
    orderBy = List.copyOf(orderBy);
    if (pageSize < 1 || pageSize > 10_000) {
      throw new IllegalArgumentException("pageSize must be in 1..10000, got " + pageSize);
    }
    Objects.requireNonNull(pageToken, "pageToken");
  }

  /** What a filter or an order looks at. */
  public enum Field {
    /** A parameter value (compared as a number when both sides parse as numbers, else as text). */
    PARAM,
    /** The latest value of a metric. */
    METRIC,
    /** A tag value. */
    TAG,
    /** The run status (key ignored; compare with EQ / NE against a {@link RunStatus} name). */
    STATUS,
    /** The start time in epoch millis (key ignored). */
    START_TIME
  }

  /** Comparison operators. */
  public enum Op {
    /** equal */ EQ,
    /** not equal */ NE,
    /** less than */ LT,
    /** less or equal */ LE,
    /** greater than */ GT,
    /** greater or equal */ GE
  }

  /**
   * One condition. A run lacking the param, metric or tag does not match (not even NE).
   *
   * @param field what to look at
   * @param key param, metric or tag key (empty for STATUS and START_TIME)
   * @param op comparison
   * @param value right-hand side, as text
   */
  public record Filter(Field field, String key, Op op, String value) {
    /** Validates. */
    public Filter {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(op, "op");
      Objects.requireNonNull(value, "value");
      if (field == Field.PARAM || field == Field.METRIC || field == Field.TAG) {
        Names.requireValid(field.name().toLowerCase(java.util.Locale.ROOT) + " key", key);
      }
      if (field == Field.METRIC || field == Field.START_TIME) {
        try {
          Double.parseDouble(value);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(field + " filter value '" + value + "' is not a number");
        }
      }
      if (field == Field.STATUS) {
        RunStatus.valueOf(value);
        if (op != Op.EQ && op != Op.NE) {
          throw new IllegalArgumentException("status filters take EQ or NE, not " + op);
        }
      }
    }
  }

  /**
   * One sort key. Runs lacking the key sort last in either direction.
   *
   * @param field what to sort by
   * @param key param, metric or tag key (empty for STATUS and START_TIME)
   * @param descending whether largest first
   */
  public record Order(Field field, String key, boolean descending) {
    /** Validates. */
    public Order {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(key, "key");
    }
  }

  /** @return a builder: all experiments, no filters, newest first, pages of 100 */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link RunQuery}. Not thread-safe; confine to one thread. */
  public static final class Builder {
    private final List<String> experiments = new ArrayList<>();
    private final List<Filter> filters = new ArrayList<>();
    private final List<Order> orders = new ArrayList<>();
    private int pageSize = 100;
    private Optional<String> pageToken = Optional.empty();

    private Builder() {}

    /** @param name an experiment to search (repeatable) @return this */
    public Builder experiment(String name) {
      experiments.add(name);
      return this;
    }

    /** @return this, with the condition added */
    public Builder param(String key, Op op, String value) {
      filters.add(new Filter(Field.PARAM, key, op, value));
      return this;
    }

    /** @return this, with the condition added */
    public Builder metric(String key, Op op, double value) {
      filters.add(new Filter(Field.METRIC, key, op, Double.toString(value)));
      return this;
    }

    /** @return this, with the condition added */
    public Builder tag(String key, String value) {
      filters.add(new Filter(Field.TAG, key, Op.EQ, value));
      return this;
    }

    /** @return this, with the condition added */
    public Builder status(RunStatus status) {
      filters.add(new Filter(Field.STATUS, "", Op.EQ, status.name()));
      return this;
    }

    /** @return this, with the sort key added */
    public Builder orderByMetric(String key, boolean descending) {
      orders.add(new Order(Field.METRIC, Names.requireValid("metric key", key), descending));
      return this;
    }

    /** @return this, with the sort key added */
    public Builder orderByParam(String key, boolean descending) {
      orders.add(new Order(Field.PARAM, Names.requireValid("param key", key), descending));
      return this;
    }

    /** @return this, with the sort key added */
    public Builder orderByStartTime(boolean descending) {
      orders.add(new Order(Field.START_TIME, "", descending));
      return this;
    }

    /** @param size runs per page @return this */
    public Builder pageSize(int size) {
      this.pageSize = size;
      return this;
    }

    /** @param token from a previous page @return this */
    public Builder pageToken(String token) {
      this.pageToken = Optional.of(token);
      return this;
    }

    /** @return the query */
    public RunQuery build() {
      return new RunQuery(experiments, filters, orders, pageSize, pageToken);
    }
  }
}

package dev.mlops.features;

import dev.mlops.NotFoundException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The feature store of a workspace: definitions, push ingestion, online lookup, point-in-time
 * training sets, materialization and skew checks, all over the workspace's store so that
 * {@code mem:}, {@code file:} and {@code s3:} behave the same.
 *
 * <p>Visibility rule, shared by every read: a row with event time {@code e} is visible at time
 * {@code t} if {@code e <= t}; of the visible rows of an entity the one with the latest event time
 * wins, ties broken by the latest created time. If the view's TTL is not zero and the winner's
 * {@code e < t - ttl}, its features are {@link FeatureStatus#EXPIRED}. Online lookups read at the
 * workspace clock's now; training sets read at each entity row's timestamp.
 *
 * <p>Thread-safe. Several processes may share one store: definitions are an append-only log,
 * and every stored row object is immutable.
 */
public interface FeatureStore {

  /**
   * Registers an entity, or a new version of it if the definition differs from the current one.
   * Applying the current definition again is a no-op that returns the current version.
   *
   * @param entity the definition
   * @return the current version after the call
   */
  EntityVersion apply(Entity entity);

  /**
   * Registers a feature view, or a new version of it if the definition differs from the current
   * one; applying the current definition again returns the current version and stores nothing.
   *
   * @param view the definition
   * @return the current version after the call
   * @throws NotFoundException if its entity has not been applied
   */
  FeatureViewVersion apply(FeatureView view);

  /**
   * @param name an entity name
   * @return its current version, or empty
   * @throws IllegalArgumentException naming the value if the name is invalid
   */
  Optional<EntityVersion> findEntity(String name);

  /**
   * @param name a view name
   * @return its current version, or empty
   * @throws IllegalArgumentException naming the value if the name is invalid
   */
  Optional<FeatureViewVersion> findView(String name);

  /**
   * @param name a view name
   * @return every version, oldest first; empty if there is no such view
   */
  List<FeatureViewVersion> viewHistory(String name);

  /**
   * @return the names of every feature view, sorted
   * @throws UnsupportedOperationException if the implementation cannot list its views (the
   *     store-backed one can)
   */
  default List<String> viewNames() {
    throw new UnsupportedOperationException(getClass().getName() + " cannot list its feature views");
  }

  /**
   * Pushes a batch of rows into the current version of a view. The whole batch is checked before
   * anything is stored: a bad feature name or a value of the wrong type fails it with nothing
   * stored. Numbers are widened where no value changes: an {@code Integer}, {@code Short},
   * {@code Byte} or {@code Float} for a {@link FeatureType#DOUBLE} feature, and an {@code Integer},
   * {@code Short} or {@code Byte} for a {@link FeatureType#LONG} feature; a possibly lossy
   * conversion (a {@code Long} for a DOUBLE feature, a {@code Double} for a LONG one) is refused. Idempotent per (entity key, event time, created time): pushing the same batch again
   * stores nothing new and changes no read.
   *
   * @param view the view's name
   * @param rows the rows, at least one
   * @param target where they go
   * @return what was stored
   * @throws NotFoundException if there is no such view
   * @throws IllegalArgumentException naming the feature, expected and actual type of a bad value
   */
  PushResult push(String view, List<FeatureRow> rows, PushTarget target);

  /**
   * Pushes to the offline log and the online table.
   *
   * @param view the view's name
   * @param rows the rows
   * @return what was stored
   * @see #push(String, List, PushTarget)
   */
  default PushResult push(String view, List<FeatureRow> rows) {
    return push(view, rows, PushTarget.ONLINE_AND_OFFLINE);
  }

  /**
   * Looks up features of several entities at the clock's now. Served from an in-process cache
   * in front of the store; writes through this store are visible at once, writes by other
   * processes within the cache's refresh interval.
   *
   * @param entityKeys entity keys; every referenced view must be of the same entity
   * @param features features to return, in this order
   * @return one result per key, in key order
   * @throws NotFoundException if a view or feature does not exist
   * @throws IllegalArgumentException if the views are of different entities
   */
  List<OnlineResult> online(List<String> entityKeys, List<FeatureRef> features);

  /**
   * Looks up features of one entity.
   *
   * @param entityKey the entity's key
   * @param features {@code view:feature} references
   * @return the result
   * @see #online(List, List)
   */
  default OnlineResult online(String entityKey, String... features) {
    return online(List.of(entityKey), Arrays.stream(features).map(FeatureRef::parse).toList()).get(0);
  }

  /**
   * Binds a reader to a fixed list of features, for serving loops that must not allocate per
   * lookup.
   *
   * @param features features to read, in this order
   * @return the reader
   * @throws NotFoundException if a view or feature does not exist
   * @throws IllegalArgumentException if the views are of different entities
   */
  OnlineReader onlineReader(List<FeatureRef> features);

  /**
   * Builds a point-in-time-correct training set, streamed: entity rows and offline rows are
   * sorted on local disk in runs of bounded size and merge-joined, so neither side is held in
   * memory. Output rows come ordered by (entity key, timestamp), one per entity row (duplicates
   * of an entity row are kept). Close the stream to delete the spill files.
   *
   * @param entityRows the entity rows; consumed before the first output row is returned
   * @param request features and spilling
   * @return the rows; close it
   * @throws NotFoundException if a view or feature does not exist
   * @throws IllegalArgumentException if the views are of different entities
   */
  Stream<TrainingRow> trainingSet(Stream<EntityRow> entityRows, TrainingSetRequest request);

  /**
   * Brings offline rows online: for each entity, the latest row in the run's event-time range is
   * written to the online table (a row older than what is online already does not win). A full run
   * covers all event times up to now; an incremental one those after the previous run's
   * watermark. Every run records its watermark.
   *
   * @param view the view's name
   * @param mode full or incremental
   * @param progress told after each segment and at the end
   * @return the final progress
   * @throws NotFoundException if there is no such view
   */
  MaterializationProgress materialize(String view, MaterializationMode mode, Consumer<MaterializationProgress> progress);

  /**
   * Compares, for a sample of the view's entities, the online values (read from the store,
   * bypassing the cache) with the offline values as of now.
   *
   * @param view the view's name
   * @param sampleSize at most this many distinct entities, chosen uniformly by a seeded hash, >= 1
   * @param seed chooses the sample; the same seed over the same data picks the same entities
   * @return the report
   * @throws NotFoundException if there is no such view
   */
  SkewReport checkSkew(String view, int sampleSize, long seed);
}

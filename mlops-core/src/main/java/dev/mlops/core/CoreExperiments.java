package dev.mlops.core;

import dev.mlops.Experiments;
import dev.mlops.MetricPoint;
import dev.mlops.Run;
import dev.mlops.RunId;
import dev.mlops.RunInfo;
import dev.mlops.RunPage;
import dev.mlops.RunQuery;
import dev.mlops.spi.ObjectStore;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/** Experiment tracking (being written). Thread-safe. */
final class CoreExperiments implements Experiments, AutoCloseable {
  CoreExperiments(ObjectStore store, Clock clock, String actor) {}

  @Override
  public Run startRun(String experiment, String runName) {
    throw new UnsupportedOperationException("experiments are being written");
  }

  @Override
  public List<String> experimentNames() {
    throw new UnsupportedOperationException("experiments are being written");
  }

  @Override
  public Optional<RunInfo> findRun(RunId id) {
    throw new UnsupportedOperationException("experiments are being written");
  }

  @Override
  public Run run(RunId id) {
    throw new UnsupportedOperationException("experiments are being written");
  }

  @Override
  public List<MetricPoint> metricHistory(RunId id, String key) {
    throw new UnsupportedOperationException("experiments are being written");
  }

  @Override
  public RunPage search(RunQuery query) {
    throw new UnsupportedOperationException("experiments are being written");
  }

  @Override
  public void close() {}
}

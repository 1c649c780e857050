package dev.mlops.examples;

import dev.mlops.ArtifactRef;
import dev.mlops.ArtifactSpec;
import dev.mlops.DatasetInput;
import dev.mlops.Digest;
import dev.mlops.Mlops;
import dev.mlops.ModelVersion;
import dev.mlops.Registration;
import dev.mlops.RunQuery;
import dev.mlops.Workspace;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import dev.mlops.drift.BaselineProfile;
import dev.mlops.drift.Baselines;
import dev.mlops.drift.DriftReport;
import dev.mlops.drift.PredictionMonitor;
import dev.mlops.drift.Windowing;
import dev.mlops.explain.Background;
import dev.mlops.explain.BiasAnalysis;
import dev.mlops.explain.BiasMetric;
import dev.mlops.explain.BiasReport;
import dev.mlops.explain.BiasSpec;
import dev.mlops.explain.Condition;
import dev.mlops.explain.Explanation;
import dev.mlops.explain.ModelFunction;
import dev.mlops.explain.ShapExplainer;
import dev.mlops.explain.Table;
import dev.mlops.features.Entity;
import dev.mlops.features.EntityRow;
import dev.mlops.features.FeatureRow;
import dev.mlops.features.FeatureStore;
import dev.mlops.features.FeatureType;
import dev.mlops.features.FeatureValue;
import dev.mlops.features.FeatureView;
import dev.mlops.features.TrainingRow;
import dev.mlops.features.TrainingSetRequest;
import dev.mlops.tuning.Study;
import dev.mlops.tuning.SuccessiveHalvingPruner;
import dev.mlops.tuning.TpeSampler;
import dev.mlops.tuning.TrialPrunedException;
import dev.mlops.tuning.TrialRecord;
import dev.mlops.tuning.TrialState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * The quickstart: train a (toy) model, track the run, register the model, get it approved,
 * promote it with an alias, resolve it as a model server would, check the audit trail, serve
 * features, and watch live traffic for drift against a baseline stored with the version.
 *
 * <p>Run with {@code mvn -B -q -Pquickstart -pl examples -am package -DskipTests}; the argument is
 * the workspace URI (default {@code file:target/quickstart-store}).
 */
public final class Quickstart {
  private Quickstart() {}

  /**
   * @param args optional workspace URI
   */
  public static void main(String[] args) {
    String uri = args.length > 0 ? args[0] : "file:" + Path.of("target", "quickstart-store").toAbsolutePath();
    run(uri, System.out);
  }

  /**
   * Runs every step against the workspace at {@code uri}, printing what it does.
   *
   * @param uri workspace URI
   * @param out where to print
   * @return the version registered
   */
  public static ModelVersion run(String uri, PrintStream out) {
    out.println("mlops quickstart, workspace " + uri);
    try (Workspace ws = Mlops.open(uri)) {
      // 1. Track a training run: params, a metric series, the dataset it read, the model file.
      byte[] trainingData = syntheticCsv(1_000, 42);
      Digest dataset = Digest.of(trainingData);
      // run(...) ends the run FINISHED when the body returns, FAILED (with the exception) when it throws.
      ModelVersion version = ws.experiments().run("fraud-detection", "logistic-regression", run -> {
        run.logParam("learning_rate", "0.05");
        run.logParam("epochs", "20");
        run.logInput(new DatasetInput("transactions", dataset, "amount:double,label:int", 1_000, "training"));
        double loss = 0.9;
        for (int epoch = 0; epoch < 20; epoch++) {
          loss *= 0.87;
          run.logMetric("loss", loss, epoch);
        }
        run.logMetric("auc", 0.91, 19);
        ArtifactRef modelFile = ws.artifacts().put("weights: 0.42 -1.3 7.7".getBytes(StandardCharsets.UTF_8),
            ArtifactSpec.of("text/plain"));
        run.logArtifact("model/weights.txt", modelFile);
        out.printf("1. tracked run %s: 20 epochs, final loss %.4f, model %s%n", run.id(), loss, modelFile.digest());

        // 2. Register the model with its lineage (run, dataset, files).
        return ws.registry().register("fraud", Registration.builder()
            .artifact("model/weights.txt", modelFile)
            .trainingRun(run.id())
            .dataset(dataset)
            .description("logistic regression on 1k transactions")
            .tag("framework", "toy")
            .build());
      });
      out.printf("2. registered %s, status %s%n", version.ref(), version.status());

      // 3. A reviewer approves it; then it is promoted with an alias.
      ws.registry().approve("fraud", version.version(), "reviewer@example.com", "AUC 0.91 on holdout");
      ws.registry().setAlias("fraud", "production", version.version());
      out.printf("3. approved %s and pointed fraud@production at it%n", version.ref());

      // 4. A model server resolves the alias (a memory read once cached) and loads the file, verified.
      ModelVersion serving = ws.registry().resolve("fraud@production");
      byte[] weights = ws.artifacts().read(serving.artifacts().get("model/weights.txt").digest());
      out.printf("4. fraud@production -> version %d (%s), %d bytes of weights verified%n",
          serving.version(), serving.status(), weights.length);

      // 5. Find the best run, and check the tamper-evident audit trail.
      var best = ws.experiments().search(RunQuery.builder().experiment("fraud-detection")
          .orderByMetric("auc", true).pageSize(1).build()).runs();
      out.printf("5. best run by auc: %s (auc %.2f); audit log: %d entries, %s%n",
          best.get(0).id(), best.get(0).latestMetrics().get("auc"),
          ws.registry().history("fraud").size(), ws.registry().verify("fraud"));

      // 6. Features: define a view, push rows, look one up at serving time, build a training set.
      FeatureStore features = ws.features();
      features.apply(Entity.of("customer", "customer_id"));
      features.apply(FeatureView.builder("customer_stats", "customer")
          .feature("spend_7d", FeatureType.DOUBLE)
          .feature("orders_7d", FeatureType.LONG)
          .ttl(Duration.ofDays(2))
          .build());
      Instant now = Instant.now();
      features.push("customer_stats", List.of(
          FeatureRow.of("c42", now.minus(Duration.ofDays(3)), Map.of("spend_7d", 80.0, "orders_7d", 1L)),
          FeatureRow.of("c42", now.minus(Duration.ofHours(1)), Map.of("spend_7d", 120.5, "orders_7d", 3L))));
      FeatureValue spend = features.online("c42", "customer_stats:spend_7d").get("customer_stats:spend_7d");
      long trainingRows;
      try (Stream<TrainingRow> rows = features.trainingSet(
          Stream.of(new EntityRow("c42", now.minus(Duration.ofDays(2))), new EntityRow("c42", now)),
          TrainingSetRequest.of("customer_stats:spend_7d", "customer_stats:orders_7d"))) {
        trainingRows = rows.count();
      }
      out.printf("6. online c42 spend_7d = %s (%s, age %ds); point-in-time training set: %d rows%n",
          spend.value().orElse(null), spend.status(), spend.age().orElseThrow().toSeconds(), trainingRows);

      // 7. Drift: fit a baseline on training data, store it with the version, monitor shifted traffic.
      Random rnd = new Random(7);
      BaselineProfile.Fitter fitter = BaselineProfile.fitter(List.of("amount"), List.of());
      for (int i = 0; i < 20_000; i++) {
        fitter.add(new double[] {Math.abs(rnd.nextGaussian() * 100)}, new int[0]);
      }
      Baselines.save(ws, "fraud", serving.version(), fitter.build());
      PredictionMonitor monitor = PredictionMonitor.builder(Baselines.load(ws, "fraud", serving.version()))
          .windowing(Windowing.tumbling(1_000_000))
          .build();
      for (int i = 0; i < 10_000; i++) {
        double amount = Math.abs(rnd.nextGaussian() * 100) * 1.5; // amounts grew by half
        monitor.record(new double[] {amount}, new int[0], amount > 180 ? 1 : 0);
      }
      DriftReport report = monitor.closeWindow();
      out.println("7. drift report for fraud@production traffic:");
      out.print(report.toText());

      // 8. Bias and explainability: the model flags region "north" more often at equal amounts.
      biasAndAttributions(out, new Random(8));

      // 9. Tuning: search the learning rate and L2 penalty of a small logistic regression with TPE;
      //    successive halving stops unpromising trials early. Every trial is a run; register the best.
      tune(ws, out);

      // 10. Data validation: profile the training data, suggest constraints, verify a batch.
      DataValidationStep.run(ws, out);
      // 11. A pipeline (prepare, train, evaluate, gate + register) run twice: the second from the cache.
      PipelineStep.run(ws, out);
      // 12. Serving: model@production behind an Endpoint; a canary promoted, another rolled back.
      ServingStep.run(ws, out);
      // 13. Governance: a four-eyes policy, a second approver, the model card, a dry-run GC.
      GovernanceStep.run(ws, out);
      // 14. Reports: drift windows stored for the web UI and rendered as one HTML file.
      ReportsStep.run(ws, out);
      return serving;
    }
  }

  private static void biasAndAttributions(PrintStream out, Random rnd) {
    int n = 5_000;
    double[] amount = new double[n];
    double[] north = new double[n];
    List<String> region = new ArrayList<>(n);
    List<String> fraud = new ArrayList<>(n);
    double[] score = new double[n];
    ModelFunction model = x -> 1 / (1 + Math.exp(-((x[0] - 180) / 30 + 1.2 * x[1]))); // planted: +1.2 for north
    for (int i = 0; i < n; i++) {
      amount[i] = Math.abs(rnd.nextGaussian() * 100);
      north[i] = rnd.nextDouble() < 0.3 ? 1 : 0;
      region.add(north[i] == 1 ? "north" : "south");
      fraud.add(amount[i] > 180 ? "1" : "0");
      score[i] = model.apply(new double[] {amount[i], north[i]});
    }
    Table data = Table.builder().categorical("region", region).categorical("fraud", fraud).numeric("score", score).build();
    BiasReport bias = BiasAnalysis.analyze(data, BiasSpec.of(Condition.equalTo("region", "north"), Condition.equalTo("fraud", "1"))
        .withPrediction(Condition.above("score", 0.5)));
    out.printf("8. bias (facet region = north): CI %.2f, DPL %.3f, DPPL %.3f, DI %.2f%n",
        bias.value(BiasMetric.CI), bias.value(BiasMetric.DPL), bias.value(BiasMetric.DPPL), bias.value(BiasMetric.DI));
    double[][] background = new double[200][];
    for (int i = 0; i < background.length; i++) {
      background[i] = new double[] {amount[i], north[i]};
    }
    Explanation why = ShapExplainer.builder(model, Background.of(background)).featureNames(List.of("amount", "north"))
        .exact().build().explain(new double[] {150, 1});
    StringBuilder top = new StringBuilder();
    for (int f : why.top(2)) {
      top.append(String.format(" %s %+.3f", List.of("amount", "north").get(f), why.attribution(f)));
    }
    out.printf("   top attributions of score %.2f (base %.2f):%s%n", why.prediction(), why.baseValue(), top);
  }

  private static void tune(Workspace ws, PrintStream out) {
    Random rnd = new Random(9);
    int n = 600;
    double[] x = new double[n];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      double amount = Math.abs(rnd.nextGaussian() * 100);
      x[i] = (amount - 80) / 60;
      y[i] = (amount > 180) != (rnd.nextDouble() < 0.05) ? 1 : 0; // 5 % label noise
    }
    int train = 400; // the rest is the validation set
    Study study = Study.builder(ws, "fraud-tuning")
        .sampler(new TpeSampler(TpeSampler.options(42).withStartupTrials(8)))
        .pruner(new SuccessiveHalvingPruner())
        .build();
    study.optimize(trial -> {
      double lr = trial.suggestFloat("learning_rate", 1e-3, 3, true);
      double l2 = trial.suggestFloat("l2", 1e-5, 1, true);
      double w = 0;
      double b = 0;
      double loss = Double.NaN;
      for (int epoch = 0; epoch < 20; epoch++) {
        for (int i = 0; i < train; i++) {
          double err = 1 / (1 + Math.exp(-(w * x[i] + b))) - y[i];
          w -= lr * (err * x[i] + l2 * w) / 10;
          b -= lr * err / 10;
        }
        loss = 0;
        for (int i = train; i < n; i++) {
          double p = Math.min(Math.max(1 / (1 + Math.exp(-(w * x[i] + b))), 1e-12), 1 - 1e-12);
          loss -= (y[i] == 1 ? Math.log(p) : Math.log(1 - p)) / (n - train);
        }
        trial.report(epoch, loss); // run metric "intermediate"
        if (trial.shouldPrune()) {
          throw new TrialPrunedException();
        }
      }
      trial.run().logArtifact("model/weights.txt", ws.artifacts().put(
          String.format("weights: %.6f %.6f", w, b).getBytes(StandardCharsets.UTF_8), ArtifactSpec.of("text/plain")));
      return loss; // run metric "objective"
    }, 30);
    long pruned = study.trials().stream().filter(t -> t.state() == TrialState.PRUNED).count();
    TrialRecord best = study.bestTrial().orElseThrow();
    ModelVersion tuned = study.registerBest("fraud-tuned");
    out.printf("9. tuned learning_rate and l2 with TPE: 30 trials, %d pruned early; best trial %d: "
            + "validation loss %.4f at learning_rate %.4g, l2 %.3g; registered %s (training run %s)%n",
        pruned, best.number(), best.value().orElseThrow(), Double.parseDouble(best.displayed("learning_rate").orElseThrow()),
        Double.parseDouble(best.displayed("l2").orElseThrow()), tuned.ref(), tuned.lineage().trainingRun().orElseThrow());
  }

  private static byte[] syntheticCsv(int rows, long seed) {
    Random r = new Random(seed);
    StringBuilder sb = new StringBuilder("amount,label\n");
    for (int i = 0; i < rows; i++) {
      double amount = Math.abs(r.nextGaussian() * 100);
      sb.append(String.format("%.2f,%d%n", amount, amount > 180 ? 1 : 0));
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }
}

package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Mlops;
import dev.mlops.Registration;
import dev.mlops.Workspace;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The snippet of docs/drift-monitoring.md and the quickstart, kept compiling and true. */
class DriftMonitoringSnippetTest {

  @Test
  void fitBaselineStreamShiftedPredictionsPrintReport() {
    StringBuilder printed = new StringBuilder();
    try (Workspace ws = Mlops.open("mem:")) {
      int version = ws.registry().register("fraud", Registration.builder().build()).version();
      // --- snippet start
      // 1. Fit a baseline on the training data and store it next to the model version.
      Random rnd = new Random(42);
      BaselineProfile.Fitter fitter = BaselineProfile.fitter(List.of("amount", "age"),
          List.of(CategoricalFeature.of("channel", "web", "app", "pos")));
      for (int i = 0; i < 50_000; i++) {
        fitter.add(new double[] {Math.exp(3 + rnd.nextGaussian()), 18 + 50 * rnd.nextDouble()},
            new int[] {rnd.nextInt(3)});
      }
      Baselines.save(ws, "fraud", version, fitter.build());

      // 2. At serving time: load it, build the monitor, record every prediction.
      PredictionMonitor monitor = PredictionMonitor.builder(Baselines.load(ws, "fraud", version))
          .windowing(Windowing.tumbling(10_000))
          .onAlert(report -> printed.append("ALERT\n"))
          .build();
      for (int i = 0; i < 10_000; i++) {
        double amount = Math.exp(3.5 + rnd.nextGaussian()); // amounts drifted upwards
        double age = 18 + 50 * rnd.nextDouble();
        monitor.record(new double[] {amount, age}, new int[] {rnd.nextInt(3)}, 0.1);
      }
      // 3. The window closed itself at its 10,000th record and listeners got its report;
      //    closeWindowIfDue() returns once every completed window is reported.
      monitor.closeWindowIfDue();
      DriftReport report = monitor.lastReport().orElseThrow();
      printed.append(report.toText());
      // --- snippet end
      assertThat(report.feature("amount").orElseThrow().verdict()).isEqualTo(DriftVerdict.DRIFT);
      assertThat(report.feature("age").orElseThrow().verdict()).isEqualTo(DriftVerdict.NO_DRIFT);
      assertThat(report.feature("channel").orElseThrow().verdict()).isEqualTo(DriftVerdict.NO_DRIFT);
    }
    assertThat(printed.toString()).contains("amount").contains("POPULATION_STABILITY_INDEX");
    System.out.print(printed);
  }
}

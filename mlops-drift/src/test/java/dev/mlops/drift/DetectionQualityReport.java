package dev.mlops.drift;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Prints, as a Markdown table, each detector's detection delay after the change at index 10,000
 * of the reference abrupt streams and its false alarms per 10,000 inputs on the stationary
 * streams (and before the change on the abrupt ones). Not a test: a report for
 * {@code docs/drift-detectors.md}.
 *
 * <pre>
 * mvn -q -pl mlops-drift -am test-compile
 * java -cp mlops-drift/target/test-classes:mlops-drift/target/classes:mlops-api/target/classes \
 *     dev.mlops.drift.DetectionQualityReport
 * </pre>
 *
 * <p>The streams are read from the test class path
 * ({@code mlops-drift/src/test/resources/dev/mlops/drift/reference/streams}).
 */
public final class DetectionQualityReport {

  private static final int CHANGE = 10_000;
  private static final String[] SEEDS = {"s11", "s12", "s13"};

  private record Candidate(String name, Supplier<ConceptDriftDetector> fresh, boolean bernoulliOnly,
      boolean unitInterval) {}

  private DetectionQualityReport() {}

  public static void main(String[] args) {
    List<Candidate> candidates = new ArrayList<>();
    candidates.add(new Candidate("ADWIN (delta 0.002)", () -> Adwin.builder().build(), false, false));
    candidates.add(new Candidate("DDM", () -> Ddm.builder().build(), true, true));
    candidates.add(new Candidate("EDDM", () -> Eddm.builder().build(), true, true));
    candidates.add(new Candidate("Page-Hinkley (lambda 50)", () -> PageHinkley.builder().build(),
        false, false));
    candidates.add(new Candidate("HDDM_A (two-sided)", () -> HddmA.builder().build(), false, true));
    candidates.add(new Candidate("HDDM_W (one-sided)", () -> HddmW.builder().build(), false, true));
    candidates.add(new Candidate("CUSUM (lambda 50)", () -> Cusum.builder().build(), false, false));
    for (long seed = 1; seed <= 3; seed++) {
      long s = seed;
      candidates.add(new Candidate("KSWIN (seed " + seed + ")", () -> Kswin.builder().seed(s)
          .build(), false, false));
    }

    System.out.println("| detector | delay bern_abrupt | delay unif_abrupt | delay gauss_abrupt "
        + "| false alarms / 10k: bern_stationary | gauss_stationary | abrupt streams before "
        + "the change |");
    System.out.println("|---|---|---|---|---|---|---|");
    for (Candidate c : candidates) {
      StringBuilder row = new StringBuilder("| ").append(c.name()).append(" | ");
      long preAlarms = 0;
      long preInputs = 0;
      for (String family : new String[] {"bern_abrupt", "unif_abrupt", "gauss_abrupt"}) {
        if (!applies(c, family)) {
          row.append("n/a | ");
          continue;
        }
        List<String> delays = new ArrayList<>();
        for (String seed : SEEDS) {
          List<Integer> drifts = drifts(c, family + "_" + seed);
          int first = drifts.stream().filter(i -> i >= CHANGE).findFirst().orElse(-1);
          delays.add(first < 0 ? "missed" : Integer.toString(first - CHANGE));
          preAlarms += drifts.stream().filter(i -> i < CHANGE).count();
          preInputs += CHANGE;
        }
        row.append(String.join(" / ", delays)).append(" | ");
      }
      for (String family : new String[] {"bern_stationary", "gauss_stationary"}) {
        if (!applies(c, family)) {
          row.append("n/a | ");
          continue;
        }
        long alarms = 0;
        long inputs = 0;
        for (String seed : SEEDS) {
          alarms += drifts(c, family + "_" + seed).size();
          inputs += ReferenceData.stream(family + "_" + seed).length;
        }
        row.append(String.format(Locale.ROOT, "%.2f", alarms * 10_000.0 / inputs)).append(" | ");
      }
      row.append(String.format(Locale.ROOT, "%.2f", preAlarms * 10_000.0 / preInputs)).append(" |");
      System.out.println(row);
    }
  }

  private static boolean applies(Candidate c, String family) {
    if (c.bernoulliOnly()) {
      return family.startsWith("bern");
    }
    if (c.unitInterval()) {
      return !family.startsWith("gauss");
    }
    return true;
  }

  private static List<Integer> drifts(Candidate c, String stream) {
    ConceptDriftDetector d = c.fresh().get();
    double[] xs = ReferenceData.stream(stream);
    List<Integer> out = new ArrayList<>();
    for (int i = 0; i < xs.length; i++) {
      if (d.update(xs[i]) == DriftState.DRIFT) {
        out.add(i);
      }
    }
    return out;
  }
}

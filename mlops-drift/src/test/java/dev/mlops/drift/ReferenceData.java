package dev.mlops.drift;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads the reference streams and rows from the test class path
 * ({@code src/test/resources/dev/mlops/drift/reference}, see its README.md for provenance), so a
 * fresh clone needs nothing outside the repository.
 */
final class ReferenceData {

  /** One row of expected.json. */
  record Row(String stream, String detector, Map<String, String> params, long[] drift,
      long warningCount, long warningFirst) {
    @Override
    public String toString() {
      return stream + " " + detector + " " + params;
    }
  }

  private static final Pattern ROW = Pattern.compile(
      "\\{\"stream\": \"([^\"]+)\", \"detector\": \"([^\"]+)\", \"params\": \"([^\"]*)\", "
          + "\"drift\": \\[([^\\]]*)\\], \"warningCount\": (-?\\d+), \"warningFirst\": (-?\\d+)\\}");
  private static final Map<String, double[]> STREAMS = new ConcurrentHashMap<>();

  private ReferenceData() {}

  /** Class-path location of the reference data, relative to this class's package. */
  static final String DIR = "reference/";

  /** Opens one reference file; fails naming the resource when it is missing. */
  static InputStream open(String name) {
    InputStream in = ReferenceData.class.getResourceAsStream(DIR + name);
    if (in == null) {
      throw new IllegalStateException("reference data dev/mlops/drift/" + DIR + name
          + " not on the test class path (src/test/resources)");
    }
    return in;
  }

  private static String read(String name) throws IOException {
    try (InputStream in = open(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static List<Row> rows() {
    try {
      String json = read("expected.json");
      List<Row> rows = new ArrayList<>();
      Matcher m = ROW.matcher(json);
      while (m.find()) {
        Map<String, String> params = new LinkedHashMap<>();
        for (String kv : m.group(3).split(",")) {
          if (!kv.isEmpty()) {
            String[] p = kv.split("=", 2);
            params.put(p[0], p[1]);
          }
        }
        String d = m.group(4).trim();
        long[] drift = d.isEmpty() ? new long[0]
            : java.util.Arrays.stream(d.split(",")).mapToLong(s -> Long.parseLong(s.trim())).toArray();
        rows.add(new Row(m.group(1), m.group(2), params, drift, Long.parseLong(m.group(5)),
            Long.parseLong(m.group(6))));
      }
      int declared = json.split("\"stream\":", -1).length - 1;
      if (rows.size() != declared || rows.isEmpty()) {
        throw new IllegalStateException("parsed " + rows.size() + " of " + declared + " rows");
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static double[] stream(String name) {
    return STREAMS.computeIfAbsent(name, n -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(open("streams/" + n + ".csv"), StandardCharsets.UTF_8))) {
        return r.lines().filter(s -> !s.isBlank()).mapToDouble(Double::parseDouble).toArray();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /** The outcome of feeding a stream to a detector under the reference protocol. */
  record Outcome(long[] drift, long warningCount, long warningFirst) {}

  static Outcome run(ConceptDriftDetector detector, double[] xs) {
    List<Long> drift = new ArrayList<>();
    long warnings = 0;
    long firstWarning = -1;
    for (int i = 0; i < xs.length; i++) {
      DriftState s = detector.update(xs[i]);
      if (s == DriftState.DRIFT) {
        drift.add((long) i);
      } else if (s == DriftState.WARNING) {
        warnings++;
        if (firstWarning < 0) {
          firstWarning = i;
        }
      }
    }
    return new Outcome(drift.stream().mapToLong(Long::longValue).toArray(), warnings, firstWarning);
  }

  private static boolean sided(String test) {
    if (!"one-sided".equals(test) && !"two-sided".equals(test)) {
      throw new IllegalArgumentException("test=" + test);
    }
    return "two-sided".equals(test);
  }

  /** Builds the detector a row names, with the row's parameters. */
  static ConceptDriftDetector detector(Row row) {
    Map<String, String> p = row.params();
    switch (row.detector()) {
      case "DDM":
        return Ddm.builder().minNumInstances(Integer.parseInt(p.get("minNumInstances")))
            .warningLevel(Double.parseDouble(p.get("warningLevel")))
            .driftLevel(Double.parseDouble(p.get("driftLevel"))).build();
      case "PageHinkley":
        return PageHinkley.builder().minNumInstances(Integer.parseInt(p.get("minNumInstances")))
            .delta(Double.parseDouble(p.get("delta"))).lambda(Double.parseDouble(p.get("lambda")))
            .alpha(Double.parseDouble(p.get("alpha"))).build();
      case "CUSUM":
        return Cusum.builder().minNumInstances(Integer.parseInt(p.get("minNumInstances")))
            .delta(Double.parseDouble(p.get("delta"))).lambda(Double.parseDouble(p.get("lambda")))
            .build();
      case "ADWIN":
        return Adwin.builder().delta(Double.parseDouble(p.get("delta"))).build();
      case "HDDM_A":
        return HddmA.builder().driftConfidence(Double.parseDouble(p.get("driftConfidence")))
            .warningConfidence(Double.parseDouble(p.get("warningConfidence")))
            .twoSided(sided(p.get("test"))).build();
      case "HDDM_W":
        return HddmW.builder().driftConfidence(Double.parseDouble(p.get("driftConfidence")))
            .warningConfidence(Double.parseDouble(p.get("warningConfidence")))
            .lambda(Double.parseDouble(p.get("lambda"))).twoSided(sided(p.get("test"))).build();
      case "EDDM":
        return Eddm.builder().warningThreshold(Double.parseDouble(p.get("warning")))
            .driftThreshold(Double.parseDouble(p.get("drift")))
            .minNumInstances(Integer.parseInt(p.get("minNumInstances")))
            .minNumErrors(Integer.parseInt(p.get("minNumErrors"))).build();
      default:
        throw new IllegalArgumentException("no detector for " + row.detector());
    }
  }
}

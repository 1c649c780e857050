package dev.mlops.ui;

import dev.mlops.ApprovalStatus;
import dev.mlops.ArtifactRef;
import dev.mlops.AuditEntry;
import dev.mlops.Digest;
import dev.mlops.MetricPoint;
import dev.mlops.ModelVersion;
import dev.mlops.NotFoundException;
import dev.mlops.RunId;
import dev.mlops.RunInfo;
import dev.mlops.VerifyReport;
import dev.mlops.Workspace;
import dev.mlops.drift.BaselineProfile;
import dev.mlops.drift.CategoricalFeatureProfile;
import dev.mlops.drift.CheckResult;
import dev.mlops.drift.DriftReport;
import dev.mlops.drift.DriftState;
import dev.mlops.drift.DriftVerdict;
import dev.mlops.drift.FeatureDrift;
import dev.mlops.drift.NumericFeatureProfile;
import dev.mlops.features.FeatureSpec;
import dev.mlops.features.FeatureView;
import dev.mlops.features.FeatureViewVersion;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Self-contained HTML reports: each method returns one complete HTML document as a String, with
 * inline CSS and inline SVG charts, no script and no reference to anything outside the file (its
 * Content-Security-Policy forbids every fetch), so it can be mailed, archived or opened offline.
 * Every user-supplied string is escaped; values longer than 2,000 characters are cut with a note.
 * The UI's pages show the same content.
 *
 * <p>Thread-safe (stateless; reads the workspace, which is thread-safe).
 */
public final class HtmlReports {
  /** At most this many metric keys are charted per run or comparison. */
  static final int MAX_CHARTED_METRICS = 24;
  /** At most this many features are drawn as histograms in a drift report. */
  static final int MAX_HISTOGRAMS = 60;

  private HtmlReports() {}

  /**
   * A drift report: the latest window in detail (per feature: baseline vs current histogram,
   * statistic, p-value, effect size, verdict; window checks; model quality) and a timeline of
   * all given windows with detector warnings and drifts marked.
   *
   * @param title report title (escaped)
   * @param baseline the profile the windows were evaluated against (for the histograms)
   * @param windows one report per window, oldest first; not empty
   * @return the HTML document
   * @throws IllegalArgumentException if windows is empty
   */
  public static String driftReport(String title, BaselineProfile baseline, List<DriftReport> windows) {
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(baseline, "baseline");
    if (windows.isEmpty()) {
      throw new IllegalArgumentException("a drift report needs at least one window");
    }
    return Layout.document(Html.text(title), "", "<h1>" + Html.text(title) + "</h1>" + driftBody(baseline, windows));
  }

  /**
   * A drift report of one window.
   *
   * @param baseline the profile the window was evaluated against
   * @param report the window's report
   * @return the HTML document
   */
  public static String driftReport(BaselineProfile baseline, DriftReport report) {
    Objects.requireNonNull(report, "report");
    return driftReport("Drift report " + report.start() + " \u2013 " + report.end(), baseline, List.of(report));
  }

  /**
   * Runs side by side: parameters (differences highlighted), latest metrics, and every metric's
   * curve over steps with one line per run.
   *
   * @param workspace the workspace
   * @param runs two or more runs (one is allowed: a single run's report)
   * @return the HTML document
   * @throws IllegalArgumentException if runs is empty or has more than 10 runs
   * @throws NotFoundException if a run does not exist
   */
  public static String runComparison(Workspace workspace, List<RunId> runs) {
    return Layout.document("Run comparison", "", "<h1>Run comparison</h1>" + comparisonBody(workspace, runs, false));
  }

  /**
   * A model version: status and approval, aliases, lineage, artifacts, tags, and the model's audit
   * trail entries for this version with the result of verifying the hash chain.
   *
   * @param workspace the workspace
   * @param model model name
   * @param version version number
   * @return the HTML document
   * @throws NotFoundException if the version does not exist
   */
  public static String modelVersion(Workspace workspace, String model, int version) {
    ModelVersion mv = workspace.registry().get(model, version);
    return Layout.document("Model " + Html.text(mv.ref()), "", modelVersionBody(workspace, mv, false, false));
  }

  /**
   * A feature view: its definition (entity, TTL, owner, features with types) and its version history.
   *
   * @param workspace the workspace
   * @param view view name
   * @return the HTML document
   * @throws NotFoundException if there is no such view
   */
  public static String featureView(Workspace workspace, String view) {
    return Layout.document("Feature view " + Html.text(view), "", featureViewBody(workspace, view));
  }

  // ------------------------------------------------------------------ drift

  static String driftBody(BaselineProfile baseline, List<DriftReport> windows) {
    DriftReport r = windows.get(windows.size() - 1);
    StringBuilder sb = new StringBuilder();
    sb.append("<p>Latest window ").append(Html.text(r.start().toString())).append(" \u2013 ")
        .append(Html.text(r.end().toString())).append(", ").append(r.records()).append(" records: ")
        .append(r.datasetDrift() ? "<span class=\"bad\">DATASET DRIFT</span>" : "<span class=\"ok\">no dataset drift</span>")
        .append(" (").append(r.driftedFeatures()).append(" of ").append(r.evaluatedFeatures())
        .append(" evaluated features drifted)").append(r.alarm() ? " \u2013 <span class=\"bad\">ALARM</span>" : "")
        .append("</p>");
    List<Svg.Mark> marks = new ArrayList<>();
    for (DriftReport w : windows) {
      DriftState state = w.quality().map(q -> q.detectorState()).orElse(DriftState.STABLE);
      boolean drift = w.alarm() || state == DriftState.DRIFT;
      marks.add(new Svg.Mark(w.end().toString(), w.driftedShare(), state == DriftState.WARNING, drift));
    }
    sb.append("<h2>Timeline</h2><div class=\"charts\">")
        .append(Svg.timeline(windows.size() + " windows: drifted share, detector warnings and drifts", marks))
        .append("</div>");
    sb.append("<h2>Features</h2><table class=\"features\"><tr><th>feature</th><th>test</th><th>statistic</th>"
        + "<th>p-value</th><th>effect</th><th>verdict</th><th>values</th><th>missing</th></tr>");
    for (FeatureDrift f : r.features()) {
      String cls = f.verdict() == DriftVerdict.DRIFT ? "bad" : f.verdict() == DriftVerdict.NO_DRIFT ? "ok" : "muted";
      sb.append("<tr><td>").append(Html.text(f.name())).append("</td><td>").append(f.threshold().test())
          .append("</td><td class=\"num\">").append(f.result().map(x -> Html.number(x.statistic())).orElse("\u2013"))
          .append("</td><td class=\"num\">")
          .append(f.result().filter(x -> x.pValue().isPresent()).map(x -> Html.number(x.pValue().getAsDouble()))
              .orElse("\u2013"))
          .append("</td><td class=\"num\">").append(f.result().map(x -> Html.number(x.effectSize())).orElse("\u2013"))
          .append("</td><td class=\"").append(cls).append("\">").append(f.verdict()).append("</td><td class=\"num\">")
          .append(f.count()).append("</td><td class=\"num\">").append(Html.number(100 * f.missingRate())).append('%')
          .append(f.missingRateDrift() ? " <span class=\"bad\">(rose)</span>" : "").append("</td></tr>");
    }
    sb.append("</table>");
    if (!r.checks().isEmpty()) {
      sb.append("<h2>Checks</h2><table><tr><th>check</th><th>verdict</th><th>detail</th></tr>");
      for (CheckResult c : r.checks()) {
        sb.append("<tr><td>").append(Html.text(c.name())).append("</td><td>").append(c.verdict()).append("</td><td>")
            .append(Html.text(c.detail())).append("</td></tr>");
      }
      sb.append("</table>");
    }
    r.quality().ifPresent(q -> sb.append("<h2>Quality</h2><p>").append(q.metric()).append(' ')
        .append(q.value().isPresent() ? Html.number(q.value().getAsDouble()) : "\u2013").append(" over ")
        .append(q.outcomes()).append(" labelled predictions; ").append(q.conceptDrifts())
        .append(" concept drifts; detector ").append(q.detectorState()).append("</p>"));
    sb.append("<h2>Baseline vs current</h2>");
    sb.append(histograms(baseline, Optional.of(r)));
    return sb.toString();
  }

  /** Histograms of every feature of a baseline, with the window's counts when a report is given. */
  static String histograms(BaselineProfile baseline, Optional<DriftReport> report) {
    StringBuilder sb = new StringBuilder("<div class=\"charts\">");
    int drawn = 0;
    int total = baseline.numericFeatures().size() + baseline.categoricalFeatures().size();
    for (NumericFeatureProfile f : baseline.numericFeatures()) {
      if (drawn++ >= MAX_HISTOGRAMS) {
        break;
      }
      double[] edges = f.binEdges();
      List<String> labels = new ArrayList<>();
      for (int i = 0; i <= edges.length; i++) {
        // each bin labelled by its upper edge; the last bin is everything above the last edge
        labels.add(i < edges.length ? "\u2264" + Html.compact(edges[i])
            : ">" + Html.compact(edges.length == 0 ? f.min() : edges[edges.length - 1]));
      }
      sb.append(Svg.histogram(f.name(), labels, f.binProbabilities(), current(baseline, f.name(), report,
          edges.length + 1)));
    }
    for (CategoricalFeatureProfile f : baseline.categoricalFeatures()) {
      if (drawn++ >= MAX_HISTOGRAMS) {
        break;
      }
      sb.append(Svg.histogram(f.name(), f.bucketLabels(), f.bucketProbabilities(),
          current(baseline, f.name(), report, f.bucketLabels().size())));
    }
    sb.append("</div>");
    if (total > MAX_HISTOGRAMS) {
      sb.append("<p class=\"muted\">").append(total - MAX_HISTOGRAMS).append(" more features not drawn.</p>");
    }
    return sb.toString();
  }

  private static long[] current(BaselineProfile baseline, String feature, Optional<DriftReport> report, int bins) {
    if (report.isEmpty()) {
      return new long[bins];
    }
    try {
      return report.get().snapshot().histogram(baseline, feature);
    } catch (IllegalArgumentException otherBaseline) {
      return new long[bins];
    }
  }

  // ------------------------------------------------------------------ runs

  static String comparisonBody(Workspace ws, List<RunId> ids, boolean links) {
    Objects.requireNonNull(ws, "workspace");
    if (ids.isEmpty() || ids.size() > 10) {
      throw new IllegalArgumentException("compare 1 to 10 runs, got " + ids.size());
    }
    List<RunInfo> runs = new ArrayList<>();
    for (RunId id : ids) {
      runs.add(ws.experiments().getRun(id));
    }
    StringBuilder sb = new StringBuilder("<table class=\"compare\"><tr><th></th>");
    for (RunInfo r : runs) {
      sb.append("<th>").append(runLink(r, links)).append("</th>");
    }
    sb.append("</tr>");
    row(sb, "experiment", runs.stream().map(r -> Html.text(r.experiment())).toList(), false);
    row(sb, "status", runs.stream().map(r -> r.status().name()).toList(), false);
    row(sb, "started", runs.stream().map(r -> r.startedAt().toString()).toList(), false);
    row(sb, "duration", runs.stream().map(r -> r.endedAt().map(e -> Duration.between(r.startedAt(), e).toString())
        .orElse("running")).toList(), false);
    TreeSet<String> paramKeys = new TreeSet<>();
    runs.forEach(r -> paramKeys.addAll(r.params().keySet()));
    sb.append("<tr><th colspan=\"").append(runs.size() + 1).append("\">parameters (").append(paramKeys.size())
        .append(")</th></tr>");
    for (String k : paramKeys) {
      List<String> vals = runs.stream().map(r -> r.params().get(k)).map(v -> v == null ? "" : v).toList();
      row(sb, Html.text(k), vals.stream().map(Html::text).toList(), vals.stream().distinct().count() > 1);
    }
    TreeSet<String> metricKeys = new TreeSet<>();
    runs.forEach(r -> metricKeys.addAll(r.latestMetrics().keySet()));
    sb.append("<tr><th colspan=\"").append(runs.size() + 1).append("\">latest metrics (").append(metricKeys.size())
        .append(")</th></tr>");
    for (String k : metricKeys) {
      List<String> vals = runs.stream().map(r -> r.latestMetrics().get(k))
          .map(v -> v == null ? "" : Html.number(v)).toList();
      row(sb, Html.text(k), vals, vals.stream().distinct().count() > 1);
    }
    TreeSet<String> tagKeys = new TreeSet<>();
    runs.forEach(r -> tagKeys.addAll(r.tags().keySet()));
    if (!tagKeys.isEmpty()) {
      sb.append("<tr><th colspan=\"").append(runs.size() + 1).append("\">tags</th></tr>");
      for (String k : tagKeys) {
        List<String> vals = runs.stream().map(r -> r.tags().get(k)).map(v -> v == null ? "" : v).toList();
        row(sb, Html.text(k), vals.stream().map(Html::text).toList(), vals.stream().distinct().count() > 1);
      }
    }
    sb.append("</table>");
    sb.append(metricCharts(ws, runs, metricKeys));
    return sb.toString();
  }

  static String metricCharts(Workspace ws, List<RunInfo> runs, TreeSet<String> metricKeys) {
    if (metricKeys.isEmpty()) {
      return "<p class=\"muted no-metrics\">No metrics logged.</p>";
    }
    StringBuilder sb = new StringBuilder("<h2>Metric curves</h2><div class=\"charts\">");
    int charted = 0;
    for (String k : metricKeys) {
      if (charted++ >= MAX_CHARTED_METRICS) {
        sb.append("</div><p class=\"muted\">").append(metricKeys.size() - MAX_CHARTED_METRICS)
            .append(" more metrics not charted.</p>");
        return sb.toString();
      }
      List<Svg.Series> series = new ArrayList<>();
      for (RunInfo r : runs) {
        if (!r.latestMetrics().containsKey(k)) {
          continue;
        }
        List<MetricPoint> points = ws.experiments().metricHistory(r.id(), k);
        double[] x = new double[points.size()];
        double[] y = new double[points.size()];
        for (int i = 0; i < points.size(); i++) {
          x[i] = points.get(i).step();
          y[i] = points.get(i).value();
        }
        series.add(new Svg.Series(runLabel(r), x, y));
      }
      sb.append(Svg.lineChart(k, series));
    }
    return sb.append("</div>").toString();
  }

  static String runLabel(RunInfo r) {
    return (r.name().isEmpty() ? r.id().value() : r.name());
  }

  static String runLink(RunInfo r, boolean links) {
    String label = Html.text(runLabel(r));
    return links ? "<a href=\"/runs/" + Html.text(Html.url(r.id().value())) + "\">" + label + "</a>" : label;
  }

  private static void row(StringBuilder sb, String label, List<String> cells, boolean differ) {
    sb.append("<tr").append(differ ? " class=\"diff\"" : "").append("><th>").append(label).append("</th>");
    for (String c : cells) {
      sb.append("<td>").append(c).append("</td>");
    }
    sb.append("</tr>");
  }

  // ------------------------------------------------------------------ models

  static String modelVersionBody(Workspace ws, ModelVersion mv, boolean links, boolean reviewForm) {
    StringBuilder sb = new StringBuilder("<h1>Model ").append(Html.text(mv.ref())).append("</h1>");
    sb.append("<table class=\"version\">");
    kv(sb, "status", statusHtml(mv.status()));
    mv.approval().ifPresent(a -> kv(sb, "decision", a.status() + " by " + Html.text(a.actor()) + " at " + a.at()
        + (a.comment().isEmpty() ? "" : ": " + Html.text(a.comment()))));
    kv(sb, "aliases", mv.aliases().isEmpty() ? "<span class=\"muted\">none</span>"
        : String.join(", ", new TreeSet<>(mv.aliases()).stream().map(a -> "<code>" + Html.text(a) + "</code>").toList()));
    kv(sb, "created", mv.createdAt() + " by " + Html.text(mv.createdBy()));
    kv(sb, "description", Html.text(mv.description()));
    kv(sb, "training run", mv.lineage().trainingRun().map(id -> links
        ? "<a href=\"/runs/" + Html.text(Html.url(id.value())) + "\">" + Html.text(id.value()) + "</a>"
        : Html.text(id.value())).orElse("<span class=\"muted\">none</span>"));
    kv(sb, "datasets", mv.lineage().datasets().isEmpty() ? "<span class=\"muted\">none</span>"
        : String.join("<br>", mv.lineage().datasets().stream().map(Digest::toString).map(Html::text).toList()));
    kv(sb, "parent version", mv.lineage().parentVersion().map(p -> links
        ? "<a href=\"/models/" + Html.text(Html.url(mv.model())) + "/" + p + "\">" + p + "</a>"
        : Integer.toString(p)).orElse("<span class=\"muted\">none</span>"));
    sb.append("</table>");
    if (reviewForm && mv.status() == ApprovalStatus.PENDING_MANUAL_APPROVAL) {
      sb.append("<h2>Review</h2><form method=\"post\" action=\"/models/").append(Html.text(Html.url(mv.model())))
          .append('/').append(mv.version()).append("/review\">actor <input name=\"actor\" required> comment ")
          .append("<input name=\"comment\"> <button name=\"decision\" value=\"APPROVED\">Approve</button>")
          .append(" <button name=\"decision\" value=\"REJECTED\">Reject</button></form>");
    }
    sb.append("<h2>Artifacts</h2><table><tr><th>name</th><th>digest</th><th>size</th></tr>");
    for (Map.Entry<String, ArtifactRef> a : new TreeMap<>(mv.artifacts()).entrySet()) {
      sb.append("<tr><td>").append(Html.text(a.getKey())).append("</td><td><code>")
          .append(Html.text(a.getValue().digest().toString())).append("</code></td><td class=\"num\">")
          .append(a.getValue().size()).append("</td></tr>");
    }
    sb.append("</table><h2>Tags</h2>").append(mapTable(mv.tags()));
    sb.append(auditBody(ws, mv.model(), Optional.of(mv.version())));
    return sb.toString();
  }

  static String auditBody(Workspace ws, String model, Optional<Integer> version) {
    StringBuilder sb = new StringBuilder("<h2>Audit trail</h2>");
    VerifyReport v = ws.registry().verify(model);
    sb.append("<p class=\"verify\">hash chain: ").append(v.ok()
        ? "<span class=\"ok\">verified</span> (" + v.entriesChecked() + " entries"
            + v.head().map(h -> ", head " + Html.text(h.toString())).orElse("") + ")"
        : "<span class=\"bad\">BROKEN</span> " + Html.text(v.toString())).append("</p>");
    sb.append("<table class=\"audit\"><tr><th>seq</th><th>type</th><th>actor</th><th>at</th><th>details</th></tr>");
    List<AuditEntry> entries = ws.registry().history(model);
    int shown = 0;
    for (int i = entries.size() - 1; i >= 0 && shown < 500; i--) {
      AuditEntry e = entries.get(i);
      if (version.isPresent() && e.details().containsKey("version")
          && !e.details().get("version").equals(Integer.toString(version.get()))) {
        continue;
      }
      shown++;
      Map<String, String> d = new TreeMap<>(e.details());
      sb.append("<tr><td class=\"num\">").append(e.seq()).append("</td><td>").append(Html.text(e.type()))
          .append("</td><td>").append(Html.text(e.actor())).append("</td><td>").append(e.at()).append("</td><td>");
      d.forEach((k, val) -> sb.append(Html.text(k)).append('=').append(Html.text(val)).append(' '));
      sb.append("</td></tr>");
    }
    return sb.append("</table>").toString();
  }

  static String statusHtml(ApprovalStatus s) {
    return switch (s) {
      case APPROVED -> "<span class=\"ok\">APPROVED</span>";
      case REJECTED -> "<span class=\"bad\">REJECTED</span>";
      case PENDING_MANUAL_APPROVAL -> "<span class=\"warn\">PENDING_MANUAL_APPROVAL</span>";
    };
  }

  static String mapTable(Map<String, String> map) {
    if (map.isEmpty()) {
      return "<p class=\"muted\">none</p>";
    }
    StringBuilder sb = new StringBuilder("<table>");
    new TreeMap<>(map).forEach((k, v) -> sb.append("<tr><th>").append(Html.text(k)).append("</th><td>")
        .append(Html.text(v)).append("</td></tr>"));
    return sb.append("</table>").toString();
  }

  private static void kv(StringBuilder sb, String key, String html) {
    sb.append("<tr><th>").append(key).append("</th><td>").append(html).append("</td></tr>");
  }

  // ------------------------------------------------------------------ features

  static String featureViewBody(Workspace ws, String name) {
    FeatureViewVersion fv = ws.features().findView(name)
        .orElseThrow(() -> new NotFoundException("no feature view " + Request.clip(name)));
    FeatureView d = fv.definition();
    StringBuilder sb = new StringBuilder("<h1>Feature view ").append(Html.text(d.name())).append("</h1><table>");
    kv(sb, "version", fv.version() + " (data version " + fv.dataVersion() + ")");
    kv(sb, "registered", fv.registeredAt().toString());
    kv(sb, "entity", Html.text(d.entity()));
    kv(sb, "ttl", d.ttl().toString());
    kv(sb, "owner", Html.text(d.owner()));
    kv(sb, "description", Html.text(d.description()));
    sb.append("</table><h2>Features</h2><table class=\"features\"><tr><th>feature</th><th>type</th><th>description</th></tr>");
    for (FeatureSpec f : d.features()) {
      sb.append("<tr><td>").append(Html.text(f.name())).append("</td><td>").append(Html.text(String.valueOf(f.type())))
          .append("</td><td>").append(Html.text(f.description())).append("</td></tr>");
    }
    sb.append("</table><h2>Tags</h2>").append(mapTable(d.tags()));
    sb.append("<h2>History</h2><table><tr><th>version</th><th>data version</th><th>registered</th><th>features</th></tr>");
    List<FeatureViewVersion> history = ws.features().viewHistory(name);
    for (int i = history.size() - 1; i >= 0; i--) {
      FeatureViewVersion h = history.get(i);
      sb.append("<tr><td class=\"num\">").append(h.version()).append("</td><td class=\"num\">").append(h.dataVersion())
          .append("</td><td>").append(h.registeredAt()).append("</td><td>")
          .append(Html.text(String.join(", ", h.definition().features().stream().map(FeatureSpec::name).toList())))
          .append("</td></tr>");
    }
    return sb.append("</table>").toString();
  }
}

package dev.mlops.ui;

import dev.mlops.ModelVersion;
import dev.mlops.Names;
import dev.mlops.NotFoundException;
import dev.mlops.drift.BaselineProfile;
import dev.mlops.drift.Baselines;
import dev.mlops.drift.DriftReport;
import dev.mlops.drift.PredictionMonitor;
import dev.mlops.drift.WindowSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code /drift}: model versions with a stored baseline ({@link Baselines}); {@code /drift/<model>/<version>}:
 * the baseline's histograms and, when windows were stored with {@link DriftWindows}, a drift report
 * of the newest windows (each snapshot evaluated against the baseline with the monitor's default
 * thresholds), with the timeline of all of them.
 *
 * <p>Immutable and thread-safe.
 */
final class DriftView implements View {
  /** Windows shown on the timeline. */
  static final int MAX_WINDOWS = 100;

  @Override
  public String path() {
    return "/drift";
  }

  @Override
  public Optional<String> navLabel() {
    return Optional.of("Drift");
  }

  @Override
  public Response render(Request request) {
    List<String> s = request.segments();
    return switch (s.size()) {
      case 0 -> list(request);
      case 2 -> report(request, Names.requireValid("model name", s.get(0)), version(s.get(1)));
      default -> throw new NotFoundException("no page at /drift/" + Request.clip(String.join("/", s)));
    };
  }

  private static int version(String text) {
    try {
      int v = Integer.parseInt(text);
      if (v >= 1) {
        return v;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new IllegalArgumentException("model version '" + Request.clip(text) + "' is not a number >= 1");
  }

  private Response list(Request request) {
    StringBuilder sb = new StringBuilder("<h1>Drift</h1><table id=\"baselines\"><tr><th>model version</th>"
        + "<th>stored windows</th></tr>");
    int rows = 0;
    for (String m : request.workspace().registry().models()) {
      for (ModelVersion v : request.workspace().registry().versions(m)) {
        if (v.tags().containsKey(Baselines.TAG)) {
          rows++;
          long windows = v.tags().keySet().stream().filter(k -> k.startsWith(DriftWindows.TAG_PREFIX)).count();
          sb.append("<tr><td><a class=\"drift-report\" href=\"/drift/").append(Html.text(Html.url(m))).append('/')
              .append(v.version()).append("\">").append(Html.text(v.ref())).append("</a></td><td class=\"num\">")
              .append(windows).append("</td></tr>");
        }
      }
    }
    sb.append("</table>");
    if (rows == 0) {
      sb.append("<p class=\"muted\">No model version has a baseline; store one with Baselines.save.</p>");
    }
    return Response.page("Drift", sb.toString());
  }

  private Response report(Request request, String model, int version) {
    ModelVersion mv = request.workspace().registry().get(model, version);
    BaselineProfile baseline = Baselines.find(request.workspace(), model, version)
        .orElseThrow(() -> new NotFoundException("model version " + mv.ref() + " has no baseline"));
    List<WindowSnapshot> snapshots = DriftWindows.list(request.workspace(), mv, MAX_WINDOWS);
    String title = "Drift of " + Html.text(mv.ref());
    if (snapshots.isEmpty()) {
      return Response.page(title, "<h1>" + title + "</h1><p class=\"muted\">No stored windows; store closed windows"
          + " with DriftWindows.save. The baseline:</p>" + HtmlReports.histograms(baseline, Optional.empty()));
    }
    PredictionMonitor monitor = PredictionMonitor.builder(baseline).build();
    List<DriftReport> reports = new ArrayList<>();
    for (WindowSnapshot w : snapshots) {
      reports.add(monitor.evaluate(w));
    }
    return Response.page(title, "<h1>" + title + "</h1>" + HtmlReports.driftBody(baseline, reports));
  }
}

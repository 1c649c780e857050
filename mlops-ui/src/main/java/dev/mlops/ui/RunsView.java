package dev.mlops.ui;

import dev.mlops.NotFoundException;
import dev.mlops.RunId;
import dev.mlops.RunInfo;
import dev.mlops.RunPage;
import dev.mlops.RunQuery;
import dev.mlops.RunStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code /runs}: runs of one or all experiments, one page at a time through
 * {@link dev.mlops.Experiments#search} and its page tokens (one search call per request), sorted
 * by start time, a metric or a param, filtered by {@code f} expressions such as
 * {@code metric.accuracy>=0.9}, {@code param.lr=0.1}, {@code tag.team=vision},
 * {@code status=FINISHED}; tick runs to compare them. {@code /runs/<id>}: one run with its
 * metric curves.
 *
 * <p>Immutable and thread-safe.
 */
final class RunsView implements View {
  static final int DEFAULT_PAGE = 50;
  static final int MAX_PAGE = 500;
  private static final int METRIC_COLUMNS = 8;
  private static final int PARAM_COLUMNS = 6;
  private static final Pattern FILTER =
      Pattern.compile("(metric|param|tag)\\.([A-Za-z0-9][A-Za-z0-9._-]{0,127})(<=|>=|!=|=|<|>)(.*)", Pattern.DOTALL);
  private static final Pattern STATUS = Pattern.compile("status(!=|=)([A-Za-z]+)");

  @Override
  public String path() {
    return "/runs";
  }

  @Override
  public Optional<String> navLabel() {
    return Optional.of("Runs");
  }

  @Override
  public Response render(Request request) {
    return switch (request.segments().size()) {
      case 0 -> list(request);
      case 1 -> run(request, request.segments().get(0));
      default -> throw new NotFoundException("no page at /runs/" + Request.clip(String.join("/", request.segments())));
    };
  }

  private Response list(Request request) {
    RunQuery.Builder q = RunQuery.builder();
    List<String> experiments = request.params("experiment");
    experiments.forEach(q::experiment);
    String sort = request.param("sort").orElse("start");
    String order = request.param("order").orElse("desc");
    if (!order.equals("asc") && !order.equals("desc")) {
      throw new IllegalArgumentException("query parameter order='" + Request.clip(order) + "' must be asc or desc");
    }
    boolean desc = order.equals("desc");
    if (sort.equals("start") && desc) {
      // no explicit order: newest first by run id (ids begin with the creation time), which the
      // store pages through reading only the page's runs, however many runs there are
    } else if (sort.equals("start")) {
      q.orderByStartTime(false);
    } else if (sort.startsWith("metric.")) {
      q.orderByMetric(sort.substring(7), desc);
    } else if (sort.startsWith("param.")) {
      q.orderByParam(sort.substring(6), desc);
    } else {
      throw new IllegalArgumentException("query parameter sort='" + Request.clip(sort)
          + "' must be start, metric.<key> or param.<key>");
    }
    List<String> filters = request.params("f");
    for (String f : filters) {
      addFilter(q, f);
    }
    int size = request.intParam("size", DEFAULT_PAGE, 1, MAX_PAGE);
    q.pageSize(size);
    request.param("page").ifPresent(q::pageToken);
    RunPage page = request.workspace().experiments().search(q.build());

    StringBuilder sb = new StringBuilder("<h1>Runs")
        .append(experiments.isEmpty() ? "" : " of " + Html.text(String.join(", ", experiments))).append("</h1>");
    sb.append("<form class=\"filter\" method=\"get\" action=\"/runs\">experiment <input name=\"experiment\" value=\"")
        .append(Html.text(experiments.isEmpty() ? "" : experiments.get(0))).append("\"> filter <input name=\"f\" size=\"28\" ")
        .append("placeholder=\"metric.acc&gt;=0.9\" value=\"").append(Html.text(filters.isEmpty() ? "" : filters.get(0)))
        .append("\"> per page <input name=\"size\" size=\"4\" value=\"").append(size).append("\">")
        .append("<input type=\"hidden\" name=\"sort\" value=\"").append(Html.text(sort)).append("\">")
        .append("<input type=\"hidden\" name=\"order\" value=\"").append(order).append("\">")
        .append(" <button>Apply</button></form>");
    List<RunInfo> runs = page.runs();
    if (runs.isEmpty()) {
      sb.append("<p class=\"muted\" id=\"no-runs\">No runs match.</p>");
      return Response.page("Runs", sb.toString());
    }
    TreeSet<String> metricKeys = new TreeSet<>();
    TreeSet<String> paramKeys = new TreeSet<>();
    runs.forEach(r -> {
      metricKeys.addAll(r.latestMetrics().keySet());
      paramKeys.addAll(r.params().keySet());
    });
    List<String> metricCols = metricKeys.stream().limit(METRIC_COLUMNS).toList();
    List<String> paramCols = paramKeys.stream().limit(PARAM_COLUMNS).toList();
    Map<String, List<String>> base = new TreeMap<>();
    base.put("experiment", experiments);
    base.put("f", filters);
    base.put("size", List.of(Integer.toString(size)));
    sb.append("<form method=\"get\" action=\"/compare\"><table id=\"runs\"><tr><th></th><th>name</th><th>experiment</th>")
        .append("<th>status</th><th>").append(sortLink(base, "start", "started", sort, desc)).append("</th>");
    for (String m : metricCols) {
      sb.append("<th>").append(sortLink(base, "metric." + m, m, sort, desc)).append("</th>");
    }
    for (String p : paramCols) {
      sb.append("<th>").append(sortLink(base, "param." + p, p, sort, desc)).append("</th>");
    }
    sb.append("</tr>");
    for (RunInfo r : runs) {
      sb.append("<tr class=\"run\"><td><input type=\"checkbox\" name=\"run\" value=\"").append(Html.text(r.id().value()))
          .append("\"></td><td class=\"run-name\">").append(HtmlReports.runLink(r, true)).append("</td><td>")
          .append(Html.text(r.experiment())).append("</td><td>").append(r.status()).append("</td><td>")
          .append(r.startedAt()).append("</td>");
      for (String m : metricCols) {
        Double v = r.latestMetrics().get(m);
        sb.append("<td class=\"num metric\">").append(v == null ? "" : Html.number(v)).append("</td>");
      }
      for (String p : paramCols) {
        sb.append("<td>").append(Html.text(r.params().getOrDefault(p, ""))).append("</td>");
      }
      sb.append("</tr>");
    }
    sb.append("</table><button id=\"compare\">Compare selected</button></form>");
    sb.append("<p class=\"pager\">");
    if (request.param("page").isPresent()) {
      sb.append("<a id=\"first-page\" href=\"").append(Html.text(link(base, sort, order, null))).append("\">First page</a>");
    }
    page.nextPageToken().ifPresent(t -> sb.append("<a id=\"next-page\" href=\"")
        .append(Html.text(link(base, sort, order, t))).append("\">Next page</a>"));
    sb.append("<span class=\"muted\">").append(runs.size()).append(" runs on this page</span></p>");
    return Response.page("Runs", sb.toString());
  }

  private static void addFilter(RunQuery.Builder q, String f) {
    Matcher s = STATUS.matcher(f);
    if (s.matches()) {
      RunStatus status;
      try {
        status = RunStatus.valueOf(s.group(2).toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("filter '" + Request.clip(f) + "': status must be one of "
            + List.of(RunStatus.values()), e);
      }
      if (!s.group(1).equals("=")) {
        throw new IllegalArgumentException("filter '" + Request.clip(f) + "': status filters take = only");
      }
      q.status(status);
      return;
    }
    Matcher m = FILTER.matcher(f);
    if (!m.matches()) {
      throw new IllegalArgumentException("filter '" + Request.clip(f) + "' is not <metric|param|tag>.<key><op><value>"
          + " (op one of = != < <= > >=) or status=<STATUS>");
    }
    RunQuery.Op op = switch (m.group(3)) {
      case "=" -> RunQuery.Op.EQ;
      case "!=" -> RunQuery.Op.NE;
      case "<" -> RunQuery.Op.LT;
      case "<=" -> RunQuery.Op.LE;
      case ">" -> RunQuery.Op.GT;
      default -> RunQuery.Op.GE;
    };
    String key = m.group(2);
    String value = m.group(4);
    switch (m.group(1)) {
      case "metric" -> {
        double v;
        try {
          v = Double.parseDouble(value);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("filter '" + Request.clip(f) + "': '" + Request.clip(value)
              + "' is not a number", e);
        }
        q.metric(key, op, v);
      }
      case "param" -> q.param(key, op, value);
      default -> {
        if (op != RunQuery.Op.EQ) {
          throw new IllegalArgumentException("filter '" + Request.clip(f) + "': tags compare with = only");
        }
        q.tag(key, value);
      }
    }
  }

  private static String sortLink(Map<String, List<String>> base, String key, String label, String sort, boolean desc) {
    boolean current = key.equals(sort);
    String nextOrder = current && desc ? "asc" : "desc";
    return "<a class=\"sort\" data-sort=\"" + Html.text(key) + "\" href=\"" + Html.text(link(base, key, nextOrder, null))
        + "\">" + Html.text(label) + (current ? (desc ? " \u25bc" : " \u25b2") : "") + "</a>";
  }

  static String link(Map<String, List<String>> base, String sort, String order, String token) {
    List<String> parts = new ArrayList<>();
    base.forEach((k, vs) -> vs.forEach(v -> parts.add(k + "=" + Html.url(v))));
    parts.add("sort=" + Html.url(sort));
    parts.add("order=" + order);
    if (token != null) {
      parts.add("page=" + Html.url(token));
    }
    return "/runs?" + String.join("&", parts);
  }

  private Response run(Request request, String idText) {
    RunId id = RunId.of(idText);
    RunInfo r = request.workspace().experiments().getRun(id);
    StringBuilder sb = new StringBuilder("<h1>Run <span id=\"run-name\">").append(Html.text(HtmlReports.runLabel(r)))
        .append("</span></h1><table>");
    sb.append("<tr><th>id</th><td><code>").append(Html.text(r.id().value())).append("</code></td></tr>");
    sb.append("<tr><th>experiment</th><td><a href=\"/runs?experiment=").append(Html.text(Html.url(r.experiment())))
        .append("\">").append(Html.text(r.experiment())).append("</a></td></tr>");
    sb.append("<tr><th>status</th><td>").append(r.status())
        .append(r.statusReason().map(s -> " \u2013 " + Html.text(s)).orElse("")).append("</td></tr>");
    sb.append("<tr><th>started</th><td>").append(r.startedAt()).append("</td></tr>");
    sb.append("<tr><th>ended</th><td>").append(r.endedAt().map(Object::toString).orElse("running")).append("</td></tr>");
    sb.append("<tr><th>provenance</th><td>").append(Html.text(r.provenance().user() + "@" + r.provenance().host()
        + ", " + r.provenance().jvm() + r.provenance().gitCommit().map(g -> ", git " + g).orElse(""))).append("</td></tr>");
    sb.append("</table><h2>Parameters</h2>").append(HtmlReports.mapTable(r.params()));
    sb.append("<h2>Latest metrics</h2>");
    Map<String, String> metrics = new TreeMap<>();
    r.latestMetrics().forEach((k, v) -> metrics.put(k, Html.number(v)));
    sb.append(HtmlReports.mapTable(metrics));
    sb.append("<h2>Tags</h2>").append(HtmlReports.mapTable(r.tags()));
    if (!r.artifacts().isEmpty()) {
      sb.append("<h2>Artifacts</h2><table>");
      new TreeMap<>(r.artifacts()).forEach((k, a) -> sb.append("<tr><th>").append(Html.text(k)).append("</th><td><code>")
          .append(Html.text(a.digest().toString())).append("</code> ").append(a.size()).append(" bytes</td></tr>"));
      sb.append("</table>");
    }
    sb.append(HtmlReports.metricCharts(request.workspace(), List.of(r), new TreeSet<>(r.latestMetrics().keySet())));
    return Response.page("Run " + Html.text(HtmlReports.runLabel(r)), sb.toString());
  }
}

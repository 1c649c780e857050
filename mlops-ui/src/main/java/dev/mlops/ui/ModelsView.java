package dev.mlops.ui;

import dev.mlops.ApprovalStatus;
import dev.mlops.ModelVersion;
import dev.mlops.Names;
import dev.mlops.NotFoundException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;

/**
 * {@code /models}: models (paged by name); {@code /models/<name>}: its versions, aliases, approval
 * status and audit trail with the hash chain's verify status; {@code /models/<name>/<version>}:
 * one version (lineage, approval, aliases, artifacts, audit). When the server allows writes, a
 * pending version has an approve/reject form posting to {@code /models/<name>/<version>/review},
 * which calls {@link dev.mlops.ModelRegistry#review} (so the workspace's policies apply).
 *
 * <p>Immutable and thread-safe.
 */
final class ModelsView implements View {
  @Override
  public String path() {
    return "/models";
  }

  @Override
  public Optional<String> navLabel() {
    return Optional.of("Models");
  }

  @Override
  public Response render(Request request) {
    List<String> s = request.segments();
    if (s.size() == 3 && s.get(2).equals("review")) {
      return review(request, s.get(0), version(s.get(1)));
    }
    if (request.method().equals("POST")) {
      throw new UiServer.HttpError(405, "only /models/<name>/<version>/review accepts POST");
    }
    return switch (s.size()) {
      case 0 -> list(request);
      case 1 -> model(request, s.get(0));
      case 2 -> {
        ModelVersion mv = request.workspace().registry().get(Names.requireValid("model name", s.get(0)), version(s.get(1)));
        yield Response.page("Model " + Html.text(mv.ref()),
            HtmlReports.modelVersionBody(request.workspace(), mv, true, request.writesAllowed()));
      }
      default -> throw new NotFoundException("no page at /models/" + Request.clip(String.join("/", s)));
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
    List<String> models = request.workspace().registry().models();
    int size = request.intParam("size", 100, 1, 1000);
    int offset = request.intParam("offset", 0, 0, Integer.MAX_VALUE);
    StringBuilder sb = new StringBuilder("<h1>Models</h1><table id=\"models\"><tr><th>model</th><th>versions</th>"
        + "<th>latest status</th><th>aliases</th></tr>");
    for (String m : models.subList(Math.min(offset, models.size()), Math.min(models.size(), offset + size))) {
      List<ModelVersion> versions = request.workspace().registry().versions(m);
      TreeSet<String> aliases = new TreeSet<>();
      versions.forEach(v -> v.aliases().forEach(a -> aliases.add(a + "\u2192" + v.version())));
      sb.append("<tr><td><a href=\"/models/").append(Html.text(Html.url(m))).append("\">").append(Html.text(m))
          .append("</a></td><td class=\"num\">").append(versions.size()).append("</td><td>")
          .append(versions.isEmpty() ? "" : HtmlReports.statusHtml(versions.get(versions.size() - 1).status()))
          .append("</td><td>").append(Html.text(String.join(", ", aliases))).append("</td></tr>");
    }
    sb.append("</table>");
    if (offset + size < models.size()) {
      sb.append("<p class=\"pager\"><a href=\"/models?offset=").append(offset + size).append("&amp;size=").append(size)
          .append("\">Next page</a></p>");
    }
    if (models.isEmpty()) {
      sb.append("<p class=\"muted\">No models registered.</p>");
    }
    return Response.page("Models", sb.toString());
  }

  private Response model(Request request, String model) {
    Names.requireValid("model name", model);
    List<ModelVersion> versions = request.workspace().registry().versions(model);
    if (versions.isEmpty()) {
      throw new NotFoundException("no model " + model);
    }
    StringBuilder sb = new StringBuilder("<h1>Model ").append(Html.text(model)).append("</h1>")
        .append("<table id=\"versions\"><tr><th>version</th><th>status</th><th>aliases</th><th>created</th>")
        .append("<th>by</th><th>training run</th><th>description</th></tr>");
    for (int i = versions.size() - 1; i >= 0; i--) {
      ModelVersion v = versions.get(i);
      sb.append("<tr><td><a href=\"/models/").append(Html.text(Html.url(model))).append('/').append(v.version())
          .append("\">").append(v.version()).append("</a></td><td>").append(HtmlReports.statusHtml(v.status()))
          .append("</td><td>").append(Html.text(String.join(", ", new TreeSet<>(v.aliases())))).append("</td><td>")
          .append(v.createdAt()).append("</td><td>").append(Html.text(v.createdBy())).append("</td><td>")
          .append(v.lineage().trainingRun().map(r -> "<a href=\"/runs/" + Html.text(Html.url(r.value())) + "\">"
              + Html.text(r.value()) + "</a>").orElse("")).append("</td><td>").append(Html.text(v.description()))
          .append("</td></tr>");
    }
    sb.append("</table>");
    sb.append(HtmlReports.auditBody(request.workspace(), model, Optional.empty()));
    return Response.page("Model " + Html.text(model), sb.toString());
  }

  private Response review(Request request, String model, int version) {
    if (!request.method().equals("POST")) {
      throw new UiServer.HttpError(405, "review with POST from the version page");
    }
    if (!request.writesAllowed()) {
      throw new UiServer.HttpError(405, "this UI is read-only");
    }
    String actor = request.param("actor").orElseThrow(() -> new IllegalArgumentException("actor is required"));
    String decision = request.param("decision").orElse("");
    ApprovalStatus status;
    try {
      status = ApprovalStatus.valueOf(decision.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("decision '" + Request.clip(decision) + "' must be APPROVED or REJECTED", e);
    }
    if (status == ApprovalStatus.PENDING_MANUAL_APPROVAL) {
      throw new IllegalArgumentException("decision must be APPROVED or REJECTED");
    }
    Names.requireValid("model name", model);
    request.workspace().registry().review(model, version, status, actor, request.param("comment").orElse(""));
    return Response.redirect("/models/" + Html.url(model) + "/" + version);
  }
}

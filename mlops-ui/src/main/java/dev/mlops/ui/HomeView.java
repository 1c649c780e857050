package dev.mlops.ui;

import dev.mlops.NotFoundException;
import java.util.List;

/**
 * {@code /}: the experiments (each linking to its runs) and the models. Lists names only: one
 * listing of experiment names and one of model names, whatever the number of runs.
 *
 * <p>Immutable and thread-safe.
 */
final class HomeView implements View {
  @Override
  public String path() {
    return "/";
  }

  @Override
  public Response render(Request request) {
    if (!request.segments().isEmpty()) {
      throw new NotFoundException("no page at /" + Request.clip(String.join("/", request.segments())));
    }
    List<String> experiments = request.workspace().experiments().experimentNames();
    StringBuilder sb = new StringBuilder("<h1>Experiments</h1>");
    if (experiments.isEmpty()) {
      sb.append("<p class=\"muted\">No experiments yet.</p>");
    } else {
      sb.append("<table id=\"experiments\"><tr><th>experiment</th></tr>");
      for (String e : experiments) {
        sb.append("<tr><td><a class=\"experiment\" href=\"/runs?experiment=").append(Html.text(Html.url(e)))
            .append("\">").append(Html.text(e)).append("</a></td></tr>");
      }
      sb.append("</table>");
    }
    sb.append("<p><a href=\"/runs\">All runs</a> \u00b7 <a href=\"/models\">Models</a> \u00b7 "
        + "<a href=\"/features\">Feature views</a> \u00b7 <a href=\"/drift\">Drift</a></p>");
    return Response.page("Experiments", sb.toString());
  }
}

package dev.mlops.ui;

import dev.mlops.NotFoundException;
import java.util.Optional;

/**
 * {@code /features}: every feature view, linked, and a form to open one by name
 * ({@code ?view=<name>}); {@code /features/<view>}: its definition and version history (the
 * same content as {@link HtmlReports#featureView}).
 *
 * <p>Immutable and thread-safe.
 */
final class FeaturesView implements View {
  @Override
  public String path() {
    return "/features";
  }

  @Override
  public Optional<String> navLabel() {
    return Optional.of("Feature views");
  }

  @Override
  public Response render(Request request) {
    return switch (request.segments().size()) {
      case 0 -> {
        Optional<String> view = request.param("view");
        if (view.isPresent()) {
          yield Response.redirect("/features/" + Html.url(view.get()));
        }
        StringBuilder list = new StringBuilder("<h1>Feature views</h1>");
        java.util.List<String> names = request.workspace().features().viewNames();
        if (names.isEmpty()) {
          list.append("<p class=\"muted\">No feature views yet.</p>");
        } else {
          list.append("<ul>");
          for (String name : names) {
            list.append("<li><a href=\"/features/").append(Html.url(name)).append("\">").append(Html.text(name))
                .append("</a></li>");
          }
          list.append("</ul>");
        }
        yield Response.page("Feature views", list + "<form method=\"get\" action=\"/features\">"
            + "view name <input name=\"view\" required> <button>Open</button></form>");
      }
      case 1 -> Response.page("Feature view " + Html.text(request.segments().get(0)),
          HtmlReports.featureViewBody(request.workspace(), request.segments().get(0)));
      default -> throw new NotFoundException("no page at /features/" + Request.clip(String.join("/", request.segments())));
    };
  }
}

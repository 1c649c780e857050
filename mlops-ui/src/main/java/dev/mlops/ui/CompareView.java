package dev.mlops.ui;

import dev.mlops.RunId;
import java.util.List;
import java.util.Optional;

/**
 * {@code /compare?run=<id>&run=<id>}: two to ten runs side by side (the same content as
 * {@link HtmlReports#runComparison}).
 *
 * <p>Immutable and thread-safe.
 */
final class CompareView implements View {
  @Override
  public String path() {
    return "/compare";
  }

  @Override
  public Optional<String> navLabel() {
    return Optional.empty();
  }

  @Override
  public Response render(Request request) {
    if (!request.segments().isEmpty()) {
      throw new dev.mlops.NotFoundException("no page at /compare/" + Request.clip(String.join("/", request.segments())));
    }
    List<String> ids = request.params("run");
    if (ids.size() < 2 || ids.size() > 10) {
      throw new IllegalArgumentException("compare needs 2 to 10 runs (query parameter run, repeated); got " + ids.size());
    }
    List<RunId> runs = ids.stream().map(RunId::of).toList();
    return Response.page("Compare runs", "<h1>Compare " + runs.size() + " runs</h1>"
        + HtmlReports.comparisonBody(request.workspace(), runs, true));
  }
}

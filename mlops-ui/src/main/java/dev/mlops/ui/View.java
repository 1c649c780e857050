package dev.mlops.ui;

import java.util.Optional;

/**
 * One page family of the UI, served under a path prefix: {@code /runs} serves {@code /runs} and
 * {@code /runs/<anything>}. Adding a view (pipelines, deployments, model cards, ...) is one class
 * implementing this interface plus one registration, {@link UiOptions.Builder#view(View)} (or a
 * line in the built-in list of {@link UiServer}).
 *
 * <p>A view reads through {@link Request#workspace()} only, renders server-side HTML, and
 * escapes every user-supplied string (see {@link Request#escape(String)}). It signals bad input
 * by throwing {@link IllegalArgumentException} (answered 400) and a missing object by throwing
 * {@link dev.mlops.NotFoundException} (answered 404); any other exception is answered 500 with a
 * short message, never a stack trace.
 *
 * <p>Implementations must be thread-safe: the server calls them from several threads.
 */
public interface View {
  /**
   * @return the path prefix this view serves, starting with {@code /} and without a trailing
   *     {@code /} (only the home view is {@code /})
   */
  String path();

  /** @return the label of this view in the navigation bar, or empty to stay out of it */
  default Optional<String> navLabel() {
    return Optional.empty();
  }

  /**
   * Renders a page.
   *
   * @param request the request, with the path below {@link #path()} and its query parameters
   * @return the page
   * @throws IllegalArgumentException on malformed input (400)
   * @throws dev.mlops.NotFoundException if the object asked for does not exist (404)
   */
  Response render(Request request);
}

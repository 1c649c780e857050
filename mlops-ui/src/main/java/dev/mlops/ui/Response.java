package dev.mlops.ui;

import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link View} answers: an HTML page (title and body, which the server wraps in the common
 * layout) or a redirect after a write.
 *
 * <p>Immutable and thread-safe.
 *
 * @param title the page title, already escaped
 * @param body the page body HTML
 * @param redirect where to send the browser instead (303), if present
 */
public record Response(String title, String body, Optional<String> redirect) {
  /** @throws NullPointerException if a component is null */
  public Response {
    Objects.requireNonNull(title, "title");
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(redirect, "redirect");
  }

  /**
   * @param title page title, already escaped
   * @param body body HTML
   * @return a 200 page
   */
  public static Response page(String title, String body) {
    return new Response(title, body, Optional.empty());
  }

  /**
   * @param location a path of this server
   * @return a 303 redirect
   */
  public static Response redirect(String location) {
    return new Response("", "", Optional.of(location));
  }
}

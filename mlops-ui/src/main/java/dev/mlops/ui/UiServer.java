package dev.mlops.ui;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.mlops.ConflictException;
import dev.mlops.MlopsException;
import dev.mlops.NotFoundException;
import dev.mlops.Workspace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local web UI: server-rendered pages over a {@link Workspace} on the JDK's
 * {@code com.sun.net.httpserver.HttpServer}. Bound to {@code 127.0.0.1} by default and read-only
 * unless {@link UiOptions#allowWrites()}; requests whose {@code Host} is not a loopback name are
 * refused while bound to loopback (no DNS rebinding), and every page carries a
 * Content-Security-Policy that allows no script.
 *
 * <p>Errors never show a stack trace: malformed input is a 400 page, a missing run or model a 404
 * page, anything else a 500 page with a one-line message (the exception goes to the SLF4J log).
 *
 * <p>Thread-safe. {@link #close()} stops the server; the workspace stays open (the caller owns it).
 */
public final class UiServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(UiServer.class);
  private static final int THREADS = 4;

  private final HttpServer server;
  private final ExecutorService executor;
  private final Workspace workspace;
  private final UiOptions options;
  private final List<View> views;
  private final String nav;
  private final boolean loopbackOnly;

  private UiServer(HttpServer server, ExecutorService executor, Workspace workspace, UiOptions options,
      List<View> views, boolean loopbackOnly) {
    this.server = server;
    this.executor = executor;
    this.workspace = workspace;
    this.options = options;
    this.views = views;
    this.loopbackOnly = loopbackOnly;
    StringBuilder sb = new StringBuilder("<a class=\"brand\" href=\"/\">mlops</a>");
    for (View v : views) {
      v.navLabel().ifPresent(l -> sb.append("<a href=\"").append(Html.text(v.path())).append("\">")
          .append(Html.text(l)).append("</a>"));
    }
    sb.append("<span class=\"muted\">").append(Html.text(workspace.uri().toString()))
        .append(options.allowWrites() ? "" : " (read-only)").append("</span>");
    this.nav = sb.toString();
  }

  /** The built-in views, in navigation order. Add a view here or through {@link UiOptions.Builder#view}. */
  static List<View> builtInViews() {
    return List.of(new HomeView(), new RunsView(), new CompareView(), new ModelsView(), new FeaturesView(),
        new DriftView());
  }

  /**
   * Starts serving.
   *
   * @param workspace the store to show (not closed by the server)
   * @param options bind address, port, writes, extra views
   * @return the running server
   * @throws IllegalArgumentException if two views claim one path or the address does not resolve
   * @throws UncheckedIOException if the port cannot be bound
   */
  public static UiServer start(Workspace workspace, UiOptions options) {
    Objects.requireNonNull(workspace, "workspace");
    Objects.requireNonNull(options, "options");
    List<View> all = new ArrayList<>(builtInViews());
    all.addAll(options.views());
    Set<String> paths = new HashSet<>();
    for (View v : all) {
      String p = v.path();
      if (!p.startsWith("/") || (p.length() > 1 && p.endsWith("/")) || !paths.add(p)) {
        throw new IllegalArgumentException("view " + v.getClass().getName() + " has path '" + p
            + "': it must start with '/', not end with '/', and differ from " + paths);
      }
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(options.bindAddress());
    } catch (IOException e) {
      throw new IllegalArgumentException("bind address '" + options.bindAddress() + "' does not resolve", e);
    }
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(address, options.port()), 0);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot listen on " + options.bindAddress() + ":" + options.port(), e);
    }
    AtomicInteger n = new AtomicInteger();
    ExecutorService executor = Executors.newFixedThreadPool(THREADS, r -> {
      Thread t = new Thread(r, "mlops-ui-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    UiServer ui = new UiServer(server, executor, workspace, options, List.copyOf(all), address.isLoopbackAddress());
    server.createContext("/", ui::handle);
    server.start();
    LOG.info("mlops UI serving {} at {}{}", workspace.uri(), ui.uri(), options.allowWrites() ? " (writes allowed)" : "");
    return ui;
  }

  /** @return the port listened on */
  public int port() {
    return server.getAddress().getPort();
  }

  /** @return the base URI, e.g. {@code http://127.0.0.1:8080/} */
  public URI uri() {
    String host = server.getAddress().getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + port() + "/");
  }

  /** Stops listening (requests in flight are cut off) and stops the server's threads. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdown();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void handle(HttpExchange ex) {
    try (ex) {
      int status;
      String html;
      String location = null;
      try {
        Response r = dispatch(ex);
        if (r.redirect().isPresent()) {
          status = 303;
          location = r.redirect().get();
          html = "";
        } else {
          status = 200;
          html = Layout.document(r.title().isEmpty() ? "mlops" : r.title() + " \u2013 mlops", nav, r.body());
        }
      } catch (HttpError e) {
        status = e.status;
        html = errorPage(e.status, e.getMessage());
      } catch (NotFoundException e) {
        status = 404;
        html = errorPage(404, e.getMessage());
      } catch (IllegalArgumentException e) {
        status = 400;
        html = errorPage(400, e.getMessage());
      } catch (ConflictException | UnsupportedOperationException | IllegalStateException e) {
        status = 409;
        html = errorPage(409, e.getMessage());
      } catch (MlopsException e) {
        LOG.warn("mlops UI: {} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
        status = 500;
        html = errorPage(500, e.getClass().getSimpleName() + ": " + e.getMessage());
      } catch (RuntimeException | StackOverflowError e) {
        LOG.error("mlops UI: {} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
        status = 500;
        html = errorPage(500, "internal error (" + e.getClass().getSimpleName() + "); the server log has the details");
      }
      byte[] body = html.getBytes(StandardCharsets.UTF_8);
      var h = ex.getResponseHeaders();
      h.set("Content-Type", "text/html; charset=utf-8");
      h.set("Content-Security-Policy", Layout.CSP);
      h.set("X-Content-Type-Options", "nosniff");
      h.set("Referrer-Policy", "no-referrer");
      h.set("Cache-Control", "no-store");
      if (location != null) {
        h.set("Location", location);
      }
      boolean head = ex.getRequestMethod().equals("HEAD");
      ex.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
      if (!head && body.length > 0) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(body);
        }
      }
    } catch (IOException e) {
      LOG.debug("mlops UI: client went away: {}", e.toString());
    } catch (RuntimeException e) {
      LOG.error("mlops UI: could not answer {}", ex.getRequestURI(), e);
    }
  }

  private String errorPage(int status, String message) {
    String title = switch (status) {
      case 400 -> "Bad request";
      case 403 -> "Forbidden";
      case 404 -> "Not found";
      case 405 -> "Method not allowed";
      case 409 -> "Refused";
      case 413 -> "Too large";
      default -> "Error";
    };
    return Layout.document(status + " " + title + " \u2013 mlops", nav,
        "<h1>" + status + " " + title + "</h1><p class=\"error\">" + Html.text(message == null ? "" : message)
            + "</p><p><a href=\"/\">Home</a></p>");
  }

  private Response dispatch(HttpExchange ex) throws IOException {
    if (loopbackOnly && !loopbackHost(ex.getRequestHeaders().getFirst("Host"))) {
      throw new HttpError(403, "this UI is bound to loopback and answers only requests for localhost / 127.0.0.1 / [::1]");
    }
    String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
    Map<String, List<String>> params = Request.parseQuery(ex.getRequestURI().getRawQuery());
    if (method.equals("POST")) {
      if (!options.allowWrites()) {
        throw new HttpError(405, "this UI is read-only; start it with writes allowed to change anything");
      }
      String origin = ex.getRequestHeaders().getFirst("Origin");
      String host = ex.getRequestHeaders().getFirst("Host");
      if (origin == null || host == null || !origin.equals("http://" + host)) {
        throw new HttpError(403, "a write must come from a page of this UI (Origin " + origin + ")");
      }
      params.putAll(Request.parseQuery(readBody(ex.getRequestBody())));
    } else if (!method.equals("GET") && !method.equals("HEAD")) {
      throw new HttpError(405, "method " + method + " is not supported");
    }
    String raw = ex.getRequestURI().getRawPath();
    List<String> segments = new ArrayList<>();
    for (String s : raw.split("/")) {
      if (!s.isEmpty()) {
        try {
          segments.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("malformed percent-encoding in path '" + Request.clip(raw) + "'", e);
        }
      }
    }
    View view = views.stream()
        .filter(v -> matches(v.path(), segments))
        .max(Comparator.comparingInt(v -> v.path().length()))
        .orElseThrow(() -> new NotFoundException("no page at " + Request.clip(raw)));
    int depth = view.path().equals("/") ? 0 : view.path().substring(1).split("/").length;
    Request request = new Request(workspace, method, segments.subList(depth, segments.size()), params,
        options.allowWrites());
    return view.render(request);
  }

  private static boolean matches(String path, List<String> segments) {
    if (path.equals("/")) {
      return true;
    }
    String[] p = path.substring(1).split("/");
    if (segments.size() < p.length) {
      return false;
    }
    for (int i = 0; i < p.length; i++) {
      if (!p[i].equals(segments.get(i))) {
        return false;
      }
    }
    return true;
  }

  private static String readBody(InputStream in) throws IOException {
    byte[] b = in.readNBytes(Request.MAX_QUERY_CHARS + 1);
    if (b.length > Request.MAX_QUERY_CHARS) {
      throw new HttpError(413, "form body over " + Request.MAX_QUERY_CHARS + " bytes");
    }
    return new String(b, StandardCharsets.UTF_8);
  }

  private static boolean loopbackHost(String host) {
    if (host == null) {
      return false;
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[")) {
      return h.startsWith("[::1]");
    }
    int colon = h.indexOf(':');
    String name = colon < 0 ? h : h.substring(0, colon);
    return name.equals("localhost") || name.equals("127.0.0.1");
  }

  /** An HTTP error with its status, for the cases no mlops exception describes. */
  static final class HttpError extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    HttpError(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }
}

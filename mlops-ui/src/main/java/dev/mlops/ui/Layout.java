package dev.mlops.ui;

/**
 * The HTML document around every page and report: inline CSS, no script, and a
 * Content-Security-Policy that forbids scripts and every network fetch, so a report opened from
 * disk loads nothing and runs nothing even if a value escaped the escaping.
 *
 * <p>Immutable and thread-safe (static functions only).
 */
final class Layout {
  static final String CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self';"
      + " base-uri 'none'; frame-ancestors 'none'";

  private static final String CSS = """
      body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#222;background:#fafafa}
      header{background:#263238;color:#fff;padding:8px 16px;display:flex;gap:18px;align-items:center}
      header a{color:#cfd8dc;text-decoration:none}header a:hover{color:#fff}
      header .brand{font-weight:bold;color:#fff}
      main{padding:12px 20px;max-width:1400px}
      table{border-collapse:collapse;margin:8px 0 16px;background:#fff;font-size:13px}
      th,td{border:1px solid #ddd;padding:4px 8px;text-align:left;vertical-align:top;max-width:420px;overflow-wrap:anywhere}
      th{background:#eceff1}th a{color:#000}
      td.num{text-align:right;font-variant-numeric:tabular-nums}
      .diff{background:#fff3cd}
      .ok{color:#1e7e34;font-weight:bold}.bad{color:#c0392b;font-weight:bold}.warn{color:#b7950b;font-weight:bold}
      .muted{color:#777}.trunc{color:#c0392b;font-style:italic}
      .charts{display:flex;flex-wrap:wrap;gap:12px}
      svg.chart{background:#fff;border:1px solid #ddd}
      form.inline{display:inline}
      .pager a{margin-right:12px}
      code{background:#eee;padding:0 3px}
      """;

  private Layout() {}

  /**
   * @param title page title (user-supplied parts must already be escaped)
   * @param nav navigation HTML, or empty
   * @param body body HTML
   * @return the whole document
   */
  static String document(String title, String nav, String body) {
    return "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        + "<meta http-equiv=\"Content-Security-Policy\" content=\"" + CSP + "\">"
        + "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        + "<title>" + title + "</title><style>" + CSS + "</style></head><body>"
        + (nav.isEmpty() ? "" : "<header>" + nav + "</header>")
        + "<main>" + body + "</main></body></html>\n";
  }
}

/**
 * Seeing a store: {@link dev.mlops.ui.HtmlReports} renders self-contained HTML reports (inline
 * SVG charts, no script, no network), and {@link dev.mlops.ui.UiServer} serves a local read-only
 * web UI over a {@link dev.mlops.Workspace} (experiments and runs, run comparison, models and
 * audit, feature views, drift). New pages are {@link dev.mlops.ui.View}s.
 */
package dev.mlops.ui;

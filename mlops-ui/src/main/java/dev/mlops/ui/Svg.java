package dev.mlops.ui;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Inline SVG charts, generated as text: no script, no external resource, so a report stays one
 * self-contained file. Every label goes through {@link Html#text}. Elements carry classes the
 * browser tests count: {@code bar-baseline}/{@code bar-current} (one rect per bin each),
 * {@code series} (one polyline per curve), {@code marker-warning}/{@code marker-drift}.
 *
 * <p>Immutable and thread-safe (static functions only).
 */
final class Svg {
  static final String[] PALETTE = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
      "#7f7f7f", "#bcbd22", "#17becf"};
  private static final int W = 520;
  private static final int H = 220;
  private static final int LEFT = 48;
  private static final int RIGHT = 12;
  private static final int TOP = 24;
  private static final int BOTTOM = 42;

  private Svg() {}

  /** One curve of a line chart: a name and its (x, y) points. */
  record Series(String name, double[] x, double[] y) {}

  /** One window of a timeline: its label, a value in [0, 1] and its markers. */
  record Mark(String label, double value, boolean warning, boolean drift) {}

  /**
   * Baseline vs current histogram of one feature: per bin, the baseline's share and the window's
   * share side by side.
   *
   * @param title chart title (user-supplied, escaped)
   * @param labels one label per bin
   * @param baseline baseline probability per bin
   * @param current window count per bin (turned into shares)
   */
  static String histogram(String title, List<String> labels, double[] baseline, long[] current) {
    int bins = baseline.length;
    long total = 0;
    for (long c : current) {
      total += c;
    }
    double[] cur = new double[bins];
    for (int i = 0; i < bins && i < current.length; i++) {
      cur[i] = total == 0 ? 0 : (double) current[i] / total;
    }
    double max = 1e-9;
    for (int i = 0; i < bins; i++) {
      max = Math.max(max, Math.max(baseline[i], cur[i]));
    }
    StringBuilder sb = open(title, "histogram");
    double plotW = W - LEFT - RIGHT;
    double plotH = H - TOP - BOTTOM;
    double slot = plotW / Math.max(1, bins);
    double barW = Math.max(1, slot * 0.4);
    axes(sb, 0, max, "share");
    for (int i = 0; i < bins; i++) {
      double x = LEFT + i * slot + slot * 0.1;
      double hb = plotH * baseline[i] / max;
      double hc = plotH * cur[i] / max;
      sb.append("<rect class=\"bar-baseline\" x=\"").append(Html.coord(x)).append("\" y=\"")
          .append(Html.coord(TOP + plotH - hb)).append("\" width=\"").append(Html.coord(barW)).append("\" height=\"")
          .append(Html.coord(hb)).append("\" fill=\"#9ab\"><title>baseline ").append(Html.text(label(labels, i)))
          .append(": ").append(Html.number(baseline[i])).append("</title></rect>");
      sb.append("<rect class=\"bar-current\" x=\"").append(Html.coord(x + barW)).append("\" y=\"")
          .append(Html.coord(TOP + plotH - hc)).append("\" width=\"").append(Html.coord(barW)).append("\" height=\"")
          .append(Html.coord(hc)).append("\" fill=\"#e67e22\"><title>current ").append(Html.text(label(labels, i)))
          .append(": ").append(Html.number(cur[i])).append("</title></rect>");
      if (bins <= 12) {
        String l = label(labels, i);
        sb.append("<text x=\"").append(Html.coord(LEFT + i * slot + slot / 2)).append("\" y=\"").append(H - BOTTOM + 14)
            .append("\" font-size=\"9\" text-anchor=\"middle\">")
            .append(Html.text(l.length() > 12 ? l.substring(0, 11) + "\u2026" : l)).append("</text>");
      }
    }
    legend(sb, List.of("baseline", "current window"), new String[] {"#9ab", "#e67e22"});
    return sb.append("</svg>").toString();
  }

  private static String label(List<String> labels, int i) {
    return i < labels.size() ? labels.get(i) : Integer.toString(i);
  }

  /**
   * Curves over steps (one polyline per series, drawn in the order given).
   *
   * @param title chart title (escaped)
   * @param series the curves; points with a non-finite y are skipped
   */
  static String lineChart(String title, List<Series> series) {
    double minX = Double.POSITIVE_INFINITY;
    double maxX = Double.NEGATIVE_INFINITY;
    double minY = Double.POSITIVE_INFINITY;
    double maxY = Double.NEGATIVE_INFINITY;
    for (Series s : series) {
      for (int i = 0; i < s.x().length; i++) {
        if (Double.isFinite(s.y()[i]) && Double.isFinite(s.x()[i])) {
          minX = Math.min(minX, s.x()[i]);
          maxX = Math.max(maxX, s.x()[i]);
          minY = Math.min(minY, s.y()[i]);
          maxY = Math.max(maxY, s.y()[i]);
        }
      }
    }
    StringBuilder sb = open(title, "line-chart");
    if (minX > maxX) {
      sb.append("<text x=\"").append(W / 2).append("\" y=\"").append(H / 2)
          .append("\" text-anchor=\"middle\">no finite values</text>");
      return sb.append("</svg>").toString();
    }
    if (maxY == minY) {
      maxY = minY + 1;
    }
    if (maxX == minX) {
      maxX = minX + 1;
    }
    axes(sb, minY, maxY, "value");
    double plotW = W - LEFT - RIGHT;
    double plotH = H - TOP - BOTTOM;
    sb.append("<text x=\"").append(LEFT).append("\" y=\"").append(H - BOTTOM + 14).append("\" font-size=\"9\">step ")
        .append(Html.number(minX)).append("</text><text x=\"").append(W - RIGHT).append("\" y=\"").append(H - BOTTOM + 14)
        .append("\" font-size=\"9\" text-anchor=\"end\">").append(Html.number(maxX)).append("</text>");
    List<String> names = new ArrayList<>();
    String[] colors = new String[series.size()];
    for (int k = 0; k < series.size(); k++) {
      Series s = series.get(k);
      colors[k] = PALETTE[k % PALETTE.length];
      names.add(s.name());
      sb.append("<polyline class=\"series\" fill=\"none\" stroke-width=\"1.5\" stroke=\"").append(colors[k])
          .append("\" points=\"");
      int points = Math.min(s.x().length, s.y().length);
      // at most ~2 points per pixel column: a run with a million steps still draws a small SVG
      int stride = Math.max(1, points / 1000);
      for (int i = 0; i < points; i += stride) {
        if (Double.isFinite(s.y()[i]) && Double.isFinite(s.x()[i])) {
          double px = LEFT + plotW * (s.x()[i] - minX) / (maxX - minX);
          double py = TOP + plotH - plotH * (s.y()[i] - minY) / (maxY - minY);
          sb.append(Html.coord(px)).append(',').append(Html.coord(py)).append(' ');
        }
      }
      sb.append("\"><title>").append(Html.text(s.name())).append("</title></polyline>");
    }
    legend(sb, names, colors);
    return sb.append("</svg>").toString();
  }

  /**
   * A timeline of windows: the drifted share of each window as a bar, with a marker above a
   * window whose detector warned ({@code marker-warning}, amber) or that drifted
   * ({@code marker-drift}, red).
   *
   * @param title chart title (escaped)
   * @param marks one per window, oldest first
   */
  static String timeline(String title, List<Mark> marks) {
    StringBuilder sb = open(title, "timeline");
    axes(sb, 0, 1, "drifted share");
    double plotW = W - LEFT - RIGHT;
    double plotH = H - TOP - BOTTOM;
    double slot = plotW / Math.max(1, marks.size());
    for (int i = 0; i < marks.size(); i++) {
      Mark m = marks.get(i);
      double v = Double.isFinite(m.value()) ? Math.max(0, Math.min(1, m.value())) : 0;
      double x = LEFT + i * slot;
      sb.append("<rect class=\"window\" x=\"").append(Html.coord(x + slot * 0.15)).append("\" y=\"")
          .append(Html.coord(TOP + plotH - plotH * v)).append("\" width=\"").append(Html.coord(Math.max(1, slot * 0.7)))
          .append("\" height=\"").append(Html.coord(plotH * v)).append("\" fill=\"#9ab\"><title>")
          .append(Html.text(m.label())).append(": ").append(Html.number(m.value())).append("</title></rect>");
      if (m.drift() || m.warning()) {
        String cls = m.drift() ? "marker-drift" : "marker-warning";
        String color = m.drift() ? "#c0392b" : "#f1c40f";
        sb.append("<circle class=\"").append(cls).append("\" cx=\"").append(Html.coord(x + slot / 2)).append("\" cy=\"")
            .append(TOP - 8).append("\" r=\"5\" fill=\"").append(color).append("\"><title>")
            .append(Html.text(m.label())).append(m.drift() ? ": drift" : ": warning").append("</title></circle>");
      }
    }
    legend(sb, List.of("warning", "drift"), new String[] {"#f1c40f", "#c0392b"});
    return sb.append("</svg>").toString();
  }

  private static StringBuilder open(String title, String kind) {
    StringBuilder sb = new StringBuilder(4096);
    sb.append("<svg class=\"chart ").append(kind).append("\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(W)
        .append("\" height=\"").append(H).append("\" viewBox=\"0 0 ").append(W).append(' ').append(H)
        .append("\" role=\"img\"><title>").append(Html.text(title)).append("</title>")
        .append("<text x=\"").append(LEFT).append("\" y=\"12\" font-size=\"11\" font-weight=\"bold\">")
        .append(Html.text(title)).append("</text>");
    return sb;
  }

  private static void axes(StringBuilder sb, double min, double max, String unit) {
    int plotBottom = H - BOTTOM;
    sb.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(TOP).append("\" x2=\"").append(LEFT).append("\" y2=\"")
        .append(plotBottom).append("\" stroke=\"#555\"/>");
    sb.append("<line x1=\"").append(LEFT).append("\" y1=\"").append(plotBottom).append("\" x2=\"").append(W - RIGHT)
        .append("\" y2=\"").append(plotBottom).append("\" stroke=\"#555\"/>");
    sb.append("<text x=\"").append(LEFT - 4).append("\" y=\"").append(TOP + 4)
        .append("\" font-size=\"9\" text-anchor=\"end\">").append(Html.number(max)).append("</text>");
    sb.append("<text x=\"").append(LEFT - 4).append("\" y=\"").append(plotBottom)
        .append("\" font-size=\"9\" text-anchor=\"end\">").append(Html.number(min)).append("</text>");
    sb.append(String.format(Locale.ROOT,
        "<text x=\"10\" y=\"%d\" font-size=\"9\" transform=\"rotate(-90 10 %d)\" text-anchor=\"middle\">%s</text>",
        (TOP + plotBottom) / 2, (TOP + plotBottom) / 2, Html.text(unit)));
  }

  private static void legend(StringBuilder sb, List<String> names, String[] colors) {
    int x = LEFT;
    int y = H - 10;
    for (int i = 0; i < names.size() && i < 10; i++) {
      sb.append("<rect class=\"legend\" x=\"").append(x).append("\" y=\"").append(y - 8).append("\" width=\"10\" height=\"10\" fill=\"")
          .append(colors[i]).append("\"/><text x=\"").append(x + 14).append("\" y=\"").append(y)
          .append("\" font-size=\"10\">");
      String n = names.get(i);
      sb.append(Html.text(n.length() > 28 ? n.substring(0, 27) + "\u2026" : n)).append("</text>");
      x += 22 + Math.min(28, n.length()) * 6;
      if (x > W - 60) {
        break;
      }
    }
  }
}

#include "report/internal/charts.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "report/internal/html.h"

namespace vivalink::report::internal {
namespace {

constexpr std::array<std::string_view, 10> kPalette = {"#4e79a7", "#f28e2b", "#e15759", "#76b7b2",
                                                       "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                                                       "#9c755f", "#7f7f7f"};
// After the palette runs out the lines are told apart by dashes as well.
constexpr std::array<std::string_view, 3> kDashes = {"", "6 3", "2 2"};

constexpr std::string_view kAxisColour = "#555";
constexpr std::string_view kGridColour = "#e3e3e3";
constexpr std::string_view kPositive = "#e0793a";
constexpr std::string_view kNegative = "#3f74a8";

std::string Num(double v) {
  if (!std::isfinite(v)) return "0";
  std::string s = fmt::format("{:.1f}", v);
  if (s == "-0.0") s = "0.0";
  return s;
}

struct Axis {
  double lo = 0;
  double hi = 1;
  std::vector<double> ticks;
  int decimals = 0;
};

// "Nice" ticks (1, 2, 5 times a power of ten) covering [lo, hi] with about `target` intervals.
Axis NiceAxis(double lo, double hi, int target) {
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    lo = 0;
    hi = 1;
  }
  if (hi < lo) std::swap(lo, hi);
  if (hi == lo) {
    const double pad = lo == 0 ? 1 : std::fabs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const double raw = (hi - lo) / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / mag;
  const double step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
  Axis axis;
  axis.lo = std::floor(lo / step) * step;
  axis.hi = std::ceil(hi / step) * step;
  for (double t = axis.lo; t <= axis.hi + step * 1e-9; t += step) {
    axis.ticks.push_back(std::fabs(t) < step * 1e-9 ? 0 : t);
  }
  axis.decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  return axis;
}

std::string OpenSvg(int width, int height, std::string_view title, std::string_view description,
                    std::string_view css_class) {
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"{}\" width=\"{}\" height=\"{}\" "
      "viewBox=\"0 0 {} {}\" role=\"img\" aria-label=\"{}\" font-family=\"system-ui, "
      "-apple-system, 'Segoe UI', Roboto, Arial, sans-serif\" font-size=\"11\">",
      css_class, width, height, width, height, Escape(title));
  out += "<title>" + Escape(title) + "</title>";
  if (!description.empty()) out += "<desc>" + Escape(description) + "</desc>";
  return out;
}

std::string Text(double x, double y, std::string_view text, std::string_view anchor,
                 std::string_view extra = "") {
  return fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"{}\"{}{}>{}</text>", Num(x), Num(y),
                     anchor, extra.empty() ? "" : " ", extra, Escape(text));
}

std::string YAxis(const Axis& axis, double left, double right, double top, double bottom,
                  std::string_view y_label, bool zero_line) {
  std::string out;
  const auto y_of = [&](double v) {
    return bottom - (v - axis.lo) / (axis.hi - axis.lo) * (bottom - top);
  };
  out += "<g class=\"grid\">";
  for (double t : axis.ticks) {
    const double y = y_of(t);
    out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/>", Num(left),
                       Num(y), Num(right), Num(y), t == 0 && zero_line ? kAxisColour : kGridColour);
    std::string label = FormatFixed(t, axis.decimals);
    out += Text(left - 6, y + 3.5, label, "end", "fill=\"#333\"");
  }
  out += "</g>";
  out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/>", Num(left),
                     Num(top), Num(left), Num(bottom), kAxisColour);
  if (!y_label.empty()) {
    const double cy = (top + bottom) / 2;
    out += fmt::format(
        "<text x=\"0\" y=\"0\" text-anchor=\"middle\" fill=\"#333\" "
        "transform=\"translate(12 {}) rotate(-90)\">{}</text>",
        Num(cy), Escape(Truncate(y_label, 40)));
  }
  return out;
}

}  // namespace

std::string_view SeriesColour(size_t i) { return kPalette[i % kPalette.size()]; }

std::string RenderLineChart(const LineChart& chart) {
  const size_t n = chart.x_labels.size();
  const double left = 64, legend_width = 200, top = 14, plot_width = 640, plot_height = 230;
  const double bottom = top + plot_height;
  const double right = left + plot_width;
  const int height = static_cast<int>(
      std::max(bottom + 52, top + 18.0 * static_cast<double>(chart.series.size()) + 10));
  const int width = static_cast<int>(right + 16 + legend_width);

  double lo = INFINITY, hi = -INFINITY;
  for (const auto& s : chart.series) {
    for (double v : s.values) {
      if (!std::isfinite(v)) continue;
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  const Axis axis = NiceAxis(lo, hi, 5);
  const auto x_of = [&](size_t i) {
    return n <= 1 ? left + plot_width / 2
                  : left + plot_width * static_cast<double>(i) / static_cast<double>(n - 1);
  };
  const auto y_of = [&](double v) {
    return bottom - (v - axis.lo) / (axis.hi - axis.lo) * plot_height;
  };

  std::string out = OpenSvg(width, height, chart.title, chart.description, "chart line-chart");
  out += YAxis(axis, left, right, top, bottom, chart.y_label, false);
  // X axis, with as many labels as fit without overlapping (about 70 px each).
  out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/>", Num(left),
                     Num(bottom), Num(right), Num(bottom), kAxisColour);
  const size_t every =
      std::max<size_t>(1, static_cast<size_t>(std::ceil(static_cast<double>(n) * 72 / plot_width)));
  for (size_t i = 0; i < n; ++i) {
    const double x = x_of(i);
    out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/>", Num(x),
                       Num(bottom), Num(x), Num(bottom + 4), kAxisColour);
    if (i % every == 0) {
      out += Text(x, bottom + 16, Truncate(chart.x_labels[i], 12), "middle", "fill=\"#333\"");
    }
  }
  if (!chart.x_label.empty()) {
    out += Text(left + plot_width / 2, bottom + 40, chart.x_label, "middle", "fill=\"#333\"");
  }

  for (size_t s = 0; s < chart.series.size(); ++s) {
    const LineSeries& series = chart.series[s];
    const std::string_view colour = SeriesColour(s);
    const std::string_view dash = kDashes[(s / kPalette.size()) % kDashes.size()];
    std::string path;
    bool pen_down = false;
    for (size_t i = 0; i < n && i < series.values.size(); ++i) {
      const double v = series.values[i];
      if (!std::isfinite(v)) {
        pen_down = false;  // a suppressed or missing week breaks the line
        continue;
      }
      path += fmt::format("{}{} {} ", pen_down ? "L" : "M", Num(x_of(i)), Num(y_of(v)));
      pen_down = true;
    }
    out += fmt::format("<g class=\"series\"><title>{}</title>", Escape(series.name));
    if (!path.empty()) {
      path.pop_back();
      out += fmt::format(
          "<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\" "
          "stroke-linejoin=\"round\"{}/>",
          path, colour,
          dash.empty() ? std::string() : fmt::format(" stroke-dasharray=\"{}\"", dash));
    }
    for (size_t i = 0; i < n && i < series.values.size(); ++i) {
      const double v = series.values[i];
      if (!std::isfinite(v)) continue;
      std::string tip = series.name + ", " + chart.x_labels[i] + ": " + FormatValue(v);
      if (i < series.notes.size() && !series.notes[i].empty()) tip += " (" + series.notes[i] + ")";
      out += fmt::format(
          "<circle cx=\"{}\" cy=\"{}\" r=\"2.6\" fill=\"{}\"><title>{}</title></circle>",
          Num(x_of(i)), Num(y_of(v)), colour, Escape(tip));
    }
    out += "</g>";
    // Legend entry.
    const double ly = top + 6 + 18.0 * static_cast<double>(s);
    const double lx = right + 16;
    out += fmt::format(
        "<g class=\"legend\"><title>{}</title><line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" "
        "stroke=\"{}\" stroke-width=\"3\"{}/>",
        Escape(series.name), Num(lx), Num(ly), Num(lx + 18), Num(ly), colour,
        dash.empty() ? std::string() : fmt::format(" stroke-dasharray=\"{}\"", dash));
    out += Text(lx + 24, ly + 4, Truncate(series.name, 28), "start", "fill=\"#222\"");
    out += "</g>";
  }
  out += "</svg>";
  return out;
}

std::string RenderDivergingBars(const BarChart& chart) {
  const size_t n = chart.labels.size();
  const double left = 56, top = 12, plot_height = 150;
  const double slot = n <= 4 ? 92 : n <= 8 ? 64 : 40;
  const double plot_width = slot * static_cast<double>(std::max<size_t>(n, 1));
  const bool rotate = slot < 64;
  const double bottom = top + plot_height;
  const double right = left + plot_width;
  const int width = static_cast<int>(right + 12);
  const int height = static_cast<int>(bottom + (rotate ? 78 : 44));

  double m = 0;
  for (double v : chart.values) {
    if (std::isfinite(v)) m = std::max(m, std::fabs(v));
  }
  if (m == 0) m = 1;
  const Axis axis = NiceAxis(-m, m, 4);
  const auto y_of = [&](double v) {
    return bottom - (v - axis.lo) / (axis.hi - axis.lo) * plot_height;
  };

  std::string out = OpenSvg(width, height, chart.title, chart.description, "chart bar-chart");
  out += YAxis(axis, left, right, top, bottom, chart.y_label, true);
  for (size_t i = 0; i < n; ++i) {
    const double v = i < chart.values.size() ? chart.values[i] : NAN;
    const double x0 = left + slot * static_cast<double>(i);
    const double cx = x0 + slot / 2;
    if (std::isfinite(v)) {
      const double y0 = y_of(0), y1 = y_of(v);
      std::string tip = chart.labels[i] + ": " + FormatSigned(v, 3);
      if (i < chart.notes.size() && !chart.notes[i].empty()) tip += " (" + chart.notes[i] + ")";
      out += fmt::format(
          "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}</title></rect>",
          Num(x0 + slot * 0.18), Num(std::min(y0, y1)), Num(slot * 0.64),
          Num(std::max(0.5, std::fabs(y1 - y0))), v >= 0 ? kPositive : kNegative, Escape(tip));
    }
    const std::string label = Truncate(chart.labels[i], rotate ? 16 : 14);
    if (rotate) {
      out += fmt::format(
          "<text x=\"0\" y=\"0\" text-anchor=\"end\" fill=\"#333\" font-size=\"10\" "
          "transform=\"translate({} {}) rotate(-40)\">{}</text>",
          Num(cx + 3), Num(bottom + 12), Escape(label));
    } else {
      out += Text(cx, bottom + 14, label, "middle", "fill=\"#333\" font-size=\"10\"");
    }
  }
  out += fmt::format("<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{}\"/>", Num(left),
                     Num(y_of(0)), Num(right), Num(y_of(0)), kAxisColour);
  if (!chart.x_label.empty()) {
    out += Text(left + plot_width / 2, height - 6, chart.x_label, "middle", "fill=\"#333\"");
  }
  out += "</svg>";
  return out;
}

std::string RenderCorrelationMark(double point, double low, double high, std::string_view label) {
  const double width = 120, x0 = 6, x1 = 114;
  const auto x_of = [&](double v) { return x0 + (std::clamp(v, -1.0, 1.0) + 1) / 2 * (x1 - x0); };
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"mark\" width=\"{}\" height=\"18\" "
      "viewBox=\"0 0 {} 18\" role=\"img\" aria-label=\"{}\"><title>{}</title>",
      width, width, Escape(label), Escape(label));
  out += fmt::format("<line x1=\"{}\" y1=\"9\" x2=\"{}\" y2=\"9\" stroke=\"{}\"/>", Num(x0),
                     Num(x1), kGridColour);
  out += fmt::format("<line x1=\"{}\" y1=\"2\" x2=\"{}\" y2=\"16\" stroke=\"#999\"/>", Num(x_of(0)),
                     Num(x_of(0)));
  if (std::isfinite(point)) {
    const std::string_view colour = point >= 0 ? kPositive : kNegative;
    if (std::isfinite(low) && std::isfinite(high)) {
      out += fmt::format(
          "<line x1=\"{}\" y1=\"9\" x2=\"{}\" y2=\"9\" stroke=\"{}\" stroke-width=\"3\"/>",
          Num(x_of(low)), Num(x_of(high)), colour);
    }
    out +=
        fmt::format("<circle cx=\"{}\" cy=\"9\" r=\"3.5\" fill=\"{}\"/>", Num(x_of(point)), colour);
  }
  out += "</svg>";
  return out;
}

std::string RenderShareBar(double share, std::string_view label) {
  const double width = 240;
  const double filled = std::isfinite(share) ? std::clamp(share, 0.0, 1.0) * width : 0;
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"share\" width=\"{}\" height=\"14\" "
      "viewBox=\"0 0 {} 14\" role=\"img\" aria-label=\"{}\"><title>{}</title>",
      width, width, Escape(label), Escape(label));
  out += fmt::format("<rect x=\"0\" y=\"0\" width=\"{}\" height=\"14\" rx=\"3\" fill=\"#e6e9ee\"/>",
                     Num(width));
  out += fmt::format("<rect x=\"0\" y=\"0\" width=\"{}\" height=\"14\" rx=\"3\" fill=\"{}\"/>",
                     Num(filled), kNegative);
  out += "</svg>";
  return out;
}

}  // namespace vivalink::report::internal

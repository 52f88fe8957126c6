// Inline SVG charts for the report, drawn as text: a multi-series line chart (weekly trends), a
// diverging bar chart (weight of evidence per bin), and two small inline marks (a correlation
// with its confidence interval, a share bar). Every chart is one <svg> element that is
// well-formed XML, carries role="img", an aria-label and a <title> (and <desc>) as its first
// children, and escapes every string it is given. Module-private.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vivalink::report::internal {

struct LineSeries {
  std::string name;
  std::vector<double> values;      // aligned with LineChart::x_labels; NaN = no point
  std::vector<std::string> notes;  // optional, aligned: extra tooltip text per point
};

struct LineChart {
  std::string title;
  std::string description;
  std::string x_label;
  std::string y_label;
  std::vector<std::string> x_labels;
  std::vector<LineSeries> series;
};

std::string RenderLineChart(const LineChart& chart);

struct BarChart {
  std::string title;
  std::string description;
  std::string x_label;
  std::string y_label;
  std::vector<std::string> labels;
  std::vector<double> values;
  std::vector<std::string> notes;  // optional tooltip text per bar
};

// Bars grow up from zero for positive values and down for negative ones, in two colours.
std::string RenderDivergingBars(const BarChart& chart);

// A 120 x 18 mark: the interval [low, high] and the point on a -1..1 scale with a zero line.
std::string RenderCorrelationMark(double point, double low, double high, std::string_view label);

// A horizontal bar filled to share (0..1).
std::string RenderShareBar(double share, std::string_view label);

// The colour of series i (a colour-blind-aware categorical palette, cycling).
std::string_view SeriesColour(size_t i);

}  // namespace vivalink::report::internal

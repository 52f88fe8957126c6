// Small helpers for the analysis unit tests: build Frames from literal columns.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "analysis/frame.h"

namespace vivalink::analysis::testing {

inline constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// Person-week rows: persons[i], weeks[i], group[i] and one metric.
inline Frame PersonWeekFrame(const std::vector<std::string>& persons,
                             const std::vector<std::string>& weeks,
                             const std::vector<std::string>& groups, const std::string& metric_name,
                             const std::vector<double>& metric) {
  Frame f;
  EXPECT_TRUE(f.AddStrings("PersonId", persons).ok());
  EXPECT_TRUE(f.AddStrings("MetricDate", weeks).ok());
  EXPECT_TRUE(f.AddStrings("Organization", groups).ok());
  EXPECT_TRUE(f.AddNumeric(metric_name, metric).ok());
  return f;
}

inline std::vector<std::string> Repeat(const std::string& v, size_t n) {
  return std::vector<std::string>(n, v);
}

}  // namespace vivalink::analysis::testing

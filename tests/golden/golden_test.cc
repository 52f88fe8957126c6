// Golden tests of the analysis module: every folder tests/golden/<case>/ holds input.csv,
// args.json ({"analysis": ..., options}) and expected.json, computed independently of our C++ by
// tests/golden/make_expected.py (see README.md there). This one test program runs the analysis
// named in args.json on the input and compares its JSON with expected.json: same structure, equal
// strings, numbers within 1e-9 relative (with a 1e-12 absolute floor for values near zero).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "analysis/drivers.h"
#include "analysis/groups.h"
#include "analysis/hygiene.h"
#include "analysis/iv.h"
#include "analysis/load_csv.h"
#include "analysis/patterns.h"
#include "analysis/stats.h"

namespace vivalink::analysis {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path GoldenDir() {
  const char* src = std::getenv("VIVALINK_SOURCE_DIR");
  if (src != nullptr && *src != '\0') return fs::path(src) / "tests" / "golden";
  return fs::path(VIVALINK_GOLDEN_DIR);
}

std::vector<std::string> CaseNames() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(GoldenDir(), ec)) {
    if (entry.is_directory() && fs::exists(entry.path() / "args.json")) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string Slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

template <typename T>
void Maybe(const json& args, const char* key, T& field) {
  if (args.contains(key)) field = args.at(key).get<T>();
}

// Runs the analysis named in args on frame; returns its JSON (or an {"error": ...} object).
json RunAnalysis(const Frame& frame, const json& args) {
  const std::string analysis = args.at("analysis").get<std::string>();
  auto error = [](const core::Status& s) { return json{{"error", s.ToString()}}; };
  if (analysis == "iv") {
    IvOptions o;
    Maybe(args, "predictors", o.predictors);
    Maybe(args, "bins", o.bins);
    auto r = InformationValue(frame, args.at("outcome").get<std::string>(), o);
    return r.ok() ? json::parse(ToJson(*r)) : error(r.status());
  }
  if (analysis == "drivers") {
    DriverOptions o;
    Maybe(args, "behaviours", o.behaviours);
    Maybe(args, "iv_bins", o.iv_bins);
    if (args.contains("rank_by")) {
      auto rank = ParseDriverRank(args.at("rank_by").get<std::string>());
      if (!rank.ok()) return error(rank.status());
      o.rank_by = *rank;
    }
    auto r = RankDrivers(frame, args.at("outcome").get<std::string>(), o);
    return r.ok() ? json::parse(ToJson(*r)) : error(r.status());
  }
  if (analysis == "groups") {
    GroupSummaryOptions o;
    Maybe(args, "metrics", o.metrics);
    Maybe(args, "group_by", o.group_by);
    Maybe(args, "min_group_size", o.min_group_size);
    auto r = SummarizeGroups(frame, o);
    return r.ok() ? json::parse(ToJson(*r)) : error(r.status());
  }
  if (analysis == "hygiene") {
    HygieneOptions o;
    Maybe(args, "metric", o.metric);
    Maybe(args, "holiday_z", o.holiday_z);
    Maybe(args, "holiday_min_weeks", o.holiday_min_weeks);
    Maybe(args, "inactive_z", o.inactive_z);
    Maybe(args, "nkw_threshold", o.nkw_threshold);
    Maybe(args, "outlier_iqr_multiplier", o.outlier_iqr_multiplier);
    const std::string rule = args.at("rule").get<std::string>();
    if (rule == "all") {
      auto r = ExcludeHygiene(frame, o);
      if (!r.ok()) return error(r.status());
      json j = json::parse(ToJson(HygieneResult{r->exclusions}));
      j["rows_removed"] = r->rows_removed;
      j["rows_kept"] = r->frame.num_rows();
      return j;
    }
    core::Result<HygieneResult> r = core::InvalidArgumentError("unknown hygiene rule " + rule);
    if (rule == "holiday") r = FindHolidayWeeks(frame, o);
    if (rule == "inactive") r = FindInactiveWeeks(frame, o);
    if (rule == "nkw") r = FindNonKnowledgeWorkers(frame, o);
    if (rule == "outlier") r = FindOutlierWeeks(frame, o);
    return r.ok() ? json::parse(ToJson(*r)) : error(r.status());
  }
  if (analysis == "trend") {
    TrendOptions o;
    Maybe(args, "metric", o.metric);
    Maybe(args, "group_by", o.group_by);
    Maybe(args, "min_group_size", o.min_group_size);
    auto r = WeeklyTrend(frame, o);
    return r.ok() ? json::parse(ToJson(*r)) : error(r.status());
  }
  if (analysis == "habits") {
    HabitOptions o;
    Maybe(args, "metric", o.metric);
    Maybe(args, "threshold", o.threshold);
    Maybe(args, "min_weeks", o.min_weeks);
    Maybe(args, "last_weeks", o.last_weeks);
    Maybe(args, "group_by", o.group_by);
    Maybe(args, "min_group_size", o.min_group_size);
    auto r = Habits(frame, o);
    return r.ok() ? json::parse(ToJson(*r)) : error(r.status());
  }
  if (analysis == "gini") {
    GiniOptions o;
    Maybe(args, "metric", o.metric);
    auto r = Gini(frame, o);
    return r.ok() ? json::parse(ToJson(*r)) : error(r.status());
  }
  if (analysis == "tails") {
    // One distribution function a row (tails_scipy, computed by scipy.stats).
    const FrameColumn* function = frame.Find("Function");
    const FrameColumn* x = frame.Find("x");
    const FrameColumn* df = frame.Find("df");
    if (function == nullptr || x == nullptr || df == nullptr) return json{{"error", "columns"}};
    json values = json::array();
    for (size_t r = 0; r < frame.num_rows(); ++r) {
      const std::string_view f = function->StringAt(r);
      const double a = x->numbers[r], d = df->numbers[r];
      double v = std::nan("");
      if (f == "normal_sf") v = stats::NormalSf(a);
      if (f == "chi2_sf") v = stats::ChiSquareSf(a, d);
      if (f == "t_two_sided") v = stats::StudentTTwoSidedP(a, d);
      if (f == "t_quantile") v = stats::StudentTQuantile(a, d);
      values.push_back(v);
    }
    return json{{"analysis", "tails"}, {"values", values}};
  }
  if (analysis == "parity_hygiene") {
    // The flags of vivainsights-py's identify_holidayweeks(sd = 1), identify_inactiveweeks(sd = 2)
    // and identify_nkw(collab_threshold = 5, 15) (make_vivainsights_parity.py); vivainsights judges
    // holiday weeks from 2 weeks on.
    HygieneOptions o;
    o.holiday_min_weeks = 2;
    auto holiday = FindHolidayWeeks(frame, o);
    auto inactive = FindInactiveWeeks(frame, o);
    auto nkw = FindNonKnowledgeWorkers(frame, o);
    o.nkw_threshold = 15;
    auto nkw15 = FindNonKnowledgeWorkers(frame, o);
    if (!holiday.ok() || !inactive.ok() || !nkw.ok() || !nkw15.ok()) {
      return json{{"error", "hygiene failed"}};
    }
    std::vector<std::string> weeks, person_weeks, persons, persons15;
    for (const auto& e : holiday->exclusions) weeks.push_back(e.week);
    for (const auto& e : inactive->exclusions) person_weeks.push_back(e.person + " " + e.week);
    for (const auto& e : nkw->exclusions) persons.push_back(e.person);
    for (const auto& e : nkw15->exclusions) persons15.push_back(e.person);
    std::sort(persons15.begin(), persons15.end());
    std::sort(weeks.begin(), weeks.end());
    std::sort(person_weeks.begin(), person_weeks.end());
    std::sort(persons.begin(), persons.end());
    GiniOptions g;
    g.metric = args.at("gini_metric").get<std::string>();
    auto gini = Gini(frame, g);
    if (!gini.ok()) return json{{"error", gini.status().ToString()}};
    return json{{"analysis", "parity_hygiene"},          {"gini_metric", g.metric},
                {"gini_of_person_means", gini->gini},    {"holiday_weeks", weeks},
                {"inactive_person_weeks", person_weeks}, {"non_knowledge_workers", persons},
                {"non_knowledge_workers_15", persons15}};
  }
  return json{{"error", "unknown analysis " + analysis}};
}

// Appends a description of every difference between got and want to diffs.
void Compare(const json& got, const json& want, const std::string& path,
             std::vector<std::string>& diffs) {
  if (diffs.size() > 20) return;
  if (want.is_number() && got.is_number()) {
    const double g = got.get<double>(), w = want.get<double>();
    const double tol = 1e-9 * std::max(std::fabs(g), std::fabs(w)) + 1e-12;
    if (!(std::fabs(g - w) <= tol)) {
      std::ostringstream os;
      os.precision(17);
      os << path << ": got " << g << ", want " << w;
      diffs.push_back(os.str());
    }
    return;
  }
  if (got.type() != want.type()) {
    diffs.push_back(path + ": got " + got.dump() + ", want " + want.dump());
    return;
  }
  if (want.is_array()) {
    if (got.size() != want.size()) {
      diffs.push_back(path + ": got " + std::to_string(got.size()) + " elements, want " +
                      std::to_string(want.size()));
      return;
    }
    for (size_t i = 0; i < want.size(); ++i) {
      Compare(got[i], want[i], path + "[" + std::to_string(i) + "]", diffs);
    }
    return;
  }
  if (want.is_object()) {
    for (auto it = want.begin(); it != want.end(); ++it) {
      if (!got.contains(it.key())) {
        diffs.push_back(path + "." + it.key() + ": missing");
        continue;
      }
      Compare(got.at(it.key()), it.value(), path + "." + it.key(), diffs);
    }
    for (auto it = got.begin(); it != got.end(); ++it) {
      if (!want.contains(it.key())) diffs.push_back(path + "." + it.key() + ": unexpected");
    }
    return;
  }
  if (got != want) diffs.push_back(path + ": got " + got.dump() + ", want " + want.dump());
}

class Golden : public ::testing::TestWithParam<std::string> {};

TEST_P(Golden, MatchesIndependentlyComputedExpectation) {
  const fs::path dir = GoldenDir() / GetParam();
  const json args = json::parse(Slurp(dir / "args.json"));
  // A case may read a file of the shared data folder (VIVALINK_SHARED_DIR) instead of input.csv.
  fs::path input = dir / "input.csv";
  if (args.contains("shared_input")) {
    const char* shared = std::getenv("VIVALINK_SHARED_DIR");
    if (shared == nullptr || *shared == '\0') GTEST_SKIP() << "VIVALINK_SHARED_DIR is not set";
    input = fs::path(shared) / args.at("shared_input").get<std::string>();
  }
  auto frame = LoadCsvFrame(input.string());
  ASSERT_TRUE(frame.ok()) << frame.status().ToString();
  const json want = json::parse(Slurp(dir / "expected.json"));
  const json got = RunAnalysis(*frame, args);
  std::vector<std::string> diffs;
  Compare(got, want, "$", diffs);
  EXPECT_TRUE(diffs.empty()) << "case " << GetParam() << ":\n"
                             <<
      [&] {
        std::string s;
        for (const auto& d : diffs) s += "  " + d + "\n";
        return s;
      }() << "got:\n" << got.dump(1);
}

TEST(GoldenCases, AtLeastOneCaseIsPresent) { EXPECT_GE(CaseNames().size(), 10u); }

std::string CaseTestName(const ::testing::TestParamInfo<std::string>& param) { return param.param; }

INSTANTIATE_TEST_SUITE_P(Cases, Golden, ::testing::ValuesIn(CaseNames()), CaseTestName);

}  // namespace
}  // namespace vivalink::analysis

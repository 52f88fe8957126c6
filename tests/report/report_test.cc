// Unit tests of the report: escaping, number formatting, privacy, self-containment, markup.
#include "report/report.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <string>

#include "report/internal/charts.h"
#include "report/internal/html.h"
#include "report_testing.h"
#include "testutil.h"

namespace vivalink::report {
namespace {

namespace fs = std::filesystem;
using testing::ExpectSelfContained;
using testing::ExpectWellFormed;
using testing::kScriptGroup;
using testing::kTinyGroup;
using testing::SmallFrame;

ReportOptions SmallOptions() {
  ReportOptions o;
  o.outcomes = {"After_hours_collaboration_hours"};
  o.metrics = {"After_hours_collaboration_hours", "Collaboration_hours", "Email_hours"};
  o.group_by = {"Organization"};
  o.min_group_size = 5;
  o.generated_at = "2024-06-01T12:00:00Z";
  return o;
}

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + 1)) {
    ++n;
  }
  return n;
}

TEST(Escape, TurnsMarkupCharactersIntoReferences) {
  EXPECT_EQ(internal::Escape("<script>alert(1)</script>"), "&lt;script&gt;alert(1)&lt;/script&gt;");
  EXPECT_EQ(internal::Escape("a & b \"c\" 'd'"), "a &amp; b &quot;c&quot; &#39;d&#39;");
  EXPECT_EQ(internal::Escape("Ümlaut café"), "Ümlaut café");
}

TEST(Escape, ReplacesControlCharactersAndInvalidUtf8) {
  EXPECT_EQ(internal::Escape(std::string("a\x01"
                                         "b",
                                         3)),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(internal::Escape("x\xC3(y"), "x\xEF\xBF\xBD(y");            // truncated sequence
  EXPECT_EQ(internal::Escape("\xC0\xAF"), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong '/'
  EXPECT_EQ(internal::Escape("\xED\xA0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(internal::Escape("tab\tline\n"), "tab\tline\n");
}

TEST(Format, NumbersReadForPeople) {
  EXPECT_EQ(internal::FormatCount(6900), "6,900");
  EXPECT_EQ(internal::FormatCount(1234567), "1,234,567");
  EXPECT_EQ(internal::FormatCount(12), "12");
  EXPECT_EQ(internal::FormatValue(1234.56), "1,235");
  EXPECT_EQ(internal::FormatValue(123.456), "123.5");
  EXPECT_EQ(internal::FormatValue(12.3456), "12.35");
  EXPECT_EQ(internal::FormatValue(0.012345), "0.0123");
  EXPECT_EQ(internal::FormatValue(NAN), "\xE2\x80\x93");
  EXPECT_EQ(internal::FormatValue(2.0), "2");
  EXPECT_EQ(internal::FormatValue(-12000.0),
            "\xE2\x88\x92"
            "12,000");
  EXPECT_EQ(internal::FormatSigned(0.4213, 2), "+0.42");
  EXPECT_EQ(internal::FormatSigned(-0.4213, 2),
            "\xE2\x88\x92"
            "0.42");
  EXPECT_EQ(internal::FormatSigned(-0.001, 2), "0.00");
  EXPECT_EQ(internal::FormatP(0.0001), "<0.001");
  EXPECT_EQ(internal::FormatP(0.0421), "0.042");
  EXPECT_EQ(internal::FormatPercent(0.8734), "87.3%");
}

TEST(Format, DisplayNameAndTruncate) {
  EXPECT_EQ(internal::DisplayName("After_hours_collaboration_hours"),
            "After hours collaboration hours");
  EXPECT_EQ(internal::DisplayName("Copilot_chat__work_"), "Copilot chat work");
  EXPECT_EQ(internal::Truncate("abcdef", 10), "abcdef");
  EXPECT_EQ(internal::Truncate("abcdef", 4), "abc\xE2\x80\xA6");
  EXPECT_EQ(internal::Truncate("\xC3\xA9\xC3\xA9\xC3\xA9", 2), "\xC3\xA9\xE2\x80\xA6");
}

TEST(Charts, LineChartIsWellFormedAndEscapesSeriesNames) {
  internal::LineChart chart;
  chart.title = "Trend <of> & more";
  chart.x_labels = {"w1", "w2", "w3"};
  chart.series.push_back({kScriptGroup, {1, NAN, 3}, {}});
  chart.series.push_back({"flat", {2, 2, 2}, {}});
  const std::string svg = internal::RenderLineChart(chart);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_NE(svg.find("&lt;script&gt;"), std::string::npos);
  ExpectWellFormed(svg, 1);
  // The missing week breaks the line: two separate moves, no line segment through it.
  EXPECT_EQ(Count(svg, "<path d=\"M"), 2u);
}

TEST(Charts, DivergingBarsHandleAllZeroAndNanValues) {
  internal::BarChart chart;
  chart.title = "WOE";
  chart.labels = {"a", "b", "c"};
  chart.values = {0, NAN, 0};
  const std::string svg = internal::RenderDivergingBars(chart);
  ExpectWellFormed(svg, 1);
  EXPECT_EQ(svg.find("nan"), std::string::npos);
  EXPECT_EQ(svg.find("inf"), std::string::npos);
}

TEST(Report, GroupNameWithMarkupAppearsEscaped) {
  auto in = BuildReportInput(SmallFrame(), SmallOptions());
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  const std::string html = RenderReport(*in);
  EXPECT_EQ(html.find(kScriptGroup), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  ExpectSelfContained(html);
}

TEST(Report, GroupBelowMinimumNeverAppearsOnlyItsCount) {
  auto in = BuildReportInput(SmallFrame(), SmallOptions());
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  const std::string html = RenderReport(*in);
  EXPECT_EQ(html.find(kTinyGroup), std::string::npos);
  EXPECT_EQ(html.find("TinyTeam"), std::string::npos);
  EXPECT_NE(html.find("1 group suppressed (fewer than 5 persons)"), std::string::npos);
  // The shown groups are there, in the heatmap and as trend lines.
  EXPECT_NE(html.find("Big Org"), std::string::npos);
}

TEST(Report, RendererDropsSmallAndPartlySuppressedGroupsWhateverItIsGiven) {
  ReportInput in;
  in.min_group_size = 5;
  analysis::GroupSummaryResult groups;
  groups.min_group_size = 5;
  const auto stat = [](std::string group, std::string metric, int64_t n, double mean) {
    analysis::GroupStat s;
    s.attribute = "Organization";
    s.group = std::move(group);
    s.metric = std::move(metric);
    s.n = n;
    s.mean = mean;
    return s;
  };
  groups.rows = {stat("Shown", "A", 9, 1),       stat("Shown", "B", 9, 2),
                 stat("HandTiny", "A", 2, 3),    stat("HandTiny", "B", 2, 4),
                 stat("PartlyShown", "A", 6, 5), stat("PartlyShown", "B", 4, 6)};
  in.groups = groups;
  in.groups_suppressed = 3;  // groups the analysis left out entirely
  analysis::TrendResult trend;
  trend.metric = "A";
  trend.points = {{"Shown", "2024-05-05", 9, 1.5, NAN}, {"HandTiny", "2024-05-05", 2, 9, NAN}};
  in.trends = {trend};
  const std::string html = RenderReport(in);
  EXPECT_NE(html.find("Shown"), std::string::npos);
  EXPECT_EQ(html.find("HandTiny"), std::string::npos);
  EXPECT_EQ(html.find("PartlyShown"), std::string::npos);
  EXPECT_NE(html.find("5 groups suppressed (fewer than 5 persons)"), std::string::npos);
  ExpectWellFormed(html, 1);
}

TEST(Report, HygieneShowsCountsAndWeeksNeverPersons) {
  auto in = BuildReportInput(SmallFrame(), SmallOptions());
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  ASSERT_TRUE(in->hygiene.has_value());
  int nkw = 0;
  for (const auto& e : in->hygiene->exclusions) {
    nkw += e.kind == analysis::ExclusionKind::kNonKnowledgeWorker;
  }
  EXPECT_EQ(nkw, 1);
  const std::string html = RenderReport(*in);
  EXPECT_EQ(html.find("secret-person"), std::string::npos);
  EXPECT_NE(html.find("Non-knowledge workers"), std::string::npos);
  EXPECT_NE(html.find("1 person<"), std::string::npos);
}

TEST(Report, WholeDocumentIsWellFormedWithTitledSvgs) {
  auto in = BuildReportInput(SmallFrame(), SmallOptions());
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  in->provenance = {
      {"5c90e1aa-run", "tenant-a", "VivaInsights", "imported", 6900, "2024-06-01T10:00:00Z", ""},
      {"77ab-run", "tenant-a", "AADUser", "failed", -1, "",
       "metadata.json: NumberOfRowsExtracted <1200> & \"x\""}};
  in->join = JoinSummary{"CRM", "email", 80, 70, 300, 250};
  const std::string html = RenderReport(*in);
  // Trend charts (3 metrics), WOE charts, correlation marks and share bars.
  ExpectWellFormed(html, 6);
  ExpectSelfContained(html);
  EXPECT_NE(html.find("87.5%"), std::string::npos);
  EXPECT_NE(html.find("NumberOfRowsExtracted &lt;1200&gt; &amp; &quot;x&quot;"), std::string::npos);
  for (const char* heading :
       {"What was found", "Summary", "Drivers of key metrics", "Group heatmap", "Weekly trends",
        "Data hygiene", "Drop provenance", "Partner join"}) {
    EXPECT_NE(html.find(std::string("<h2>") + heading + "</h2>"), std::string::npos) << heading;
  }
}

TEST(Report, EmptyInputStillHasEverySectionAndParses) {
  const std::string html = RenderReport(ReportInput{});
  ExpectWellFormed(html);
  ExpectSelfContained(html);
  EXPECT_EQ(Count(html, "<h2>"), 9u);  // the eight sections and the meetings
  EXPECT_NE(html.find("No group summary was provided."), std::string::npos);
  EXPECT_NE(html.find("Driver discovery was not run."), std::string::npos);
}

TEST(Report, FindingsSayWhatWasFoundWithUncertaintyAndNeverASmallGroup) {
  ReportInput in;
  in.min_group_size = 5;
  analysis::DiscoveryResult d;
  d.outcome = "Revenue";
  d.observations = 4000;
  d.persons = 600;
  d.selection_threshold = 0.6;
  analysis::DiscoveredBehaviour driver;
  driver.behaviour = "External_collaboration_hours";
  driver.rank = 1;
  driver.is_driver = true;
  driver.selection_probability = 1;
  driver.sign = 1;
  driver.effect = 251.5;
  driver.ci_low = 230.25;
  driver.ci_high = 272.75;
  driver.p_value = 1e-9;
  analysis::DiscoveredBehaviour none = driver;
  none.behaviour = "Email_hours";
  none.rank = 2;
  none.is_driver = false;
  none.selection_probability = 0.1;
  none.effect = 3;
  none.ci_low = -20;
  none.ci_high = 26;
  none.p_value = 0.8;
  d.behaviours = {driver, none};
  d.shapes.push_back({"Meeting_hours", "inverted_u", 11.7, 9.3, 14.0, -8, 1e-6, 2, 25});
  d.conditional.push_back({"Chat_hours", "Organization", "Sales", 120, 480, 456.6, 380.0, 533.2,
                           -4.4, -40.1, 31.3, 1e-20, 900});
  d.conditional.push_back(
      {"Chat_hours", "Organization", "TinyTeam", 4, 596, 900, 500, 1300, 1, -30, 32, 1e-8, 900});
  in.discovery.push_back(d);
  const std::string html = RenderReport(in);
  ExpectWellFormed(html);
  EXPECT_NE(html.find("<h2>What was found</h2>"), std::string::npos);
  EXPECT_LT(html.find("What was found"), html.find("<h2>Summary</h2>"));
  EXPECT_NE(html.find("External collaboration hours: +252 Revenue per unit (95% CI +230 to +273)"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("no stable effect"), std::string::npos);
  EXPECT_NE(html.find("an inverted U, best around 11.7 (95% CI 9.3 to 14.0"), std::string::npos);
  EXPECT_NE(html.find("where Organization is Sales (120 persons)"), std::string::npos);
  EXPECT_EQ(html.find("TinyTeam"), std::string::npos);
}

TEST(Report, RenderingIsDeterministic) {
  auto in = BuildReportInput(SmallFrame(), SmallOptions());
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  EXPECT_EQ(RenderReport(*in), RenderReport(*in));
}

TEST(Report, DriverTableRanksBehavioursWithSignAndIntervals) {
  auto in = BuildReportInput(SmallFrame(), SmallOptions());
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  ASSERT_EQ(in->drivers.size(), 1u);
  EXPECT_EQ(in->drivers[0].outcome, "After_hours_collaboration_hours");
  ASSERT_FALSE(in->drivers[0].person_week.empty());
  ASSERT_EQ(in->iv.size(), 1u);
  EXPECT_EQ(in->iv[0].outcome.rfind("After_hours_collaboration_hours>", 0), 0u);
  const std::string html = RenderReport(*in);
  EXPECT_NE(html.find("<h3>After hours collaboration hours</h3>"), std::string::npos);
  EXPECT_NE(html.find("Spearman \xCF\x81 [95% CI]"), std::string::npos);
  EXPECT_NE(html.find("Weight of evidence of "), std::string::npos);
}

TEST(Report, JoinShowsThePartnersPersonMatchRateAndRefusedKeys) {
  ReportInput in;
  JoinSummary join{"crm", "e-mail", 80, 70, 350, 300};
  join.partner_persons = 400;
  join.partner_unresolved_persons = 12;
  in.join = join;
  const std::string html = RenderReport(in);
  ExpectWellFormed(html);
  // The person-level rate leads: the share of the partner's people found in Viva Insights.
  EXPECT_NE(html.find("300 of 400 partner persons"), std::string::npos);
  EXPECT_NE(html.find("75.0%"), std::string::npos);
  EXPECT_NE(html.find("12 are unknown to the user export"), std::string::npos);
  EXPECT_NE(html.find("Partner persons matched"), std::string::npos);
  EXPECT_NE(html.find("87.5%"), std::string::npos);  // records, as before
}

TEST(BuildReportInput, RankByPartialOrdersDriversByPartialCorrelation) {
  ReportOptions options = SmallOptions();
  options.rank_by = analysis::DriverRank::kPartial;
  auto in = BuildReportInput(SmallFrame(), options);
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  ASSERT_EQ(in->drivers.size(), 1u);
  const auto& rows = in->drivers[0].person_week;
  EXPECT_EQ(in->drivers[0].rank_by, analysis::DriverRank::kPartial);
  ASSERT_GE(rows.size(), 2u);
  for (size_t i = 1; i < rows.size(); ++i) {
    if (std::isnan(rows[i].partial_r)) continue;  // aliased ones rank last
    ASSERT_FALSE(std::isnan(rows[i - 1].partial_r)) << i;
    EXPECT_GE(std::fabs(rows[i - 1].partial_r), std::fabs(rows[i].partial_r)) << i;
  }
  const std::string html = RenderReport(*in);
  EXPECT_NE(html.find("Ranked by |partial r|"), std::string::npos);
  EXPECT_NE(html.find("Partial r [95% CI]"), std::string::npos);
}

TEST(BuildReportInput, RejectsMissingOutcomeAndBadMinimum) {
  const analysis::Frame f = SmallFrame();
  ReportOptions o = SmallOptions();
  o.outcomes = {};
  EXPECT_EQ(BuildReportInput(f, o).status().code(), core::StatusCode::kInvalidArgument);
  o = SmallOptions();
  o.outcomes = {"No_such_column"};
  auto r = BuildReportInput(f, o);
  EXPECT_EQ(r.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find("No_such_column"), std::string::npos);
  o = SmallOptions();
  o.min_group_size = 0;
  EXPECT_EQ(BuildReportInput(f, o).status().code(), core::StatusCode::kInvalidArgument);
}

TEST(BuildReportInput, SummarisesWeeksPersonsAndTenants) {
  ReportOptions o = SmallOptions();
  o.tenants = {"contoso.onmicrosoft.com"};
  auto in = BuildReportInput(SmallFrame(), o);
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  ASSERT_TRUE(in->summary.has_value());
  EXPECT_EQ(in->summary->weeks, 4);
  EXPECT_EQ(in->summary->first_week, "2024-05-05");
  EXPECT_EQ(in->summary->last_week, "2024-05-26");
  EXPECT_EQ(in->summary->persons, 15);
  EXPECT_EQ(in->summary->person_weeks, 60);
  EXPECT_EQ(in->summary->tenants, std::vector<std::string>{"contoso.onmicrosoft.com"});
  // The non-knowledge worker's 4 person-weeks are removed before the analyses.
  ASSERT_TRUE(in->hygiene.has_value());
  EXPECT_GE(in->hygiene->rows_removed, 4);
}

TEST(WriteReport, WritesAtomicallyAndLeavesNoTemporaryFile) {
  testutil::TempDir dir;
  auto in = BuildReportInput(SmallFrame(), SmallOptions());
  ASSERT_TRUE(in.ok()) << in.status().ToString();
  const fs::path out = dir / "report.html";
  testutil::WriteFile(out, "old contents");
  ASSERT_TRUE(WriteReport(*in, out).ok());
  EXPECT_EQ(testutil::ReadFile(out), RenderReport(*in));
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir.path())) {
    ++files;
    EXPECT_EQ(entry.path().filename(), "report.html");
  }
  EXPECT_EQ(files, 1u);
}

TEST(WriteReport, MissingFolderIsNotFound) {
  testutil::TempDir dir;
  const core::Status s = WriteReport(ReportInput{}, dir / "no-such-folder/report.html");
  EXPECT_EQ(s.code(), core::StatusCode::kNotFound);
  EXPECT_NE(s.message().find("no-such-folder"), std::string::npos);
}

}  // namespace
}  // namespace vivalink::report

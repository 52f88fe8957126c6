// RenderReport and WriteReport: the HTML document, section by section.
#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <map>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/expr.h"
#include "report/internal/charts.h"
#include "report/internal/html.h"
#include "report/report.h"

namespace vivalink::report {
namespace {

using internal::DisplayName;
using internal::Escape;
using internal::FormatCount;
using internal::FormatFixed;
using internal::FormatP;
using internal::FormatPercent;
using internal::FormatSigned;
using internal::FormatValue;

// Kept free of '<' and '&' so the document stays well-formed XML without a CDATA section.
constexpr std::string_view kCss = R"css(
:root { --ink: #1d2430; --muted: #5b6472; --line: #d9dee5; --accent: #3f74a8; }
* { box-sizing: border-box; }
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif;
  color: var(--ink); background: #eef1f5; line-height: 1.45; font-size: 14px; }
main { max-width: 1160px; margin: 0 auto; padding: 24px 36px 48px; background: #fff; }
header h1 { margin: 0 0 4px; font-size: 26px; }
.meta { color: var(--muted); margin: 0; }
nav ul { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 18px; padding: 0; margin: 16px 0 0; }
nav a { color: var(--accent); text-decoration: none; }
section { margin-top: 28px; border-top: 2px solid var(--line); padding-top: 6px; }
h2 { font-size: 20px; margin: 8px 0 10px; }
h3 { font-size: 16px; margin: 22px 0 6px; }
h4 { font-size: 14px; margin: 16px 0 6px; }
p { margin: 6px 0; }
table { border-collapse: collapse; font-size: 13px; margin: 8px 0 14px; }
th, td { padding: 4px 9px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: middle; }
th { background: #f0f3f7; font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.name { max-width: 360px; overflow-wrap: anywhere; }
.kpis { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 12px; margin: 10px 0; }
.kpi { border: 1px solid var(--line); border-radius: 6px; padding: 10px 14px; }
.kpi .v { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; overflow-wrap: anywhere; }
.kpi .l { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: 0.03em; }
.kpi .s { color: var(--muted); font-size: 12px; }
.woe-grid { display: flex; flex-wrap: wrap; gap: 8px 24px; }
figure { margin: 8px 0; }
figcaption { font-size: 12px; color: var(--muted); max-width: 640px; }
svg { max-width: 100%; height: auto; }
svg.mark, svg.share { vertical-align: middle; max-width: none; }
.scroll { overflow-x: auto; }
table.drivers { font-size: 12.5px; }
table.drivers th, table.drivers td { padding: 4px 6px; }
.drivers td.name { min-width: 170px; }
.kpi .v.text { font-size: 16px; }
.provenance td { white-space: nowrap; }
.provenance td.error { white-space: normal; min-width: 260px; }
.sign { font-weight: 700; }
.sign.pos { color: #b5541c; }
.sign.neg { color: #2f5f8f; }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; background: #e8ecf2; }
.badge.good { background: #dcefdc; color: #1f5f1f; }
.badge.bad { background: #f7dcdc; color: #8a1f1f; }
.note, .muted { color: var(--muted); }
.empty { color: var(--muted); font-style: italic; }
.suppressed { color: var(--muted); font-size: 13px; }
.heat td.cell { text-align: right; font-variant-numeric: tabular-nums; min-width: 84px; }
.legend-swatch { display: inline-block; width: 12px; height: 12px; vertical-align: -2px; border-radius: 2px; margin: 0 4px 0 10px; }
footer { margin-top: 36px; color: var(--muted); font-size: 12px; border-top: 1px solid var(--line); padding-top: 8px; }
@media print {
  body { background: #fff; font-size: 10pt; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  section { break-inside: auto; }
  figure, tr, .kpi, svg { break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  @page { margin: 14mm; }
}
)css";

struct SectionInfo {
  std::string_view id;
  std::string_view heading;
};
constexpr SectionInfo kSections[] = {
    {"findings", "What was found"},
    {"summary", "Summary"},
    {"drivers", "Drivers of key metrics"},
    {"groups", "Group heatmap"},
    {"trends", "Weekly trends"},
    {"hygiene", "Data hygiene"},
    {"provenance", "Drop provenance"},
    {"join", "Partner join"},
    {"meetings", "Meetings from Outlook calendars"},
};

std::string OpenSection(size_t index) {
  const SectionInfo& s = kSections[index];
  return fmt::format("<section id=\"{}\"><h2>{}</h2>", s.id, Escape(s.heading));
}

std::string Empty(std::string_view what) { return "<p class=\"empty\">" + Escape(what) + "</p>"; }

std::string Kpi(std::string_view label, std::string_view value, std::string_view sub = "") {
  // Long text values (tenant names) get a smaller type than figures.
  const bool text = value.size() > 14;
  std::string out = "<div class=\"kpi\"><div class=\"l\">" + Escape(label) +
                    (text ? "</div><div class=\"v text\">" : "</div><div class=\"v\">") +
                    Escape(value) + "</div>";
  if (!sub.empty()) out += "<div class=\"s\">" + Escape(sub) + "</div>";
  return out + "</div>";
}

std::string Th(std::string_view text, bool num = false) {
  return std::string(num ? "<th class=\"num\">" : "<th>") + Escape(text) + "</th>";
}
std::string Td(std::string_view text, bool num = false) {
  return std::string(num ? "<td class=\"num\">" : "<td>") + Escape(text) + "</td>";
}

// The minimum group size the renderer enforces: the larger of the input's and the summary's.
int MinGroupSize(const ReportInput& in) {
  return std::max(in.min_group_size, in.groups ? in.groups->min_group_size : 0);
}

double Rate(int64_t part, int64_t total) {
  return total > 0 ? static_cast<double>(part) / static_cast<double>(total) : NAN;
}

std::string Plural(int64_t n, std::string_view one, std::string_view many) {
  return FormatCount(n) + " " + std::string(n == 1 ? one : many);
}

// ---- summary ----------------------------------------------------------------------------------

std::string RenderSummary(const ReportInput& in) {
  std::string out = OpenSection(1);
  if (!in.summary && !in.join) {
    out += Empty("No data summary was provided.");
  } else {
    out += "<div class=\"kpis\">";
    if (in.summary) {
      const DataSummary& s = *in.summary;
      std::string tenants;
      for (size_t i = 0; i < s.tenants.size(); ++i) tenants += (i ? ", " : "") + s.tenants[i];
      out += Kpi(s.tenants.size() == 1 ? "Tenant" : "Tenants",
                 tenants.empty() ? std::string("not recorded") : tenants);
      std::string range;
      if (!s.first_week.empty()) range = s.first_week + " \xE2\x80\x93 " + s.last_week;
      out += Kpi("Weeks covered", FormatCount(s.weeks), range);
      out += Kpi("Persons", FormatCount(s.persons));
      out += Kpi("Person-weeks", FormatCount(s.person_weeks));
    }
    if (in.join && in.join->partner_persons > 0) {
      const double rate = Rate(in.join->matched_persons, in.join->partner_persons);
      out += Kpi("Match rate of the partner join", FormatPercent(rate),
                 FormatCount(in.join->matched_persons) + " of " +
                     FormatCount(in.join->partner_persons) + " partner persons");
    } else if (in.join) {
      const double rate = Rate(in.join->matched_records, in.join->partner_records);
      out += Kpi("Match rate of the partner join", FormatPercent(rate),
                 FormatCount(in.join->matched_records) + " of " +
                     FormatCount(in.join->partner_records) + " partner records");
    }
    if (in.hygiene && in.hygiene->rows_removed >= 0) {
      out += Kpi("Removed by hygiene rules", FormatCount(in.hygiene->rows_removed),
                 "of " + FormatCount(in.hygiene->rows_before) + " person-weeks");
    }
    out += "</div>";
  }
  if (!in.notes.empty()) {
    out += "<ul class=\"note\">";
    for (const auto& note : in.notes) out += "<li>" + Escape(note) + "</li>";
    out += "</ul>";
  }
  return out + "</section>";
}

// ---- drivers and IV ---------------------------------------------------------------------------

// ---- findings (driver discovery) -------------------------------------------------------------

// A number in the outcome's units with up to 3 significant decimals.
std::string Effect(double v) {
  if (!std::isfinite(v)) return "\xE2\x80\x93";
  const double a = std::fabs(v);
  return FormatSigned(v, a >= 100 ? 0 : a >= 1 ? 2 : 3);
}

std::string EffectWithCi(double v, double lo, double hi) {
  if (!std::isfinite(v)) return "\xE2\x80\x93";
  return Effect(v) + " [" + Effect(lo) + ", " + Effect(hi) + "]";
}

std::string RenderDiscovery(const analysis::DiscoveryResult& d, int min_group_size,
                            int rows_shown) {
  const std::string outcome = DisplayName(d.outcome);
  const bool per_person = d.level == analysis::DiscoveryLevel::kPerson;
  std::string out = "<h3>" + Escape(outcome) + "</h3>";
  // Plain words first: the drivers with their effect per unit and its 95% CI.
  std::string said;
  int drivers = 0;
  for (const auto& b : d.behaviours) {
    if (!b.is_driver) continue;
    ++drivers;
    said += "<li>" + Escape(DisplayName(b.behaviour)) + ": " +
            Escape(Effect(b.effect) + " " + outcome + " per unit (95% CI " + Effect(b.ci_low) +
                   " to " + Effect(b.ci_high) + "), selected in " +
                   FormatPercent(b.selection_probability, 0) + " of resamples") +
            "</li>";
  }
  for (const auto& s : d.shapes) {
    said +=
        "<li>" +
        Escape(DisplayName(s.behaviour) + ": " +
               (s.shape == "inverted_u" ? "an inverted U, best around " : "a U, worst around ") +
               FormatFixed(s.turning_point, 1) + " (95% CI " + FormatFixed(s.ci_low, 1) + " to " +
               FormatFixed(s.ci_high, 1) + "; p of the curvature " + FormatP(s.quadratic_p) + ")") +
        "</li>";
  }
  for (const auto& c : d.conditional) {
    // Never a group below the minimum, whatever the input holds.
    if (c.group_persons < min_group_size || c.other_persons < min_group_size) continue;
    said += "<li>" +
            Escape(DisplayName(c.behaviour) + " matters differently where " + c.attribute + " is " +
                   c.group + " (" + FormatCount(c.group_persons) +
                   " persons): " + Effect(c.effect_in_group) + " per unit there (95% CI " +
                   Effect(c.in_ci_low) + " to " + Effect(c.in_ci_high) + "), " +
                   Effect(c.effect_elsewhere) + " elsewhere (" + Effect(c.else_ci_low) + " to " +
                   Effect(c.else_ci_high) + "); interaction p " + FormatP(c.interaction_p) + ", " +
                   FormatCount(c.tests) + " pairs searched") +
            "</li>";
  }
  out += "<p>" +
         Escape(fmt::format("{} of {} behaviours are stable drivers of {} (analysed per {}, {} "
                            "observations of {} persons; a driver is selected in at least {} of "
                            "lasso fits on random halves of the persons).",
                            drivers, d.behaviours.size(), outcome,
                            per_person ? "person" : "person-week", FormatCount(d.observations),
                            FormatCount(d.persons), FormatPercent(d.selection_threshold, 0))) +
         "</p>";
  if (!said.empty()) out += "<ul class=\"findings\">" + said + "</ul>";
  out += "<table class=\"discovery\"><thead><tr>" + Th("#", true) + Th("Behaviour") +
         Th("Verdict") + Th("Selected", true) + Th("Effect per unit [95% CI]", true) +
         Th("p", true) + "</tr></thead><tbody>";
  const size_t shown = std::min(d.behaviours.size(), static_cast<size_t>(std::max(0, rows_shown)));
  for (size_t i = 0; i < shown; ++i) {
    const auto& b = d.behaviours[i];
    out += "<tr>" + Td(std::to_string(b.rank), true) + "<td class=\"name\">" +
           Escape(DisplayName(b.behaviour)) + "</td>" +
           Td(b.is_driver ? (b.sign > 0 ? "driver, raises it" : "driver, lowers it")
                          : "no stable effect") +
           Td(FormatPercent(b.selection_probability, 0), true) +
           Td(EffectWithCi(b.effect, b.ci_low, b.ci_high), true) + Td(FormatP(b.p_value), true) +
           "</tr>";
  }
  out += "</tbody></table>";
  if (d.behaviours.size() > shown) {
    out += "<p class=\"note\">" +
           Escape(Plural(static_cast<int64_t>(d.behaviours.size() - shown), "more behaviour",
                         "more behaviours") +
                  " without a stable effect not shown.") +
           "</p>";
  }
  return out;
}

std::string RenderFindings(const ReportInput& in) {
  std::string out = OpenSection(0);
  if (in.discovery.empty()) return out + Empty("Driver discovery was not run.") + "</section>";
  for (const auto& d : in.discovery) {
    out += RenderDiscovery(d, MinGroupSize(in), in.driver_rows_shown);
  }
  return out + "</section>";
}

std::string SignCell(int sign) {
  if (sign > 0) return "<td class=\"sign pos\" title=\"positive\">+</td>";
  if (sign < 0) return "<td class=\"sign neg\" title=\"negative\">\xE2\x88\x92</td>";
  return "<td class=\"sign\" title=\"none\">0</td>";
}

std::string WithCi(double v, double lo, double hi) {
  if (!std::isfinite(v)) return "\xE2\x80\x93";
  return FormatSigned(v, 2) + " [" + FormatSigned(lo, 2) + ", " + FormatSigned(hi, 2) + "]";
}

std::string IvStrength(double iv) {
  if (!std::isfinite(iv)) return "\xE2\x80\x93";
  if (iv < 0.02) return "not predictive";
  if (iv < 0.1) return "weak";
  if (iv < 0.3) return "medium";
  if (iv < 0.5) return "strong";
  return "very strong (check for leakage)";
}

std::string RenderDriverTable(const analysis::DriverResult& d, int rows_shown) {
  std::map<std::string, const analysis::DriverRow*> person_level;
  for (const auto& row : d.person) person_level[row.behaviour] = &row;

  std::string out = "<div class=\"scroll\"><table class=\"drivers\"><thead><tr>";
  out += Th("#", true) + Th("Behaviour") + Th("Sign") + Th("Spearman \xCF\x81 [95% CI]", true) +
         "<th class=\"num\"><span class=\"muted\">\xE2\x88\x92"
         "1 \xE2\x80\xA6 0 \xE2\x80\xA6 +1</span></th>" +
         Th("Pearson r [95% CI]", true) +
         "<th class=\"num\" title=\"Partial correlation given every other behaviour of the table "
         "(multiple regression over complete cases); \xE2\x80\x93 when the behaviour is a linear "
         "combination of others (aliased)\">Partial r [95% CI]</th>" +
         Th("p (\xCF\x81)", true) + Th("IV", true) +
         "<th class=\"num\" title=\"Mean of the metric where the behaviour is in its top quartile "
         "minus where it is in its bottom quartile\">Q4 \xE2\x88\x92 Q1</th>" +
         Th("Pairs", true) +
         "<th class=\"num\" title=\"Spearman rho over person means\">Person \xCF\x81</th>";
  out += "</tr></thead><tbody>";
  const size_t shown = std::min(d.person_week.size(), static_cast<size_t>(std::max(0, rows_shown)));
  for (size_t i = 0; i < shown; ++i) {
    const analysis::DriverRow& r = d.person_week[i];
    out += "<tr>";
    out += Td(std::to_string(r.rank), true);
    out += "<td class=\"name\">" + Escape(DisplayName(r.behaviour)) + "</td>";
    out += SignCell(r.sign);
    out += Td(WithCi(r.spearman_rho, r.spearman_ci_low, r.spearman_ci_high), true);
    out += "<td>" +
           internal::RenderCorrelationMark(
               r.spearman_rho, r.spearman_ci_low, r.spearman_ci_high,
               "Spearman rho of " + DisplayName(r.behaviour) + ": " +
                   WithCi(r.spearman_rho, r.spearman_ci_low, r.spearman_ci_high)) +
           "</td>";
    out += Td(WithCi(r.pearson_r, r.pearson_ci_low, r.pearson_ci_high), true);
    out += Td(std::isfinite(r.partial_r) ? WithCi(r.partial_r, r.partial_ci_low, r.partial_ci_high)
                                         : std::string("\xE2\x80\x93"),
              true);
    out += Td(FormatP(r.spearman_p), true);
    out += Td(FormatFixed(r.iv, 3), true);
    out += Td(FormatSigned(r.quartile_diff, 2), true);
    out += Td(FormatCount(r.n), true);
    const auto it = person_level.find(r.behaviour);
    out += Td(it == person_level.end() ? std::string("\xE2\x80\x93")
                                       : FormatSigned(it->second->spearman_rho, 2),
              true);
    out += "</tr>";
  }
  out += "</tbody></table></div>";
  if (d.person_week.size() > shown) {
    out += "<p class=\"note\">" +
           Escape(Plural(static_cast<int64_t>(d.person_week.size() - shown), "more behaviour",
                         "more behaviours") +
                  " with weaker associations not shown.") +
           "</p>";
  }
  return out;
}

std::string BinLabel(const analysis::IvBin& bin) {
  const bool lo_inf = std::isinf(bin.lower), hi_inf = std::isinf(bin.upper);
  if (lo_inf && hi_inf) return "all";
  if (lo_inf) return "< " + FormatValue(bin.upper);
  if (hi_inf) return "\xE2\x89\xA5 " + FormatValue(bin.lower);
  return FormatValue(bin.lower) + " \xE2\x80\x93 " + FormatValue(bin.upper);
}

// "After hours collaboration hours > 4.80" for "After_hours_collaboration_hours>4.80191926090312".
std::string OutcomeLabel(const std::string& expr) {
  auto parsed = analysis::ParseComparison(expr);
  if (!parsed.ok()) return expr;
  return DisplayName(parsed->column) + " " + std::string(analysis::CompareOpText(parsed->op)) +
         " " + FormatValue(parsed->value);
}

std::string RenderIv(const analysis::IvResult& iv, int woe_charts, int rows_shown) {
  const std::string outcome = OutcomeLabel(iv.outcome);
  std::string out = "<h4>Information value for " + Escape(outcome) + "</h4>";
  out += "<p class=\"note\">" +
         Escape(FormatCount(iv.rows_used) + " person-weeks used (" + FormatCount(iv.n1) +
                " with the outcome, " + FormatCount(iv.n0) + " without); " +
                FormatCount(iv.rows_dropped) + " dropped for missing values.") +
         "</p>";
  for (const auto& w : iv.warnings) out += "<p class=\"note\">" + Escape(w) + "</p>";
  if (iv.predictors.empty()) return out + Empty("No predictor was analysed.");

  out += "<table class=\"iv\"><thead><tr>" + Th("Predictor") + Th("IV", true) + Th("Strength") +
         Th("p", true) + Th("Bins", true) + "</tr></thead><tbody>";
  const size_t shown = std::min(iv.predictors.size(), static_cast<size_t>(std::max(0, rows_shown)));
  for (size_t i = 0; i < shown; ++i) {
    const auto& p = iv.predictors[i];
    out += "<tr><td class=\"name\">" + Escape(DisplayName(p.name)) +
           (p.categorical ? " <span class=\"muted\">(categorical)</span>" : "") + "</td>";
    out += Td(FormatFixed(p.iv, 3), true) + Td(IvStrength(p.iv)) + Td(FormatP(p.p_value), true) +
           Td(std::to_string(p.bins.size()), true) + "</tr>";
  }
  out += "</tbody></table>";

  // Categorical bins are categories of customer data (possibly small groups): never drawn.
  std::string charts;
  int drawn = 0;
  for (const auto& p : iv.predictors) {
    if (drawn >= woe_charts) break;
    if (p.categorical || p.bins.empty()) continue;
    internal::BarChart chart;
    chart.title = "Weight of evidence of " + DisplayName(p.name) + " for " + outcome;
    chart.description = "One bar per bin of " + DisplayName(p.name) +
                        "; above zero the bin holds relatively more person-weeks with the "
                        "outcome, below zero fewer. IV " +
                        FormatFixed(p.iv, 3) + ".";
    chart.y_label = "WOE";
    chart.x_label = DisplayName(p.name);
    for (const auto& bin : p.bins) {
      chart.labels.push_back(BinLabel(bin));
      chart.values.push_back(bin.woe);
      chart.notes.push_back(FormatCount(bin.n) + " person-weeks, outcome rate " +
                            FormatPercent(bin.event_rate));
    }
    charts += "<figure>" + internal::RenderDivergingBars(chart) + "<figcaption>" +
              Escape(DisplayName(p.name) + " \xE2\x80\x94 IV " + FormatFixed(p.iv, 3) + " (" +
                     IvStrength(p.iv) + ")") +
              "</figcaption></figure>";
    ++drawn;
  }
  if (!charts.empty()) out += "<div class=\"woe-grid\">" + charts + "</div>";
  return out;
}

std::string IvColumn(const analysis::IvResult& iv) {
  auto parsed = analysis::ParseComparison(iv.outcome);
  return parsed.ok() ? parsed->column : std::string();
}

std::string RenderDrivers(const ReportInput& in) {
  std::string out = OpenSection(2);
  if (in.drivers.empty() && in.iv.empty()) {
    return out + Empty("No driver analysis was provided.") + "</section>";
  }
  out +=
      "<p class=\"note\">Behaviours are ranked by the strength of their monotone association "
      "(|Spearman \xCF\x81|) with each key metric over person-weeks; the sign says whether more "
      "of the behaviour goes with more (+) or less (\xE2\x88\x92) of the metric. Intervals are "
      "95% confidence intervals. IV is the information value of the behaviour for the metric "
      "being above its median. Partial r is the association of a behaviour given all the other "
      "behaviours of the table (what it adds beyond them). Associations are not causes.</p>";
  std::vector<bool> iv_used(in.iv.size(), false);
  for (const auto& d : in.drivers) {
    out += "<h3>" + Escape(DisplayName(d.outcome)) + "</h3>";
    if (d.rank_by == analysis::DriverRank::kPartial && !d.person_week.empty()) {
      out += "<p class=\"note\">Ranked by |partial r|: each behaviour's association with " +
             Escape(DisplayName(d.outcome)) + " given the other behaviours listed.</p>";
    }
    if (d.person_week.empty()) {
      out += Empty("No behaviour could be related to this metric.");
    } else {
      out += RenderDriverTable(d, in.driver_rows_shown);
    }
    for (size_t i = 0; i < in.iv.size(); ++i) {
      if (iv_used[i] || IvColumn(in.iv[i]) != d.outcome) continue;
      iv_used[i] = true;
      out += RenderIv(in.iv[i], in.woe_charts, in.driver_rows_shown);
    }
  }
  for (size_t i = 0; i < in.iv.size(); ++i) {
    if (iv_used[i]) continue;
    out += "<h3>" + Escape(in.iv[i].outcome) + "</h3>";
    out += RenderIv(in.iv[i], in.woe_charts, in.driver_rows_shown);
  }
  return out + "</section>";
}

// ---- groups -----------------------------------------------------------------------------------

std::string HeatColour(double z) {
  // White to orange above the groups' average, white to blue below; capped so text stays legible.
  if (!std::isfinite(z)) return "#ffffff";
  const double t = std::min(1.0, std::fabs(z) / 2.0) * 0.62;
  const int r0 = z >= 0 ? 0xe0 : 0x3f, g0 = z >= 0 ? 0x79 : 0x74, b0 = z >= 0 ? 0x3a : 0xa8;
  const auto mix = [t](int c) { return static_cast<int>(std::lround(255 + t * (c - 255))); };
  return fmt::format("#{:02x}{:02x}{:02x}", mix(r0), mix(g0), mix(b0));
}

std::string RenderGroups(const ReportInput& in) {
  std::string out = OpenSection(3);
  if (!in.groups) return out + Empty("No group summary was provided.") + "</section>";
  const int min_size = MinGroupSize(in);

  // Attributes and metrics in order of appearance.
  std::vector<std::string> attributes, metrics;
  for (const auto& row : in.groups->rows) {
    if (std::find(attributes.begin(), attributes.end(), row.attribute) == attributes.end()) {
      attributes.push_back(row.attribute);
    }
    if (std::find(metrics.begin(), metrics.end(), row.metric) == metrics.end()) {
      metrics.push_back(row.metric);
    }
  }

  int64_t suppressed = in.groups_suppressed;
  std::string tables;
  for (const auto& attribute : attributes) {
    // group -> metric -> stat, only stats at or above the minimum.
    std::map<std::string, std::map<std::string, const analysis::GroupStat*>> cells;
    std::set<std::string> seen;
    std::vector<std::string> attr_metrics;
    for (const auto& row : in.groups->rows) {
      if (row.attribute != attribute) continue;
      seen.insert(row.group);
      if (std::find(attr_metrics.begin(), attr_metrics.end(), row.metric) == attr_metrics.end()) {
        attr_metrics.push_back(row.metric);
      }
      if (row.n >= min_size) cells[row.group][row.metric] = &row;
    }
    // A group is shown only when every metric has it: no empty or greyed cell can hint at a
    // group that was too small for one of them.
    std::vector<std::string> shown;
    for (const auto& [group, by_metric] : cells) {
      if (by_metric.size() == attr_metrics.size()) shown.push_back(group);
    }
    suppressed += static_cast<int64_t>(seen.size() - shown.size());
    if (shown.empty()) continue;
    const std::string& first = attr_metrics.front();
    std::stable_sort(shown.begin(), shown.end(), [&](const std::string& a, const std::string& b) {
      return cells[a][first]->mean > cells[b][first]->mean;
    });

    // Colour: z of the group's mean among the shown groups' means, per metric.
    std::map<std::string, std::pair<double, double>> moments;
    for (const auto& metric : attr_metrics) {
      double sum = 0, sq = 0;
      for (const auto& g : shown) sum += cells[g][metric]->mean;
      const double mean = sum / static_cast<double>(shown.size());
      for (const auto& g : shown) sq += std::pow(cells[g][metric]->mean - mean, 2);
      const double sd =
          shown.size() > 1 ? std::sqrt(sq / static_cast<double>(shown.size() - 1)) : 0;
      moments[metric] = {mean, sd};
    }

    tables += "<h3>By " + Escape(DisplayName(attribute)) + "</h3>";
    tables += "<table class=\"heat\"><thead><tr>" + Th("Group") + Th("Persons", true);
    for (const auto& metric : attr_metrics) tables += Th(DisplayName(metric), true);
    tables += "</tr></thead><tbody>";
    for (const auto& g : shown) {
      int64_t persons = INT64_MAX;
      for (const auto& metric : attr_metrics) persons = std::min(persons, cells[g][metric]->n);
      tables += "<tr><td class=\"name\">" + Escape(g) + "</td>" + Td(FormatCount(persons), true);
      for (const auto& metric : attr_metrics) {
        const analysis::GroupStat& s = *cells[g][metric];
        const auto [mean, sd] = moments[metric];
        const double z = sd > 0 ? (s.mean - mean) / sd : 0;
        const std::string tip = DisplayName(metric) + " for " + g + ": mean " +
                                FormatValue(s.mean) + ", median " + FormatValue(s.median) +
                                ", sd " + FormatValue(s.sd) + ", " + FormatCount(s.n) +
                                " persons, rank " + std::to_string(s.rank_in_attribute);
        tables += fmt::format("<td class=\"cell\" style=\"background:{}\" title=\"{}\">{}</td>",
                              HeatColour(z), Escape(tip), Escape(FormatValue(s.mean)));
      }
      tables += "</tr>";
    }
    tables += "</tbody></table>";
  }

  out +=
      "<p class=\"note\">Each cell is the mean over persons of their average weekly value. "
      "Colour compares a group with the other groups shown for the same metric:"
      "<span class=\"legend-swatch\" style=\"background:" +
      HeatColour(2) +
      "\"></span>above average<span class=\"legend-swatch\" style=\"background:" + HeatColour(-2) +
      "\"></span>below average.</p>";
  out += tables.empty() ? Empty("No group reached the minimum group size.") : tables;
  out += "<p class=\"suppressed\">" +
         Escape(Plural(suppressed, "group", "groups") + " suppressed (fewer than " +
                std::to_string(min_size) + " persons).") +
         "</p>";
  return out + "</section>";
}

// ---- trends -----------------------------------------------------------------------------------

std::string RenderTrends(const ReportInput& in) {
  std::string out = OpenSection(4);
  if (in.trends.empty()) return out + Empty("No weekly trend was provided.") + "</section>";
  constexpr size_t kMaxSeries = 10;
  for (const auto& trend : in.trends) {
    std::set<std::string> week_set;
    std::map<std::string, int64_t> weight;
    for (const auto& p : trend.points) {
      if (p.n < MinGroupSize(in)) continue;  // belt and braces: the analysis suppresses them
      week_set.insert(p.week);
      weight[p.group] += p.n;
    }
    out += "<h3>" + Escape(DisplayName(trend.metric)) + "</h3>";
    if (week_set.empty()) {
      out += Empty("No group-week reached the minimum group size.");
      continue;
    }
    std::vector<std::string> weeks(week_set.begin(), week_set.end());
    std::vector<std::string> groups;
    for (const auto& [g, w] : weight) groups.push_back(g);
    std::stable_sort(groups.begin(), groups.end(),
                     [&](const auto& a, const auto& b) { return weight[a] > weight[b]; });
    const size_t hidden = groups.size() > kMaxSeries ? groups.size() - kMaxSeries : 0;
    groups.resize(groups.size() - hidden);
    std::sort(groups.begin(), groups.end());

    internal::LineChart chart;
    chart.title = "Weekly mean of " + DisplayName(trend.metric) + " by group";
    chart.description =
        "One line per group; a gap is a week where the group was below the "
        "minimum group size or had no data.";
    chart.x_label = "Week";
    chart.y_label = DisplayName(trend.metric);
    chart.x_labels = weeks;
    for (const auto& g : groups) {
      internal::LineSeries s;
      s.name = g;
      s.values.assign(weeks.size(), NAN);
      s.notes.assign(weeks.size(), "");
      for (const auto& p : trend.points) {
        if (p.group != g || p.n < MinGroupSize(in)) continue;
        const size_t i = static_cast<size_t>(std::lower_bound(weeks.begin(), weeks.end(), p.week) -
                                             weeks.begin());
        s.values[i] = p.mean;
        s.notes[i] = FormatCount(p.n) + " persons";
      }
      chart.series.push_back(std::move(s));
    }
    out += "<figure>" + internal::RenderLineChart(chart);
    if (hidden > 0) {
      out += "<figcaption>" +
             Escape(Plural(static_cast<int64_t>(hidden), "smaller group", "smaller groups") +
                    " not drawn.") +
             "</figcaption>";
    }
    out += "</figure>";
  }
  return out + "</section>";
}

// ---- hygiene ----------------------------------------------------------------------------------

std::string RenderHygiene(const ReportInput& in) {
  std::string out = OpenSection(5);
  if (!in.hygiene) return out + Empty("No data-hygiene check was provided.") + "</section>";
  const HygieneSection& h = *in.hygiene;
  const auto& o = h.options;

  int64_t holiday = 0, inactive = 0, nkw = 0, outlier = 0;
  struct WeekRow {
    bool holiday = false;
    double z = NAN;
    int64_t inactive = 0, outlier = 0;
  };
  std::map<std::string, WeekRow> weeks;  // ISO weeks sort chronologically as text
  for (const auto& e : h.exclusions) {
    switch (e.kind) {
      case analysis::ExclusionKind::kHolidayWeek:
        ++holiday;
        weeks[e.week].holiday = true;
        weeks[e.week].z = e.score;
        break;
      case analysis::ExclusionKind::kInactivePersonWeek:
        ++inactive;
        ++weeks[e.week].inactive;
        break;
      case analysis::ExclusionKind::kNonKnowledgeWorker:
        ++nkw;
        break;
      case analysis::ExclusionKind::kOutlierPersonWeek:
        ++outlier;
        ++weeks[e.week].outlier;
        break;
    }
  }

  out +=
      "<p class=\"note\">Rules evaluated on " + Escape(DisplayName(o.metric)) + " over " +
      Escape(FormatCount(h.rows_before)) + " person-weeks. " +
      Escape(h.rows_removed >= 0
                 ? FormatCount(h.rows_removed) + " person-weeks were removed before the analyses."
                 : std::string("Flagged rows were not removed before the analyses.")) +
      " Persons are never listed.</p>";
  const auto rule = [](bool on, std::string_view text) {
    return on ? std::string(text) : std::string(text) + " (rule off)";
  };
  out += "<table class=\"hygiene\"><thead><tr>" + Th("Finding") + Th("Rule") + Th("Count", true) +
         "</tr></thead><tbody>";
  out += "<tr>" + Td("Holiday weeks") +
         Td(rule(o.holiday_weeks, "week mean z-score < " + FormatFixed(o.holiday_z, 1))) +
         Td(Plural(holiday, "week", "weeks"), true) + "</tr>";
  out += "<tr>" + Td("Inactive person-weeks") +
         Td(rule(o.inactive_weeks, "z-score against the person's own weeks \xE2\x89\xA4 " +
                                       FormatFixed(o.inactive_z, 1))) +
         Td(FormatCount(inactive), true) + "</tr>";
  out += "<tr>" + Td("Non-knowledge workers") +
         Td(rule(o.non_knowledge_workers,
                 "person mean < " + FormatValue(o.nkw_threshold) + " hours a week")) +
         Td(Plural(nkw, "person", "persons"), true) + "</tr>";
  out += "<tr>" + Td("Outlier person-weeks") +
         Td(rule(o.outlier_weeks,
                 "value > Q3 + " + FormatValue(o.outlier_iqr_multiplier) + " \xC3\x97 IQR")) +
         Td(FormatCount(outlier), true) + "</tr>";
  out += "</tbody></table>";

  if (!weeks.empty()) {
    out += "<h3>Weeks with findings</h3><table class=\"hygiene-weeks\"><thead><tr>" + Th("Week") +
           Th("Holiday week (z)") + Th("Inactive person-weeks", true) +
           Th("Outlier person-weeks", true) + "</tr></thead><tbody>";
    for (const auto& [week, row] : weeks) {
      out += "<tr>" + Td(week) +
             Td(row.holiday ? "yes (" + FormatSigned(row.z, 2) + ")" : std::string("")) +
             Td(FormatCount(row.inactive), true) + Td(FormatCount(row.outlier), true) + "</tr>";
    }
    out += "</tbody></table>";
  } else {
    out += Empty("No week has a finding.");
  }
  return out + "</section>";
}

// ---- provenance and join ----------------------------------------------------------------------

std::string StateClass(std::string_view state) {
  std::string s;
  for (char c : state) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (s.find("fail") != std::string::npos || s.find("quarantin") != std::string::npos ||
      s.find("error") != std::string::npos || s.find("reject") != std::string::npos) {
    return "badge bad";
  }
  if (s.find("import") != std::string::npos || s.find("done") != std::string::npos ||
      s.find("complete") != std::string::npos || s.find("succe") != std::string::npos ||
      s == "ok" || s.find("clean") != std::string::npos) {
    return "badge good";
  }
  return "badge";
}

std::string RenderProvenance(const ReportInput& in) {
  std::string out = OpenSection(6);
  if (in.provenance.empty()) return out + Empty("No drop provenance was provided.") + "</section>";
  out += "<table class=\"provenance\"><thead><tr>" + Th("Run id") + Th("Tenant") + Th("Kind") +
         Th("State") + Th("Rows", true) + Th("Finished") + Th("Error") + "</tr></thead><tbody>";
  for (const auto& d : in.provenance) {
    out += "<tr><td class=\"name\"><code>" + Escape(d.run_id) + "</code></td>" + Td(d.tenant_id) +
           Td(d.kind) + "<td><span class=\"" + StateClass(d.state) + "\">" + Escape(d.state) +
           "</span></td>" +
           Td(d.rows >= 0 ? FormatCount(d.rows) : std::string("\xE2\x80\x93"), true) +
           Td(d.finished_at.empty() ? std::string("\xE2\x80\x93") : d.finished_at);
    out += "<td class=\"error\" title=\"" + Escape(d.error) + "\">" +
           Escape(internal::Truncate(d.error, 160)) + "</td></tr>";
  }
  out += "</tbody></table>";
  return out + "</section>";
}

std::string RenderJoin(const ReportInput& in) {
  std::string out = OpenSection(7);
  if (!in.join) return out + Empty("No partner join was provided.") + "</section>";
  const JoinSummary& j = *in.join;
  const std::string partner = j.partner_name.empty() ? "partner data" : j.partner_name;
  const double record_rate = Rate(j.matched_records, j.partner_records);
  out += "<p>" +
         Escape(FormatCount(j.matched_records) + " of " + FormatCount(j.partner_records) +
                " records of " + partner + " matched a Viva Insights person" +
                (j.join_key.empty() ? std::string() : " by " + j.join_key) + ": " +
                FormatPercent(record_rate) + ".") +
         "</p>";
  if (j.partner_persons > 0) {
    const double rate = Rate(j.matched_persons, j.partner_persons);
    out += "<p>" +
           Escape(FormatCount(j.matched_persons) + " of " + FormatCount(j.partner_persons) +
                  " persons of " + partner + " have Viva Insights data: " + FormatPercent(rate) +
                  "; " + FormatCount(j.partner_unresolved_persons) +
                  " are unknown to the user export or share an address with another person "
                  "(refused, not guessed).") +
           "</p>";
  }
  out += "<table class=\"join\"><tbody>";
  if (j.partner_persons > 0) {
    const double rate = Rate(j.matched_persons, j.partner_persons);
    out += "<tr>" + Th("Partner persons matched") + "<td>" +
           internal::RenderShareBar(rate, "Match rate of partner persons " + FormatPercent(rate)) +
           "</td>" + Td(FormatPercent(rate), true) + "</tr>";
  }
  out += "<tr>" + Th("Partner records matched") + "<td>" +
         internal::RenderShareBar(record_rate,
                                  "Match rate of partner records " + FormatPercent(record_rate)) +
         "</td>" + Td(FormatPercent(record_rate), true) + "</tr>";
  if (j.viva_persons > 0) {
    const double person_rate = Rate(j.matched_persons, j.viva_persons);
    out += "<tr>" + Th("Viva persons with partner data") + "<td>" +
           internal::RenderShareBar(person_rate, "Share of Viva persons with partner data " +
                                                     FormatPercent(person_rate)) +
           "</td>" + Td(FormatPercent(person_rate), true) + "</tr>";
  }
  out += "</tbody></table>";
  return out + "</section>";
}

// ---- writing ----------------------------------------------------------------------------------

core::Status IoError(std::string_view what, const std::filesystem::path& path, int err) {
  std::string message = fmt::format("{} {}: {}", what, path.string(), std::strerror(err));
  if (err == ENOENT || err == ENOTDIR) {
    return core::NotFoundError(message + "; create the folder first");
  }
  if (err == EACCES || err == EPERM || err == EROFS) return core::PermissionDeniedError(message);
  return core::FailedPreconditionError(message);
}

// Owns a file descriptor and, until Release, the temporary file's name.
class TempFile {
 public:
  explicit TempFile(std::filesystem::path path) : path_(std::move(path)) {}
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!released_) ::unlink(path_.c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  int& fd() { return fd_; }
  const std::filesystem::path& path() const { return path_; }
  void Release() { released_ = true; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  bool released_ = false;
};

}  // namespace

// ---- meetings ---------------------------------------------------------------------------------

std::string RenderMeetings(const ReportInput& in) {
  std::string out = OpenSection(8);
  if (!in.meetings) {
    return out +
           Empty(
               "No meeting metrics: no Outlook calendar drop (CalendarView / Event) was "
               "imported.") +
           "</section>";
  }
  const MeetingsSection& m = *in.meetings;
  out +=
      "<p class=\"note\">Weekly meeting metrics vivalink derived from the raw Outlook events of "
      "imported calendar drops (definitions: docs/MEETINGS.md): scheduled meetings the person "
      "organised or accepted, overlapping time counted once, after-hours in each person's zone. "
      "They are candidates in every driver analysis above under the prefix \"Calendar\"; "
      "below, each key metric is related to them alone.</p>";
  out += "<div class=\"kpis\">" +
         Kpi("Person-weeks with calendar data", std::to_string(m.person_weeks)) +
         Kpi("Persons", std::to_string(m.persons)) + Kpi("Weeks", std::to_string(m.weeks)) +
         "</div>";
  out += "<table><thead><tr>" + Th("Meeting metric") + Th("Person-weeks", true) + Th("Mean", true) +
         Th("Median", true) + "</tr></thead><tbody>";
  for (const auto& metric : m.metrics) {
    out += "<tr>" + Td(DisplayName(metric.metric)) + Td(std::to_string(metric.n), true) +
           Td(std::isnan(metric.mean) ? "\xE2\x80\x93" : fmt::format("{:.2f}", metric.mean), true) +
           Td(std::isnan(metric.median) ? "\xE2\x80\x93" : fmt::format("{:.2f}", metric.median),
              true) +
           "</tr>";
  }
  out += "</tbody></table>";
  for (const auto& d : m.drivers) {
    out += "<h3>" + Escape(DisplayName(d.outcome)) + " and meetings</h3>";
    if (d.person_week.empty()) {
      out += Empty("No meeting metric could be related to this metric.");
    } else {
      out += RenderDriverTable(d, in.driver_rows_shown);
    }
  }
  return out + "</section>";
}

std::string RenderReport(const ReportInput& in) {
  std::string out;
  out.reserve(1 << 18);
  out += "<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n";
  out += "<meta charset=\"utf-8\"/>\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n";
  out += "<meta name=\"generator\" content=\"vivalink\"/>\n";
  out += "<title>" + Escape(in.title) + "</title>\n<style>" + std::string(kCss) +
         "</style>\n</head>\n<body>\n<main>\n<header><h1>" + Escape(in.title) + "</h1>";
  std::string meta;
  if (!in.generated_at.empty()) meta = "Generated " + in.generated_at + ". ";
  meta +=
      "Groups with fewer than " + std::to_string(MinGroupSize(in)) + " persons are never shown.";
  out += "<p class=\"meta\">" + Escape(meta) + "</p>";
  out += "<nav aria-label=\"Sections\"><ul>";
  for (const auto& s : kSections) {
    out += fmt::format("<li><a href=\"#{}\">{}</a></li>", s.id, Escape(s.heading));
  }
  out += "</ul></nav></header>\n";
  out += RenderFindings(in) + "\n";
  out += RenderSummary(in) + "\n";
  out += RenderDrivers(in) + "\n";
  out += RenderGroups(in) + "\n";
  out += RenderTrends(in) + "\n";
  out += RenderHygiene(in) + "\n";
  out += RenderProvenance(in) + "\n";
  out += RenderJoin(in) + "\n";
  out += RenderMeetings(in) + "\n";
  out +=
      "<footer>Produced by vivalink. This file is self-contained: it loads nothing from the "
      "network.</footer>\n</main>\n</body>\n</html>\n";
  return out;
}

core::Status WriteReport(const ReportInput& input, const std::filesystem::path& out) {
  if (out.empty() || !out.has_filename()) {
    return core::InvalidArgumentError("report path \"" + out.string() + "\" names no file");
  }
  const std::string html = RenderReport(input);
  std::random_device rd;
  std::filesystem::path dir = out.parent_path();
  if (dir.empty()) dir = ".";
  TempFile tmp(dir / fmt::format(".{}.tmp-{}-{:08x}", out.filename().string(), ::getpid(), rd()));
  tmp.fd() = ::open(tmp.path().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (tmp.fd() < 0) {
    const int err = errno;
    tmp.Release();  // nothing was created
    return IoError("cannot create the temporary report file", tmp.path(), err);
  }
  size_t written = 0;
  while (written < html.size()) {
    const ssize_t n = ::write(tmp.fd(), html.data() + written, html.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return IoError("cannot write", tmp.path(), errno);
    }
    written += static_cast<size_t>(n);
  }
  if (::fsync(tmp.fd()) != 0) return IoError("cannot flush", tmp.path(), errno);
  const int fd = tmp.fd();
  tmp.fd() = -1;
  if (::close(fd) != 0) return IoError("cannot close", tmp.path(), errno);
  if (::rename(tmp.path().c_str(), out.c_str()) != 0) {
    return IoError("cannot rename the report into place at", out, errno);
  }
  tmp.Release();
  return core::OkStatus();
}

}  // namespace vivalink::report

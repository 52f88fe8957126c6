#include "join/join.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "core/time.h"

namespace vivalink::join {

namespace {

double Rate(int64_t part, int64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole)
                   : std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

std::string ToText(const JoinReport& r) {
  return fmt::format(
      "join: {} of {} partner persons matched to Viva Insights data ({:.1f}%; {} resolved by "
      "identity, {:.1f}%); unmatched: {} Viva persons, {} partner persons ({} unknown to the user "
      "export or ambiguous); {} ambiguous e-mails in the user export; partner rows: {} read, {} "
      "refused, {} exact duplicates dropped, {} merged into an existing person-week; {} joined "
      "rows",
      r.matched_persons, r.partner_persons, 100 * r.match_rate, r.partner_resolved_persons,
      100 * r.resolved_rate, r.viva_unmatched_persons, r.partner_unmatched_persons,
      r.partner_unresolved_persons, r.ambiguous_emails, r.partner_rows, r.partner_rows_refused,
      r.duplicate_rows_dropped, r.conflicting_rows_merged, r.joined_rows);
}

std::string ToJson(const JoinReport& r) {
  auto num = [](double v) -> nlohmann::ordered_json {
    return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
  };
  nlohmann::ordered_json j = {{"viva_rows", r.viva_rows},
                              {"viva_persons", r.viva_persons},
                              {"partner_persons", r.partner_persons},
                              {"partner_resolved_persons", r.partner_resolved_persons},
                              {"matched_persons", r.matched_persons},
                              {"resolved_rate", num(r.resolved_rate)},
                              {"match_rate", num(r.match_rate)},
                              {"viva_unmatched_persons", r.viva_unmatched_persons},
                              {"partner_unmatched_persons", r.partner_unmatched_persons},
                              {"partner_unresolved_persons", r.partner_unresolved_persons},
                              {"ambiguous_emails", r.ambiguous_emails},
                              {"partner_rows", r.partner_rows},
                              {"partner_rows_refused", r.partner_rows_refused},
                              {"duplicate_rows_dropped", r.duplicate_rows_dropped},
                              {"conflicting_rows_merged", r.conflicting_rows_merged},
                              {"partner_entries_unmatched", r.partner_entries_unmatched},
                              {"joined_rows", r.joined_rows},
                              {"matched_person_weeks", r.matched_person_weeks},
                              {"renamed_columns", r.renamed_columns}};
  return j.dump();
}

core::Result<JoinResult> JoinPartners(const analysis::Frame& viva,
                                      std::span<const PartnerTable* const> partners,
                                      const JoinOptions& options, const IdentityIndex* index) {
  if (partners.empty()) {
    return core::InvalidArgumentError("nothing to join: no partner data was given");
  }
  ASSIGN_OR_RETURN(const analysis::FrameColumn* person, viva.GetCategorical(options.person_column));
  bool any_weekly = false;
  for (const auto* p : partners) any_weekly = any_weekly || !p->is_static();
  const analysis::FrameColumn* week = nullptr;
  std::vector<core::Date> week_of_level;
  if (any_weekly) {
    ASSIGN_OR_RETURN(week, viva.GetCategorical(options.week_column));
    week_of_level.reserve(week->levels.size());
    for (const auto& level : week->levels) {
      std::string_view text = level;
      auto date = core::ParseDate(text.substr(0, std::min<size_t>(text.size(), 10)));
      if (!date.ok()) {
        return core::InvalidArgumentError(
            fmt::format("Viva column '{}' holds '{}', which is not a date YYYY-MM-DD",
                        options.week_column, level));
      }
      week_of_level.push_back(core::WeekStart(*date, options.week_start));
    }
  }

  // Person level -> normalised id -> slot in each table, once per distinct person.
  const size_t num_tables = partners.size();
  std::vector<std::string> person_ids;
  person_ids.reserve(person->levels.size());
  std::vector<int32_t> slot(person->levels.size() * num_tables, PartnerTable::kNoEntry);
  for (size_t l = 0; l < person->levels.size(); ++l) {
    person_ids.push_back(NormalizeObjectId(person->levels[l]));
    for (size_t t = 0; t < num_tables; ++t) {
      slot[l * num_tables + t] = partners[t]->PersonSlot(person_ids.back());
    }
  }

  JoinReport report;
  report.viva_rows = static_cast<int64_t>(viva.num_rows());
  const size_t n = viva.num_rows();
  std::vector<int32_t> entry(n * num_tables, PartnerTable::kNoEntry);
  std::vector<uint8_t> keep(n, 0);
  std::vector<std::vector<uint8_t>> entry_hit(num_tables);
  for (size_t t = 0; t < num_tables; ++t) entry_hit[t].assign(partners[t]->num_entries(), 0);
  std::vector<uint8_t> person_joined(person->levels.size(), 0);
  std::vector<uint8_t> person_present(person->levels.size(), 0);
  for (size_t r = 0; r < n; ++r) {
    int32_t code = person->codes[r];
    if (code == analysis::kMissingCode) continue;
    person_present[code] = 1;
    bool all = true;
    for (size_t t = 0; t < num_tables; ++t) {
      const PartnerTable& table = *partners[t];
      int32_t e = PartnerTable::kNoEntry;
      if (table.is_static()) {
        e = table.FindSlot(slot[code * num_tables + t], core::Date{});
      } else if (week->codes[r] != analysis::kMissingCode) {
        e = table.FindSlot(slot[code * num_tables + t], week_of_level[week->codes[r]]);
      }
      entry[r * num_tables + t] = e;
      all = all && e != PartnerTable::kNoEntry;
    }
    if (all) {
      ++report.matched_person_weeks;
      person_joined[code] = 1;
      for (size_t t = 0; t < num_tables; ++t) entry_hit[t][entry[r * num_tables + t]] = 1;
    }
    keep[r] = (all || options.keep_unmatched_viva_rows) ? 1 : 0;
  }
  if (options.keep_unmatched_viva_rows) {
    for (size_t r = 0; r < n; ++r) keep[r] = 1;
  }

  // Persons: distinct normalised ids over the Viva frame and all partner tables.
  std::unordered_set<std::string> viva_persons, matched;
  for (size_t l = 0; l < person_ids.size(); ++l) {
    if (!person_present[l]) continue;
    viva_persons.insert(person_ids[l]);
    if (person_joined[l]) matched.insert(person_ids[l]);
  }
  std::unordered_set<std::string> partner_persons, refused;
  for (const auto* p : partners) {
    partner_persons.insert(p->persons().begin(), p->persons().end());
    refused.insert(p->refused_keys().begin(), p->refused_keys().end());
    const auto& s = p->stats();
    report.partner_rows += s.rows_read;
    report.partner_rows_refused += s.rows_unknown_key + s.rows_ambiguous_key + s.rows_without_key;
    report.duplicate_rows_dropped += s.exact_duplicates_dropped;
    report.conflicting_rows_merged += s.rows_merged;
  }
  for (size_t t = 0; t < num_tables; ++t) {
    for (uint8_t hit : entry_hit[t]) report.partner_entries_unmatched += hit ? 0 : 1;
  }
  report.viva_persons = static_cast<int64_t>(viva_persons.size());
  report.partner_resolved_persons = static_cast<int64_t>(partner_persons.size());
  report.partner_unresolved_persons = static_cast<int64_t>(refused.size());
  report.partner_persons = report.partner_resolved_persons + report.partner_unresolved_persons;
  report.matched_persons = static_cast<int64_t>(matched.size());
  report.resolved_rate = Rate(report.partner_resolved_persons, report.partner_persons);
  report.match_rate = Rate(report.matched_persons, report.partner_persons);
  report.viva_unmatched_persons = report.viva_persons - report.matched_persons;
  report.partner_unmatched_persons = report.partner_persons - report.matched_persons;
  if (index != nullptr) report.ambiguous_emails = index->stats().ambiguous_emails;

  JoinResult result{viva.FilterRows(keep), std::move(report)};
  std::vector<size_t> kept_rows;
  kept_rows.reserve(n);
  for (size_t r = 0; r < n; ++r) {
    if (keep[r]) kept_rows.push_back(r);
  }
  result.report.joined_rows = static_cast<int64_t>(kept_rows.size());
  for (size_t t = 0; t < num_tables; ++t) {
    const PartnerTable& table = *partners[t];
    for (size_t c = 0; c < table.columns().size(); ++c) {
      const PartnerColumnInfo& info = table.columns()[c];
      std::string name = info.name;
      if (result.frame.Find(name) != nullptr) {
        name = options.clash_prefix + name;
        if (result.frame.Find(name) != nullptr) {
          return core::InvalidArgumentError(fmt::format(
              "partner column '{}' clashes with a Viva column, and so does '{}'; rename it",
              info.name, name));
        }
        result.report.renamed_columns.push_back(name);
      }
      if (info.kind == analysis::ColumnKind::kNumeric) {
        std::vector<double> values(kept_rows.size(), std::numeric_limits<double>::quiet_NaN());
        for (size_t i = 0; i < kept_rows.size(); ++i) {
          int32_t e = entry[kept_rows[i] * num_tables + t];
          if (e != PartnerTable::kNoEntry) values[i] = table.NumberAt(c, e);
        }
        RETURN_IF_ERROR(result.frame.AddNumeric(std::move(name), std::move(values)));
      } else {
        std::vector<int32_t> codes(kept_rows.size(), analysis::kMissingCode);
        for (size_t i = 0; i < kept_rows.size(); ++i) {
          int32_t e = entry[kept_rows[i] * num_tables + t];
          if (e != PartnerTable::kNoEntry) codes[i] = table.CodeAt(c, e);
        }
        RETURN_IF_ERROR(
            result.frame.AddCategorical(std::move(name), std::move(codes), table.Levels(c)));
      }
    }
  }
  return result;
}

}  // namespace vivalink::join

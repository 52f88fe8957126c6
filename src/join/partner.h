// Partner data: the partner's own rows about the same people (a CRM export: deals won, revenue,
// customer satisfaction; an HR extract: attrition, tenure), resolved to Entra object ids and
// aligned to Viva Insights weeks, ready to be joined to person-week metrics (join.h).
//
// Input: CSV or JSON lines (formats::OpenRowReader), with
//   - a declared key column and key type: e-mail (resolved through the user export, identity.h)
//     or object id (used directly, compared lower case);
//   - optionally a date column. With one, the data is daily or weekly: each date (YYYY-MM-DD, or
//     an ISO 8601 date-time whose date part is used) maps to the start of its Viva Insights week,
//     a Sunday (the MetricDate of person queries and of vivasim is the week's Sunday), so a daily
//     date lands on its week's Sunday and a weekly date that already is the Sunday stays. Without
//     one, the data is static: one value per person, broadcast to every person-week by the join.
//   - value columns, each with an aggregation used when several rows fall on one entry (a
//     person-week, or a person for static data):
//       kSum   additive metrics (revenue, deals won) — the sum of the values present;
//       kMean  everything else (scores, rates, flags) — the mean of the values present;
//       kFirst the first value present in file order (the only choice for text columns).
//     Defaults: number and bool columns take PartnerOptions::numeric_default (kMean: never larger
//     than the data, so an undeclared additive column is understated rather than inflated —
//     declare additive columns kSum); text columns take kFirst. An entry whose rows hold no value
//     for a column is missing (NaN / missing category).
//
// Duplicates (documented rule):
//   1. exact duplicate rows (every cell equal, numbers compared as values) are dropped and counted
//      (stats().exact_duplicates_dropped);
//   2. the remaining rows that fall on the same entry (the same person-week — e.g. one row by the
//      primary address and one by an alias — or, for static data, the same person) are conflicting
//      and are combined by each column's aggregation above; they are counted in rows_merged.
// Rows with an empty key are skipped (rows_without_key); keys the user export does not know
// (rows_unknown_key) and ambiguous e-mails (rows_ambiguous_key) are refused, never guessed. Counts
// only are reported; no identifier leaves this module except through the table's lookups.
//
// Complexity: one hash lookup per row and cell; memory linear in the distinct rows.
// Thread-safety: a loader needs exclusive access; a finished (const) table may be read from many
// threads.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "analysis/frame.h"
#include "core/io.h"
#include "core/status.h"
#include "core/time.h"
#include "formats/reader.h"
#include "formats/row_batch.h"
#include "join/resolver.h"

namespace vivalink::join {

enum class Aggregation { kDefault, kSum, kMean, kFirst };
// "default", "sum", "mean", "first".
std::string_view AggregationName(Aggregation aggregation);
// Parses the names above (any case; "avg" for mean). kInvalidArgument otherwise.
core::Result<Aggregation> ParseAggregation(std::string_view text);

struct PartnerColumnSpec {
  std::string name;  // source or canonical name ("Customer satisfaction" = "Customer_satisfaction")
  Aggregation aggregation = Aggregation::kDefault;
};

struct PartnerOptions {
  std::string key_column = "Email";  // source or canonical name ("ObjectId" becomes "PersonId")
  KeyType key_type = KeyType::kEmail;
  std::string date_column = "";  // "": static data (one value per person)
  // Value columns. Empty: every column except the key and the date columns, with defaults.
  std::vector<PartnerColumnSpec> columns = {};
  // Aggregation of a column not listed in `columns` (when those are all taken) or listed with
  // kDefault: number/bool columns take numeric_default, text columns kFirst.
  Aggregation numeric_default = Aggregation::kMean;
  // Per-column overrides by name, applied whether or not `columns` is empty.
  std::unordered_map<std::string, Aggregation> aggregation_of = {};
  std::chrono::weekday week_start = std::chrono::Sunday;  // Viva Insights weeks start on Sunday
  // With date_column empty: take the first column of the first non-empty batch named (any case)
  // MetricDate, Week, Date, Day, WeekStart or Week_start as the date column, and treat the data
  // as static only when there is none. False: an empty date_column always means static.
  bool detect_date_column = false;
};

// The date column detect_date_column picks in a batch (its canonical name), or "" for none.
std::string DetectDateColumn(const formats::RowBatch& batch);

struct PartnerLoadStats {
  int64_t rows_read = 0;                 // every data row of the input
  int64_t exact_duplicates_dropped = 0;  // rule 1
  int64_t rows_without_key = 0;          // empty key cell
  int64_t rows_unknown_key = 0;          // key not in the user export
  int64_t rows_ambiguous_key = 0;        // key is an ambiguous e-mail
  int64_t rows_used = 0;                 // rows that contributed to an entry
  int64_t rows_merged = 0;               // rule 2: used rows that fell on an existing entry
  int64_t entries = 0;                   // person-weeks (or persons, static) after aggregation
  int64_t persons = 0;                   // distinct resolved persons
  int64_t unknown_keys = 0;              // distinct unknown keys (normalised)
  int64_t ambiguous_keys = 0;            // distinct ambiguous keys (normalised)
};

struct PartnerColumnInfo {
  std::string name;  // canonical name
  analysis::ColumnKind kind = analysis::ColumnKind::kNumeric;
  Aggregation aggregation = Aggregation::kMean;  // resolved (never kDefault)
};

// The aligned partner data: entries keyed by (person, week) or by person (static).
class PartnerTable {
 public:
  static constexpr int32_t kNoEntry = -1;

  bool is_static() const { return is_static_; }
  // The (canonical) date column the rows were aligned by; "" for static data.
  const std::string& date_column() const { return date_column_; }
  const PartnerLoadStats& stats() const { return stats_; }
  const std::vector<PartnerColumnInfo>& columns() const { return info_; }

  // The entry of a person (normalised object id, see NormalizeObjectId) in a week (the week's
  // start; ignored for static data), or kNoEntry.
  int32_t Find(std::string_view object_id, core::Date week_start) const;
  // Same, with a person slot from PersonSlot() (avoids hashing the id again per row).
  int32_t PersonSlot(std::string_view object_id) const;
  int32_t FindSlot(int32_t person_slot, core::Date week_start) const;

  // Values of an entry. Numeric columns: NaN when missing. Categorical: codes into levels.
  double NumberAt(size_t column, int32_t entry) const { return numbers_[column][entry]; }
  int32_t CodeAt(size_t column, int32_t entry) const { return codes_[column][entry]; }
  const std::vector<std::string>& Levels(size_t column) const { return levels_[column]; }

  // The distinct persons (normalised object ids) and refused keys (normalised), for the join's
  // report. Counts of these are reported, never their contents.
  const std::vector<std::string>& persons() const { return persons_; }
  const std::unordered_set<std::string>& refused_keys() const { return refused_keys_; }
  int32_t num_entries() const { return static_cast<int32_t>(entry_person_.size()); }
  int32_t EntryPerson(int32_t entry) const { return entry_person_[entry]; }
  // The week (its start day) of an entry of weekly data; the epoch for static data.
  core::Date EntryWeek(int32_t entry) const {
    return core::Date{std::chrono::days{entry_days_[entry]}};
  }

 private:
  friend class PartnerLoader;
  static uint64_t EntryKey(int32_t slot, int64_t days) {
    return (static_cast<uint64_t>(static_cast<uint32_t>(slot)) << 32) |
           static_cast<uint32_t>(static_cast<int32_t>(days));
  }

  bool is_static_ = false;
  std::string date_column_;
  PartnerLoadStats stats_;
  std::vector<PartnerColumnInfo> info_;
  std::vector<std::vector<double>> numbers_;  // per column (empty for categorical)
  std::vector<std::vector<int32_t>> codes_;   // per column (empty for numeric)
  std::vector<std::vector<std::string>> levels_;
  std::vector<std::string> persons_;
  std::unordered_map<std::string, int32_t> person_slot_;
  std::unordered_map<uint64_t, int32_t> entries_;
  std::vector<int32_t> entry_person_;
  std::vector<int32_t> entry_days_;  // days since the epoch of each entry's week (0: static)
  std::unordered_set<std::string> refused_keys_;  // unknown and ambiguous keys
};

// Builds a PartnerTable from RowBatches (as produced by formats::RowReader).
class PartnerLoader {
 public:
  // index: resolves keys to persons (the user export's IdentityIndex, or the identities stored
  // in the database, stored.h); required for e-mail keys (nullptr is then kInvalidArgument at
  // the first Append), optional for object ids. It must outlive the loader.
  PartnerLoader(const KeyResolver* index, PartnerOptions options);
  ~PartnerLoader();
  PartnerLoader(PartnerLoader&&) noexcept;
  PartnerLoader& operator=(PartnerLoader&&) noexcept;

  // Adds the batch's rows. Errors: kInvalidArgument for a missing key or date column, a key or
  // date column that is not text, a kSum/kMean aggregation declared for a text column, or e-mail
  // keys without an index; kDataLoss for a date that does not parse (naming the line, not the
  // row's identifiers).
  core::Status Append(const formats::RowBatch& batch);
  // The table. kNotFound when a declared value column never appeared.
  core::Result<PartnerTable> Finish() &&;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Reads every row of source into a PartnerTable. Errors: the reader's and the loader's, with
// options.source_name as context.
core::Result<PartnerTable> LoadPartner(std::unique_ptr<core::ByteSource> source,
                                       const formats::ReaderOptions& reader_options,
                                       const KeyResolver* index, const PartnerOptions& options);
// The same for a file; kNotFound when it cannot be opened.
core::Result<PartnerTable> LoadPartnerFile(const std::string& path, const KeyResolver* index,
                                           const PartnerOptions& options);

}  // namespace vivalink::join

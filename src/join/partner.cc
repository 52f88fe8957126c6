#include "join/partner.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>

#include "core/strings.h"
#include "formats/canonical.h"
#include "join/internal/file.h"

namespace vivalink::join {

std::string_view AggregationName(Aggregation aggregation) {
  switch (aggregation) {
    case Aggregation::kDefault:
      return "default";
    case Aggregation::kSum:
      return "sum";
    case Aggregation::kMean:
      return "mean";
    case Aggregation::kFirst:
      return "first";
  }
  return "default";
}

core::Result<Aggregation> ParseAggregation(std::string_view text) {
  std::string t = core::ToLower(core::Trim(text));
  if (t == "default") return Aggregation::kDefault;
  if (t == "sum") return Aggregation::kSum;
  if (t == "mean" || t == "avg") return Aggregation::kMean;
  if (t == "first") return Aggregation::kFirst;
  return core::InvalidArgumentError(
      fmt::format("unknown aggregation '{}': use sum, mean or first", text));
}

std::string DetectDateColumn(const formats::RowBatch& batch) {
  for (const char* candidate : {"MetricDate", "Week", "Date", "Day", "WeekStart", "Week_start"}) {
    for (const auto& c : batch.columns()) {
      if (core::EqualsIgnoreCase(c.name(), candidate)) return c.name();
    }
  }
  return "";
}

int32_t PartnerTable::PersonSlot(std::string_view object_id) const {
  auto it = person_slot_.find(std::string(object_id));
  return it == person_slot_.end() ? kNoEntry : it->second;
}

int32_t PartnerTable::FindSlot(int32_t person_slot, core::Date week_start) const {
  if (person_slot < 0) return kNoEntry;
  int64_t days = is_static_ ? 0 : week_start.time_since_epoch().count();
  auto it = entries_.find(EntryKey(person_slot, days));
  return it == entries_.end() ? kNoEntry : it->second;
}

int32_t PartnerTable::Find(std::string_view object_id, core::Date week_start) const {
  return FindSlot(PersonSlot(object_id), week_start);
}

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The batch's column names for error messages (names only, never values), at most 20.
std::string ColumnList(const formats::RowBatch& batch) {
  std::string out;
  for (size_t c = 0; c < batch.num_columns() && c < 20; ++c) {
    out += (c > 0 ? ", " : "") + batch.column(c).name();
  }
  if (batch.num_columns() > 20) out += ", ...";
  return out;
}

// Hash maps keyed by std::string and looked up by std::string_view (no allocation per lookup).
struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

// One value column being aggregated; entries are appended in step with the table's entries.
struct Accumulator {
  std::string name;
  Aggregation declared = Aggregation::kDefault;
  bool seen = false;  // appeared in some batch (its kind is then known)
  analysis::ColumnKind kind = analysis::ColumnKind::kNumeric;
  Aggregation aggregation = Aggregation::kMean;
  std::vector<double> value;  // sum (kSum, kMean) or first value (kFirst)
  std::vector<int32_t> count;
  std::vector<int32_t> codes;
  std::vector<std::string> levels;
  std::unordered_map<std::string, int32_t> dict;

  void Grow(size_t entries) {
    value.resize(entries, 0.0);
    count.resize(entries, 0);
    codes.resize(entries, analysis::kMissingCode);
  }
};

}  // namespace

struct PartnerLoader::State {
  const KeyResolver* index = nullptr;
  PartnerOptions options;
  std::string key_name, date_name;
  bool all_columns = true;
  bool date_decided = true;  // false until detection saw a batch (detect_date_column)
  PartnerTable table;
  std::vector<Accumulator> acc;
  std::unordered_map<std::string, size_t> acc_index;
  // Exact duplicates: every distinct serialised row, kept in an arena of large blocks (no
  // allocation per row) and looked up by view.
  std::unordered_set<std::string_view> seen_rows;
  std::vector<std::unique_ptr<char[]>> arena;
  size_t arena_left = 0;
  char* arena_next = nullptr;
  std::unordered_set<std::string> unknown_keys, ambiguous_keys;
  // The key cell's text -> how it resolved: each distinct key is resolved (and normalised) once.
  struct Key {
    ResolveOutcome outcome = ResolveOutcome::kUnknown;
    int32_t slot = -1;
  };
  StringMap<Key> key_cache;
  StringMap<int64_t> date_cache;  // date text -> week start (days)
  std::string row_text;

  // Copies text into the arena; the view stays valid while the State lives.
  std::string_view Keep(std::string_view text) {
    if (text.size() > arena_left) {
      const size_t block = std::max<size_t>(size_t{1} << 20, text.size());
      arena.push_back(std::make_unique<char[]>(block));
      arena_next = arena.back().get();
      arena_left = block;
    }
    std::copy(text.begin(), text.end(), arena_next);
    std::string_view kept(arena_next, text.size());
    arena_next += text.size();
    arena_left -= text.size();
    return kept;
  }

  Aggregation Resolved(const Accumulator& a) const {
    Aggregation agg = a.declared;
    if (auto it = options.aggregation_of.find(a.name); it != options.aggregation_of.end()) {
      agg = it->second;
    }
    if (agg == Aggregation::kDefault) {
      return a.kind == analysis::ColumnKind::kCategorical ? Aggregation::kFirst
                                                          : options.numeric_default;
    }
    return agg;
  }

  Accumulator* Column(const formats::Column& column) {
    auto it = acc_index.find(column.name());
    if (it == acc_index.end()) {
      if (!all_columns) return nullptr;
      Accumulator a;
      a.name = column.name();
      it = acc_index.emplace(a.name, acc.size()).first;
      acc.push_back(std::move(a));
    }
    return &acc[it->second];
  }

  core::Status Bind(Accumulator& a, const formats::Column& column) {
    auto kind = column.type() == formats::ColumnType::kString ? analysis::ColumnKind::kCategorical
                                                              : analysis::ColumnKind::kNumeric;
    if (!a.seen) {
      a.seen = true;
      a.kind = kind;
      a.aggregation = Resolved(a);
      if (kind == analysis::ColumnKind::kCategorical && a.aggregation != Aggregation::kFirst) {
        return core::InvalidArgumentError(fmt::format(
            "partner column '{}' holds text; it can only be aggregated with 'first', not '{}'",
            a.name, AggregationName(a.aggregation)));
      }
      a.Grow(table.entry_person_.size());
    } else if (a.kind != kind) {
      return core::InvalidArgumentError(
          fmt::format("partner column '{}' changes between text and numbers", a.name));
    }
    return core::OkStatus();
  }

  // Serialises every non-null cell (by column name, so a column that appears later in the file
  // does not change the text of rows where it is null).
  void Serialise(const formats::RowBatch& batch, size_t r) {
    row_text.clear();
    for (const auto& c : batch.columns()) {
      if (c.IsNull(r)) continue;
      row_text.append(c.name());
      row_text.push_back('\x1f');
      if (c.type() == formats::ColumnType::kString) {
        row_text.push_back('s');
        row_text.append(c.StringAt(r));
      } else {
        row_text.push_back('n');
        double v = c.NumberAt(r);
        if (v == 0) v = 0;  // -0 == 0
        auto bits = std::bit_cast<uint64_t>(v);
        row_text.append(reinterpret_cast<const char*>(&bits), sizeof(bits));
      }
      row_text.push_back('\x1e');
    }
  }

  core::Result<int64_t> WeekOf(std::string_view text, uint64_t line) {
    auto it = date_cache.find(text);
    if (it != date_cache.end()) return it->second;
    std::string_view t = core::Trim(text);
    auto date = core::ParseDate(t.substr(0, std::min<size_t>(t.size(), 10)));
    if (!date.ok() || (t.size() > 10 && !core::ParseIso8601(t).ok())) {
      return core::DataLossError(fmt::format(
          "line {}: date column '{}' holds '{}', which is not a date (expected YYYY-MM-DD or an "
          "ISO 8601 date-time)",
          line, date_name, text));
    }
    int64_t days = core::WeekStart(*date, options.week_start).time_since_epoch().count();
    date_cache.emplace(std::string(text), days);
    return days;
  }

  int32_t Slot(std::string object_id) {
    auto [it, inserted] =
        table.person_slot_.emplace(object_id, static_cast<int32_t>(table.persons_.size()));
    if (inserted) table.persons_.push_back(std::move(object_id));
    return it->second;
  }
};

PartnerLoader::PartnerLoader(const KeyResolver* index, PartnerOptions options)
    : state_(std::make_unique<State>()) {
  state_->index = index;
  state_->key_name = formats::CanonicalName(options.key_column);
  state_->date_name =
      options.date_column.empty() ? "" : formats::CanonicalName(options.date_column);
  state_->all_columns = options.columns.empty();
  for (const auto& spec : options.columns) {
    Accumulator a;
    a.name = formats::CanonicalName(spec.name);
    a.declared = spec.aggregation;
    if (state_->acc_index.count(a.name) > 0) continue;
    state_->acc_index.emplace(a.name, state_->acc.size());
    state_->acc.push_back(std::move(a));
  }
  std::unordered_map<std::string, Aggregation> canonical_overrides;
  for (const auto& [name, agg] : options.aggregation_of) {
    canonical_overrides.emplace(formats::CanonicalName(name), agg);
  }
  options.aggregation_of = std::move(canonical_overrides);
  state_->table.is_static_ = state_->date_name.empty();
  state_->date_decided = !(state_->date_name.empty() && options.detect_date_column);
  state_->options = std::move(options);
}

PartnerLoader::~PartnerLoader() = default;
PartnerLoader::PartnerLoader(PartnerLoader&&) noexcept = default;
PartnerLoader& PartnerLoader::operator=(PartnerLoader&&) noexcept = default;

core::Status PartnerLoader::Append(const formats::RowBatch& batch) {
  State& s = *state_;
  if (batch.num_rows() == 0) return core::OkStatus();
  if (!s.date_decided) {
    s.date_name = DetectDateColumn(batch);
    s.table.is_static_ = s.date_name.empty();
    s.date_decided = true;
  }
  if (s.options.key_type == KeyType::kEmail && s.index == nullptr) {
    return core::InvalidArgumentError(
        "partner rows keyed by e-mail need the Entra ID user export to resolve identities; pass "
        "the user export (--users) or key the partner data by object id");
  }
  int key_col = batch.Find(s.key_name);
  if (key_col < 0) {
    return core::InvalidArgumentError(fmt::format(
        "partner data has no key column '{}' (its columns: {}); name the column holding the "
        "e-mail or object id",
        s.key_name, ColumnList(batch)));
  }
  const formats::Column& key = batch.column(static_cast<size_t>(key_col));
  if (key.type() != formats::ColumnType::kString) {
    return core::InvalidArgumentError(fmt::format(
        "partner key column '{}' holds numbers; expected e-mails or object ids", s.key_name));
  }
  const formats::Column* date = nullptr;
  if (!s.table.is_static_) {
    int date_col = batch.Find(s.date_name);
    if (date_col < 0) {
      return core::InvalidArgumentError(fmt::format(
          "partner data has no date column '{}' (its columns: {}); name the date column, or "
          "declare the data static",
          s.date_name, ColumnList(batch)));
    }
    date = &batch.column(static_cast<size_t>(date_col));
    if (date->type() != formats::ColumnType::kString) {
      return core::InvalidArgumentError(fmt::format(
          "partner date column '{}' holds numbers; expected dates YYYY-MM-DD", s.date_name));
    }
  }
  // Which accumulator each batch column feeds.
  std::vector<std::pair<const formats::Column*, size_t>> feeds;
  for (size_t c = 0; c < batch.num_columns(); ++c) {
    const auto& column = batch.column(c);
    if (static_cast<int>(c) == key_col || &column == date) continue;
    Accumulator* a = s.Column(column);
    if (a == nullptr) continue;
    RETURN_IF_ERROR(s.Bind(*a, column));
    feeds.emplace_back(&column, static_cast<size_t>(a - s.acc.data()));
  }

  PartnerLoadStats& st = s.table.stats_;
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    ++st.rows_read;
    s.Serialise(batch, r);
    if (s.seen_rows.count(s.row_text) > 0) {
      ++st.exact_duplicates_dropped;
      continue;
    }
    s.seen_rows.insert(s.Keep(s.row_text));
    if (key.IsNull(r) || core::Trim(key.StringAt(r)).empty()) {
      ++st.rows_without_key;
      continue;
    }
    const std::string_view key_text = key.StringAt(r);
    auto known = s.key_cache.find(key_text);
    if (known == s.key_cache.end()) {
      Resolution who = s.index != nullptr
                           ? s.index->Resolve(key_text, s.options.key_type)
                           : Resolution{ResolveOutcome::kResolved, NormalizeObjectId(key_text)};
      State::Key k{who.outcome, -1};
      if (who.outcome == ResolveOutcome::kResolved) {
        k.slot = s.Slot(std::move(who.object_id));
      } else {
        (who.outcome == ResolveOutcome::kUnknown ? s.unknown_keys : s.ambiguous_keys)
            .insert(NormalizeEmail(key_text));
      }
      known = s.key_cache.emplace(std::string(key_text), k).first;
    }
    if (known->second.outcome == ResolveOutcome::kUnknown) {
      ++st.rows_unknown_key;
      continue;
    }
    if (known->second.outcome == ResolveOutcome::kAmbiguous) {
      ++st.rows_ambiguous_key;
      continue;
    }
    int64_t days = 0;
    if (date != nullptr) {
      if (date->IsNull(r)) {
        return core::DataLossError(
            fmt::format("line {}: date column '{}' is empty", batch.first_line + r, s.date_name));
      }
      ASSIGN_OR_RETURN(days, s.WeekOf(date->StringAt(r), batch.first_line + r));
    }
    const int32_t slot = known->second.slot;
    auto [it, inserted] = s.table.entries_.emplace(
        PartnerTable::EntryKey(slot, days), static_cast<int32_t>(s.table.entry_person_.size()));
    if (inserted) {
      s.table.entry_person_.push_back(slot);
      s.table.entry_days_.push_back(static_cast<int32_t>(days));
      for (auto& a : s.acc) {
        if (a.seen) a.Grow(s.table.entry_person_.size());
      }
    } else {
      ++st.rows_merged;
    }
    ++st.rows_used;
    int32_t e = it->second;
    for (const auto& [column, ai] : feeds) {
      if (column->IsNull(r)) continue;
      Accumulator& a = s.acc[ai];
      if (a.kind == analysis::ColumnKind::kCategorical) {
        if (a.codes[e] != analysis::kMissingCode) continue;  // kFirst
        std::string text(column->StringAt(r));
        auto [lv, added] = a.dict.emplace(text, static_cast<int32_t>(a.levels.size()));
        if (added) a.levels.push_back(std::move(text));
        a.codes[e] = lv->second;
        continue;
      }
      double v = column->NumberAt(r);
      if (a.aggregation == Aggregation::kFirst) {
        if (a.count[e] == 0) a.value[e] = v;
      } else {
        a.value[e] += v;
      }
      ++a.count[e];
    }
  }
  return core::OkStatus();
}

core::Result<PartnerTable> PartnerLoader::Finish() && {
  State& s = *state_;
  PartnerTable& t = s.table;
  for (auto& a : s.acc) {
    if (!a.seen) {
      if (!s.all_columns) {
        return core::NotFoundError(fmt::format(
            "partner data has no value column '{}' (or it is empty throughout)", a.name));
      }
      continue;
    }
    a.Grow(t.entry_person_.size());
    t.info_.push_back({a.name, a.kind, a.aggregation});
    if (a.kind == analysis::ColumnKind::kCategorical) {
      t.numbers_.emplace_back();
      t.codes_.push_back(std::move(a.codes));
      t.levels_.push_back(std::move(a.levels));
      continue;
    }
    std::vector<double> values(a.value.size(), kNaN);
    for (size_t e = 0; e < values.size(); ++e) {
      if (a.count[e] == 0) continue;
      values[e] = a.aggregation == Aggregation::kMean ? a.value[e] / a.count[e] : a.value[e];
    }
    t.numbers_.push_back(std::move(values));
    t.codes_.emplace_back();
    t.levels_.emplace_back();
  }
  t.date_column_ = t.is_static_ ? "" : s.date_name;
  t.stats_.entries = static_cast<int64_t>(t.entry_person_.size());
  t.stats_.persons = static_cast<int64_t>(t.persons_.size());
  t.stats_.unknown_keys = static_cast<int64_t>(s.unknown_keys.size());
  t.stats_.ambiguous_keys = static_cast<int64_t>(s.ambiguous_keys.size());
  t.refused_keys_ = std::move(s.unknown_keys);
  t.refused_keys_.merge(s.ambiguous_keys);
  return std::move(t);
}

core::Result<PartnerTable> LoadPartner(std::unique_ptr<core::ByteSource> source,
                                       const formats::ReaderOptions& reader_options,
                                       const KeyResolver* index, const PartnerOptions& options) {
  ASSIGN_OR_RETURN(auto reader, formats::OpenRowReader(std::move(source), reader_options));
  PartnerLoader loader(index, options);
  formats::RowBatch batch;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader->Next(batch));
    if (!more) break;
    RETURN_IF_ERROR(loader.Append(batch).WithContext(reader_options.source_name));
  }
  auto table = std::move(loader).Finish();
  if (!table.ok()) return table.status().WithContext(reader_options.source_name);
  return table;
}

core::Result<PartnerTable> LoadPartnerFile(const std::string& path, const KeyResolver* index,
                                           const PartnerOptions& options) {
  ASSIGN_OR_RETURN(std::string data, internal::ReadWholeFile(path));
  formats::ReaderOptions reader_options;
  reader_options.source_name = path;
  return LoadPartner(core::MemorySource::Owning(std::move(data)), reader_options, index, options);
}

}  // namespace vivalink::join

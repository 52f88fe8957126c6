#include "join/stored.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "core/secure.h"
#include "core/strings.h"
#include "core/time.h"
#include "crypto/hash.h"
#include "db/migrate.h"
#include "formats/canonical.h"
#include "formats/row_batch.h"
#include "identity/identity.h"
#include "join/internal/file.h"
#include "warehouse/meeting_weeks.h"
#include "warehouse/person_weeks.h"

namespace vivalink::join {
namespace {

using db::IntOf;
using db::TextOf;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int64_t kPartnerSchemaVersion = 3;  // db/schema.cc migration 3
constexpr size_t kBatchRows = 4096;

// Bits of the address kinds that hold one hash, in the order matched_by prefers them.
constexpr uint8_t kMail = 1, kUpn = 2, kProxy = 4;

core::Status CheckSchema(db::Database& db) {
  ASSIGN_OR_RETURN(int64_t version, db::SchemaVersion(db));
  if (version < kPartnerSchemaVersion) {
    return core::FailedPreconditionError(fmt::format(
        "the database {} has schema version {}; stored partner data needs version {} or later: "
        "run any vivalink command that opens it (they migrate), e.g. `vivalink status`",
        db.Describe(), version, kPartnerSchemaVersion));
  }
  return core::OkStatus();
}

core::Status CheckSource(std::string_view source) {
  bool ok = !source.empty() && source.size() <= 64;
  for (char c : source) {
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.');
  }
  if (!ok) {
    return core::InvalidArgumentError(fmt::format(
        "partner source name '{}' is not valid: use 1 to 64 letters, digits, '_', '-' or '.' "
        "(--source)",
        source));
  }
  return core::OkStatus();
}

std::string KindName(analysis::ColumnKind kind) {
  return kind == analysis::ColumnKind::kNumeric ? "numeric" : "categorical";
}

nlohmann::ordered_json ColumnsJson(const std::vector<PartnerColumnInfo>& columns) {
  auto out = nlohmann::ordered_json::array();
  for (const auto& c : columns) {
    out.push_back({{"name", c.name},
                   {"kind", KindName(c.kind)},
                   {"aggregation", AggregationName(c.aggregation)}});
  }
  return out;
}

core::Result<std::vector<PartnerColumnInfo>> ParseColumns(const std::string& text,
                                                          std::string_view where) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  auto bad = [&] {
    return core::DataLossError(fmt::format(
        "{}: value_columns is not the JSON that `vivalink partner load` writes; load the source "
        "again",
        where));
  };
  if (!j.is_array()) return bad();
  std::vector<PartnerColumnInfo> out;
  for (const auto& c : j) {
    if (!c.is_object() || !c.contains("name") || !c["name"].is_string() || !c.contains("kind") ||
        !c["kind"].is_string()) {
      return bad();
    }
    PartnerColumnInfo info;
    info.name = c["name"].get<std::string>();
    info.kind = c["kind"].get<std::string>() == "numeric" ? analysis::ColumnKind::kNumeric
                                                          : analysis::ColumnKind::kCategorical;
    info.aggregation = Aggregation::kFirst;
    if (c.contains("aggregation") && c["aggregation"].is_string()) {
      auto agg = ParseAggregation(c["aggregation"].get<std::string>());
      if (agg.ok()) info.aggregation = *agg;
    }
    out.push_back(std::move(info));
  }
  return out;
}

double Rate(int64_t part, int64_t whole) {
  return whole > 0 ? static_cast<double>(part) / static_cast<double>(whole) : kNaN;
}

}  // namespace

// ---- StoredIdentities ---------------------------------------------------------------------------

struct StoredIdentities::State {
  std::string tenant;
  core::SecureString key;
  struct Address {
    int32_t person = -1;  // -1: ambiguous
    uint8_t kinds = 0;
  };
  std::unordered_map<std::string, Address> addresses;   // value_hash -> person
  std::unordered_map<std::string, int32_t> object_ids;  // value_hash -> person
  std::vector<std::string> persons;                     // stored person keys
  std::unordered_map<std::string, int32_t> person_index;
  int64_t ambiguous = 0;
  // Filled by Resolve() (const): see the header.
  mutable std::unordered_map<std::string, Match> matches;
  mutable std::unordered_map<std::string, std::string> stored_of;  // normalised -> stored

  std::string_view Key() const { return {key.data(), key.size()}; }

  int32_t Person(const std::string& stored) {
    auto [it, inserted] = person_index.emplace(stored, static_cast<int32_t>(persons.size()));
    if (inserted) persons.push_back(stored);
    return it->second;
  }

  Resolution Resolved(const std::string& stored, std::string ref, std::string_view by) const {
    std::string normalised = NormalizeObjectId(stored);
    stored_of.emplace(normalised, stored);
    matches.emplace(std::move(ref), Match{stored, std::string(by)});
    return {ResolveOutcome::kResolved, std::move(normalised)};
  }
};

StoredIdentities::StoredIdentities(std::unique_ptr<State> state) : state_(std::move(state)) {}
StoredIdentities::StoredIdentities(StoredIdentities&&) noexcept = default;
StoredIdentities& StoredIdentities::operator=(StoredIdentities&&) noexcept = default;
StoredIdentities::~StoredIdentities() = default;

core::Result<StoredIdentities> StoredIdentities::Load(db::Database& db, std::string_view tenant_id,
                                                      std::string_view pseudonym_key) {
  auto state = std::make_unique<State>();
  state->tenant = std::string(tenant_id);
  state->key.assign(pseudonym_key.begin(), pseudonym_key.end());
  ASSIGN_OR_RETURN(auto rows,
                   db.Query("SELECT kind, value_hash, person_key FROM person_identity WHERE "
                            "tenant_id = ?",
                            {std::string(tenant_id)}));
  for (const auto& r : rows.rows) {
    const std::string kind = TextOf(r[0]);
    std::string hash = TextOf(r[1]);
    if (TextOf(r[2]) == identity::kAmbiguousPerson) {
      // Two persons of one user export hold this value (ingest marked it): refused.
      if (kind != "object_id") {
        state->addresses[std::move(hash)] = State::Address{-1, 0};
        ++state->ambiguous;
      }
      continue;
    }
    const int32_t person = state->Person(TextOf(r[2]));
    if (kind == "object_id") {
      state->object_ids.emplace(std::move(hash), person);
      continue;
    }
    const uint8_t bit = kind == "mail" ? kMail : kind == "upn" ? kUpn : kProxy;
    auto [it, inserted] = state->addresses.emplace(std::move(hash), State::Address{person, bit});
    if (inserted) continue;
    State::Address& a = it->second;
    if (a.person == person) {
      a.kinds |= bit;
    } else if (a.person >= 0) {
      // Two persons hold the address (e.g. one's mail is another's alias): refused for both.
      a.person = -1;
      ++state->ambiguous;
    }
  }
  return StoredIdentities(std::move(state));
}

Resolution StoredIdentities::Resolve(std::string_view key, KeyType type) const {
  const State& s = *state_;
  if (type == KeyType::kObjectId) {
    std::string id = NormalizeObjectId(key);
    if (id.empty()) return {};
    std::string ref = identity::IdentityHash(s.Key(), identity::IdentityKind::kObjectId, id);
    if (auto it = s.object_ids.find(ref); it != s.object_ids.end()) {
      return s.Resolved(s.persons[static_cast<size_t>(it->second)], std::move(ref), "object_id");
    }
    // Not in the export: the id itself names the person (identity.h); whether Viva Insights
    // knows the person is the join's business.
    return s.Resolved(identity::PersonKey(s.Key(), s.tenant, id), std::move(ref), "object_id");
  }
  if (NormalizeEmail(key).empty()) return {};
  std::string ref = identity::IdentityHash(s.Key(), identity::IdentityKind::kMail, key);
  auto it = s.addresses.find(ref);
  if (it == s.addresses.end()) return {};
  if (it->second.person < 0) return {ResolveOutcome::kAmbiguous, {}};
  const uint8_t k = it->second.kinds;
  std::string_view by = (k & kMail) ? "mail" : (k & kUpn) ? "upn" : "proxy_address";
  return s.Resolved(s.persons[static_cast<size_t>(it->second.person)], std::move(ref), by);
}

std::string StoredIdentities::RefOf(std::string_view key, KeyType type) const {
  return type == KeyType::kObjectId
             ? identity::IdentityHash(state_->Key(), identity::IdentityKind::kObjectId,
                                      NormalizeObjectId(key))
             : identity::IdentityHash(state_->Key(), identity::IdentityKind::kMail, key);
}

const std::string& StoredIdentities::StoredKey(const std::string& normalised_id) const {
  auto it = state_->stored_of.find(normalised_id);
  return it == state_->stored_of.end() ? normalised_id : it->second;
}

const std::unordered_map<std::string, StoredIdentities::Match>& StoredIdentities::Matches() const {
  return state_->matches;
}

int64_t StoredIdentities::persons() const { return static_cast<int64_t>(state_->persons.size()); }
int64_t StoredIdentities::addresses() const {
  return static_cast<int64_t>(state_->addresses.size()) - state_->ambiguous;
}
int64_t StoredIdentities::ambiguous_addresses() const { return state_->ambiguous; }

// ---- PartnerLoadSummary -------------------------------------------------------------------------

std::string PartnerLoadSummary::ToText() const {
  const PartnerLoadStats& s = stats;
  const int64_t refused = s.rows_without_key + s.rows_unknown_key + s.rows_ambiguous_key;
  return fmt::format(
      "partner load '{}' (tenant {}, {} keys, {}): {} rows read; {} refused ({} unknown to the "
      "user export, {} ambiguous, {} without a key); {} exact duplicates dropped; {} merged into "
      "an existing {}; {} {} stored for {} persons (replacing {} rows of the previous load)\n"
      "match rate {:.1f}%: {} of {} partner persons have Viva Insights person-weeks ({} resolved "
      "by identity, {} unresolved); {} Viva persons without partner data; {} ambiguous addresses "
      "in the user export\n",
      source, tenant_id, key_type, date_column.empty() ? "static" : "weekly by " + date_column,
      s.rows_read, refused, s.rows_unknown_key, s.rows_ambiguous_key, s.rows_without_key,
      s.exact_duplicates_dropped, s.rows_merged, date_column.empty() ? "person" : "person-week",
      rows_stored, date_column.empty() ? "person rows" : "person-weeks", s.persons, rows_replaced,
      std::isfinite(match.match_rate) ? 100 * match.match_rate : 0.0, match.matched_persons,
      match.partner_persons, match.partner_resolved_persons, match.partner_unresolved_persons,
      match.viva_unmatched_persons, ambiguous_addresses);
}

std::string PartnerLoadSummary::ToJson() const {
  const PartnerLoadStats& s = stats;
  nlohmann::ordered_json j = {
      {"tenant_id", tenant_id},
      {"source", source},
      {"key_type", key_type},
      {"date_column",
       date_column.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(date_column)},
      {"rows_read", s.rows_read},
      {"rows_without_key", s.rows_without_key},
      {"rows_unknown_key", s.rows_unknown_key},
      {"rows_ambiguous_key", s.rows_ambiguous_key},
      {"exact_duplicates_dropped", s.exact_duplicates_dropped},
      {"rows_used", s.rows_used},
      {"rows_merged", s.rows_merged},
      {"entries", s.entries},
      {"persons", s.persons},
      {"unknown_keys", s.unknown_keys},
      {"ambiguous_keys", s.ambiguous_keys},
      {"rows_stored", rows_stored},
      {"identities_stored", identities_stored},
      {"rows_replaced", rows_replaced},
      {"ambiguous_addresses", ambiguous_addresses},
      {"match", nlohmann::ordered_json::parse(join::ToJson(match))},
  };
  return j.dump();
}

// ---- LoadPartnerIntoDatabase --------------------------------------------------------------------

namespace {

// The tenant's person-weeks (PersonId, MetricDate, ...), for the match counts.
core::Result<analysis::Frame> PersonWeekKeys(db::Database& db, const std::string& tenant) {
  warehouse::LoadOptions options;
  options.tenant_id = tenant;
  options.metrics = false;
  options.attributes = false;
  return warehouse::LoadPersonWeeks(db, options);
}

}  // namespace

core::Result<PartnerLoadSummary> LoadPartnerIntoDatabase(db::Database& db,
                                                         const PartnerLoadRequest& request) {
  if (core::Trim(request.tenant_id).empty()) {
    return core::InvalidArgumentError(
        "partner load: no tenant; name it with --tenant (the customer's tenant id)");
  }
  std::string source =
      request.source.empty() ? std::filesystem::path(request.path).stem().string() : request.source;
  RETURN_IF_ERROR(CheckSource(source));
  RETURN_IF_ERROR(CheckSchema(db));
  const std::string tenant(core::Trim(request.tenant_id));

  ASSIGN_OR_RETURN(std::string data, internal::ReadWholeFile(request.path));
  const std::string file_sha256 = core::HexEncode(crypto::Sha256(data));
  ASSIGN_OR_RETURN(StoredIdentities identities,
                   StoredIdentities::Load(db, tenant, request.pseudonym_key));
  if (request.options.key_type == KeyType::kEmail && identities.persons() == 0) {
    return core::FailedPreconditionError(fmt::format(
        "partner load: tenant {} has no user export in the database {} (no AADUser drop was "
        "imported), so e-mail keys cannot be resolved; run `vivalink run` after the customer's "
        "pipeline delivered the user export, or key the partner data by object id",
        tenant, db.Describe()));
  }
  formats::ReaderOptions reader_options;
  reader_options.source_name = request.path;
  ASSIGN_OR_RETURN(PartnerTable table, LoadPartner(core::MemorySource::Owning(std::move(data)),
                                                   reader_options, &identities, request.options));

  PartnerLoadSummary summary;
  summary.tenant_id = tenant;
  summary.source = source;
  summary.key_type = std::string(KeyTypeName(request.options.key_type));
  summary.stats = table.stats();
  summary.ambiguous_addresses = identities.ambiguous_addresses();
  summary.date_column = table.date_column();

  ASSIGN_OR_RETURN(analysis::Frame viva, PersonWeekKeys(db, tenant));
  const PartnerTable* tables[] = {&table};
  ASSIGN_OR_RETURN(JoinResult joined, JoinPartners(viva, tables));
  summary.match = std::move(joined.report);
  summary.match.ambiguous_emails = identities.ambiguous_addresses();

  const std::string loaded_at = request.loaded_at.empty()
                                    ? core::FormatIso8601(core::SystemClock::Instance().Now())
                                    : request.loaded_at;
  ASSIGN_OR_RETURN(db::Transaction tx, db.Begin());
  ASSIGN_OR_RETURN(summary.rows_replaced,
                   db.ExecuteUpdate("DELETE FROM partner_rows WHERE tenant_id = ? AND source = ?",
                                    {tenant, source}));
  RETURN_IF_ERROR(
      db.Execute("DELETE FROM identity_map WHERE tenant_id = ? AND source = ?", {tenant, source}));
  RETURN_IF_ERROR(db.Execute("DELETE FROM partner_source WHERE tenant_id = ? AND source = ?",
                             {tenant, source}));
  {
    ASSIGN_OR_RETURN(auto rows,
                     db.BeginBulkInsert("partner_rows", {"tenant_id", "source", "person_key",
                                                         "metric_date", "data"}));
    std::vector<db::Value> row(5);
    row[0] = tenant;
    row[1] = source;
    const auto& columns = table.columns();
    for (int32_t e = 0; e < table.num_entries(); ++e) {
      nlohmann::json values = nlohmann::json::object();
      for (size_t c = 0; c < columns.size(); ++c) {
        if (columns[c].kind == analysis::ColumnKind::kNumeric) {
          const double v = table.NumberAt(c, e);
          if (std::isfinite(v)) values[columns[c].name] = v;
        } else {
          const int32_t code = table.CodeAt(c, e);
          if (code != analysis::kMissingCode) {
            values[columns[c].name] = table.Levels(c)[static_cast<size_t>(code)];
          }
        }
      }
      row[2] = identities.StoredKey(table.persons()[static_cast<size_t>(table.EntryPerson(e))]);
      row[3] = table.is_static() ? std::string() : core::FormatDate(table.EntryWeek(e));
      row[4] = values.dump();
      RETURN_IF_ERROR(rows->AddRow(row));
    }
    RETURN_IF_ERROR(rows->Finish());
    summary.rows_stored = rows->rows();
  }
  {
    ASSIGN_OR_RETURN(auto map,
                     db.BeginBulkInsert("identity_map", {"tenant_id", "source", "person_ref",
                                                         "person_key", "matched_by"}));
    // Resolved keys with their person, refused ones with why; sorted, so that equal loads write
    // equal tables in the same order.
    std::map<std::string, std::pair<db::Value, std::string>> sorted;
    for (const auto& [ref, match] : identities.Matches()) {
      sorted.emplace(ref, std::make_pair(db::Value(match.person_key), match.matched_by));
    }
    for (const auto& key : table.refused_keys()) {
      const ResolveOutcome outcome = identities.Resolve(key, request.options.key_type).outcome;
      if (outcome == ResolveOutcome::kResolved) continue;  // cannot happen: refused at load
      sorted.emplace(
          identities.RefOf(key, request.options.key_type),
          std::make_pair(db::Value(),
                         outcome == ResolveOutcome::kAmbiguous ? "ambiguous" : "unknown"));
    }
    for (const auto& [ref, match] : sorted) {
      RETURN_IF_ERROR(
          map->AddRow(std::vector<db::Value>{tenant, source, ref, match.first, match.second}));
    }
    RETURN_IF_ERROR(map->Finish());
    summary.identities_stored = map->rows();
  }
  const PartnerLoadStats& s = summary.stats;
  const JoinReport& m = summary.match;
  RETURN_IF_ERROR(db.Execute(
      "INSERT INTO partner_source (tenant_id, source, file_name, file_sha256, key_column, "
      "key_type, date_column, value_columns, rows_read, rows_refused, duplicates_dropped, "
      "rows_merged, entries, partner_persons, resolved_persons, matched_persons, match_rate, "
      "report, loaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      {tenant, source, request.path, file_sha256,
       formats::CanonicalName(request.options.key_column), summary.key_type,
       summary.date_column.empty() ? db::Value() : db::Value(summary.date_column),
       ColumnsJson(table.columns()).dump(), s.rows_read,
       s.rows_without_key + s.rows_unknown_key + s.rows_ambiguous_key, s.exact_duplicates_dropped,
       s.rows_merged, s.entries, m.partner_persons, m.partner_resolved_persons, m.matched_persons,
       std::isfinite(m.match_rate) ? db::Value(m.match_rate) : db::Value(), summary.ToJson(),
       loaded_at}));
  RETURN_IF_ERROR(tx.Commit());
  return summary;
}

// ---- reading back -------------------------------------------------------------------------------

core::Result<std::vector<StoredSource>> ListPartnerSources(db::Database& db,
                                                           std::string_view tenant_id) {
  RETURN_IF_ERROR(CheckSchema(db));
  std::string where = tenant_id.empty() ? "" : " WHERE tenant_id = ?";
  std::vector<db::Value> params;
  if (!tenant_id.empty()) params.emplace_back(std::string(tenant_id));
  ASSIGN_OR_RETURN(auto rows,
                   db.Query("SELECT tenant_id, source, key_type, date_column, value_columns, "
                            "rows_read, rows_refused, duplicates_dropped, rows_merged, entries, "
                            "partner_persons, resolved_persons, matched_persons, loaded_at, report "
                            "FROM partner_source" +
                                where + " ORDER BY tenant_id, source",
                            params));
  std::vector<StoredSource> out;
  for (const auto& r : rows.rows) {
    StoredSource s;
    s.tenant_id = TextOf(r[0]);
    s.source = TextOf(r[1]);
    s.key_type = TextOf(r[2]);
    s.date_column = TextOf(r[3]);
    ASSIGN_OR_RETURN(s.columns, ParseColumns(TextOf(r[4]), fmt::format("partner source '{}' of "
                                                                       "tenant {}",
                                                                       s.source, s.tenant_id)));
    s.rows_read = IntOf(r[5]);
    s.rows_refused = IntOf(r[6]);
    s.duplicates_dropped = IntOf(r[7]);
    s.rows_merged = IntOf(r[8]);
    s.entries = IntOf(r[9]);
    s.partner_persons = IntOf(r[10]);
    s.resolved_persons = IntOf(r[11]);
    s.matched_persons = IntOf(r[12]);
    s.loaded_at = TextOf(r[13]);
    auto report = nlohmann::json::parse(TextOf(r[14]), nullptr, false);
    if (report.is_object() && report.contains("ambiguous_addresses") &&
        report["ambiguous_addresses"].is_number_integer()) {
      s.ambiguous_addresses = report["ambiguous_addresses"].get<int64_t>();
    }
    out.push_back(std::move(s));
  }
  return out;
}

core::Result<analysis::Frame> LoadPersonWeeks(db::Database& db, std::string_view tenant_id) {
  warehouse::LoadOptions options;
  options.tenant_id = std::string(tenant_id);
  ASSIGN_OR_RETURN(analysis::Frame people, warehouse::LoadPersonWeeks(db, options));
  ASSIGN_OR_RETURN(analysis::Frame meetings, warehouse::LoadMeetingWeeks(db, tenant_id));
  return warehouse::MergeMeetingWeeks(std::move(people), meetings);
}

namespace {

// The joined frame's person key: tenant and person, so that tenants never match each other.
constexpr std::string_view kTenantPerson = "TenantPerson";
constexpr std::string_view kStoredKey = "StoredPersonKey";

std::string Qualified(std::string_view tenant, std::string_view person) {
  std::string out(tenant);
  out += '/';
  out += person;
  return out;
}

// Feeds the stored rows of one (tenant, source) into a loader, as a batch of object-id keys.
core::Status AppendStored(db::Database& db, const StoredSource& source, PartnerLoader& loader) {
  ASSIGN_OR_RETURN(auto rows, db.Query("SELECT person_key, metric_date, data FROM partner_rows "
                                       "WHERE tenant_id = ? AND source = ? ORDER BY person_key, "
                                       "metric_date",
                                       {source.tenant_id, source.source}));
  formats::RowBatch batch;
  batch.AddColumn(std::string(kStoredKey), formats::ColumnType::kString);
  if (!source.is_static()) batch.AddColumn("MetricDate", formats::ColumnType::kString);
  const size_t first_value = batch.num_columns();
  for (const auto& c : source.columns) {
    batch.AddColumn(c.name, c.kind == analysis::ColumnKind::kNumeric
                                ? formats::ColumnType::kNumber
                                : formats::ColumnType::kString);
  }
  auto where = [&](size_t i) {
    return fmt::format("partner_rows of source '{}' (tenant {}), row {}", source.source,
                       source.tenant_id, i + 1);
  };
  for (size_t i = 0; i < rows.size(); ++i) {
    const auto& r = rows.rows[i];
    batch.mutable_column(0).AppendString(Qualified(source.tenant_id, TextOf(r[0])));
    if (!source.is_static()) batch.mutable_column(1).AppendString(TextOf(r[1]));
    auto data = nlohmann::json::parse(TextOf(r[2]), nullptr, false);
    if (!data.is_object()) {
      return core::DataLossError(where(i) + ": data is not a JSON object; load the source again");
    }
    for (size_t c = 0; c < source.columns.size(); ++c) {
      formats::Column& column = batch.mutable_column(first_value + c);
      auto it = data.find(source.columns[c].name);
      if (it == data.end() || it->is_null()) {
        column.AppendNull();
      } else if (column.type() == formats::ColumnType::kNumber && it->is_number()) {
        column.AppendNumber(it->get<double>());
      } else if (column.type() == formats::ColumnType::kString && it->is_string()) {
        column.AppendString(it->get_ref<const std::string&>());
      } else {
        return core::DataLossError(fmt::format("{}: column '{}' does not hold a {} value", where(i),
                                               source.columns[c].name,
                                               KindName(source.columns[c].kind)));
      }
    }
    batch.FinishRow();
    if (batch.num_rows() == kBatchRows) {
      RETURN_IF_ERROR(loader.Append(batch));
      batch.Clear();
    }
  }
  return loader.Append(batch);
}

}  // namespace

core::Result<StoredJoin> LoadJoinedPersonWeeks(db::Database& db, std::string_view tenant_id) {
  StoredJoin out;
  ASSIGN_OR_RETURN(out.frame, LoadPersonWeeks(db, tenant_id));
  ASSIGN_OR_RETURN(out.sources, ListPartnerSources(db, tenant_id));
  if (out.sources.empty()) return out;

  // One table per dataset name and shape: a source loaded for several tenants is one table whose
  // persons are tenant-qualified.
  std::map<std::pair<std::string, bool>, std::vector<const StoredSource*>> groups;
  for (const auto& s : out.sources) groups[{s.source, s.is_static()}].push_back(&s);
  std::vector<PartnerTable> tables;
  for (const auto& [name, sources] : groups) {
    PartnerOptions options;
    options.key_column = std::string(kStoredKey);
    options.key_type = KeyType::kObjectId;
    options.date_column = name.second ? "" : "MetricDate";
    std::unordered_set<std::string> seen;
    for (const auto* s : sources) {
      for (const auto& c : s->columns) {
        if (seen.insert(c.name).second) options.columns.push_back({c.name, Aggregation::kFirst});
      }
    }
    PartnerLoader loader(nullptr, options);
    for (const auto* s : sources) RETURN_IF_ERROR(AppendStored(db, *s, loader));
    auto table = std::move(loader).Finish();
    if (!table.ok()) {
      return table.status().WithContext(fmt::format("stored partner source '{}'", name.first));
    }
    tables.push_back(std::move(table).value());
  }

  const analysis::FrameColumn* tenant = out.frame.Find("TenantId");
  const analysis::FrameColumn* person = out.frame.Find("PersonId");
  std::vector<std::string> qualified(out.frame.num_rows());
  for (size_t r = 0; r < qualified.size(); ++r) {
    qualified[r] = Qualified(tenant->StringAt(r), person->StringAt(r));
  }
  RETURN_IF_ERROR(out.frame.AddStrings(std::string(kTenantPerson), qualified));
  qualified = {};

  std::vector<const PartnerTable*> pointers;
  for (const auto& t : tables) pointers.push_back(&t);
  JoinOptions options;
  options.person_column = std::string(kTenantPerson);
  options.keep_unmatched_viva_rows = true;
  const size_t viva_columns = out.frame.num_columns();
  ASSIGN_OR_RETURN(JoinResult joined, JoinPartners(out.frame, pointers, options));
  out.frame = std::move(joined.frame);
  for (size_t c = viva_columns; c < out.frame.num_columns(); ++c) {
    out.partner_columns.push_back(out.frame.columns()[c].name);
  }

  // The stored tables hold the resolved persons only: add what the loads refused (distinct keys
  // over all sources, as the in-memory join counts them) and the loads' row counts.
  JoinReport& r = joined.report;
  r.partner_rows = r.partner_rows_refused = r.duplicate_rows_dropped = 0;
  r.conflicting_rows_merged = 0;
  for (const auto& s : out.sources) {
    r.partner_rows += s.rows_read;
    r.partner_rows_refused += s.rows_refused;
    r.duplicate_rows_dropped += s.duplicates_dropped;
    r.conflicting_rows_merged += s.rows_merged;
  }
  {
    std::string where = tenant_id.empty() ? "" : " AND tenant_id = ?";
    std::vector<db::Value> params;
    if (!tenant_id.empty()) params.emplace_back(std::string(tenant_id));
    ASSIGN_OR_RETURN(db::Value refused,
                     db.QueryValue("SELECT COUNT(*) FROM (SELECT DISTINCT tenant_id, person_ref "
                                   "FROM identity_map WHERE person_key IS NULL" +
                                       where + ") refused",
                                   params));
    r.partner_unresolved_persons = IntOf(refused);
  }
  // Ambiguous addresses of each tenant's user export (the same export for all its sources).
  std::map<std::string, int64_t> ambiguous;
  for (const auto& s : out.sources) {
    ambiguous[s.tenant_id] = std::max(ambiguous[s.tenant_id], s.ambiguous_addresses);
  }
  r.ambiguous_emails = 0;
  for (const auto& [each_tenant, count] : ambiguous) r.ambiguous_emails += count;
  r.partner_persons = r.partner_resolved_persons + r.partner_unresolved_persons;
  r.partner_unmatched_persons = r.partner_persons - r.matched_persons;
  r.resolved_rate = Rate(r.partner_resolved_persons, r.partner_persons);
  r.match_rate = Rate(r.matched_persons, r.partner_persons);
  out.report = std::move(r);
  return out;
}

}  // namespace vivalink::join

// warehouse: the one owner of the person-week tables (schema.h, migration 4): ingestion writes
// Viva Insights rows through PersonWeekWriter, the join and the report read them back through
// LoadPersonWeeks, and nothing else reads or writes person_week_packed, wh_person, wh_dict or
// wh_tenant.
//
//   ASSIGN_OR_RETURN(db::Transaction tx, db.Begin());
//   ASSIGN_OR_RETURN(auto writer, warehouse::PersonWeekWriter::Open(db, request));
//   while (reader->Next(batch)) RETURN_IF_ERROR(writer->Add(batch));
//   RETURN_IF_ERROR(writer->Finish());
//   RETURN_IF_ERROR(tx.Commit());
//
//   ASSIGN_OR_RETURN(analysis::Frame frame, warehouse::LoadPersonWeeks(db, {.tenant_id = t}));
//
// Layout (why and measurements in db/schema.h): one row per tenant, week and person whose metric
// values are one packed vector (SQLite BLOB, db/packed_vector.h; PostgreSQL float8[]), keyed by
// small per-tenant numbers; the metric names of each row are a "layout" (an ordered list of names,
// interned per tenant), so any column set of any shape or Viva Insights version is stored without
// DDL. Run ids and HR attribute sets are interned too. The views person_week and
// person_week_metric show the rows in the long, readable shape for ad-hoc SQL.
//
// Writers run inside the caller's transaction (ingestion commits the rows with its ledger row).
// A newer drop for the same person-week replaces the whole row (its metrics and attributes).
// On PostgreSQL, writers of one tenant serialise on the tenant's wh_tenant row (person numbers
// are allocated from it); different tenants never wait for each other.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "analysis/frame.h"
#include "core/secure.h"
#include "core/status.h"
#include "db/database.h"
#include "formats/row_batch.h"

namespace vivalink::warehouse {

// Which packed table rows go to and come from: person_week_packed (Viva Insights metrics) or
// meeting_week_packed (meeting metrics derived from Outlook calendars, meeting_weeks.h; same
// columns, ids and dictionaries; db/schema.h migration 8 says why a table of its own).
enum class WeekTable { kPersonWeek, kMeetingWeek };

struct WriteRequest {
  WeekTable table = WeekTable::kPersonWeek;
  std::string tenant_id;  // stored lower-case
  std::string run_id;     // the drop that delivers the rows
  std::string drop_name;  // for error messages ("tenant/run/kind")
  // Person ids are replaced by identity::PersonKey(pseudonym_key, tenant, id); empty key: the
  // normalised id itself.
  core::SecureString pseudonym_key;
  // Canonical numeric columns to store; all_metrics: every numeric column.
  std::vector<std::string> metrics;
  bool all_metrics = true;
  // String HR attribute columns to store (never PII columns); all_attributes: every one.
  std::vector<std::string> attributes;
  bool all_attributes = true;
};

class PersonWeekWriter {
 public:
  // Prepares a writer for one drop of one tenant; call inside an open transaction
  // (kFailedPrecondition otherwise). Registers the tenant and loads its person numbers and
  // dictionaries.
  static core::Result<std::unique_ptr<PersonWeekWriter>> Open(db::Database& db,
                                                              WriteRequest request);
  ~PersonWeekWriter();
  PersonWeekWriter(const PersonWeekWriter&) = delete;
  PersonWeekWriter& operator=(const PersonWeekWriter&) = delete;

  // Writes the batch's rows (PersonId and MetricDate required). kDataLoss naming the drop and the
  // line/row for a missing key or a bad date (never the value).
  core::Status Add(const formats::RowBatch& batch);
  // Records the tenant's new person numbers. The caller commits.
  core::Status Finish();

 private:
  struct State;
  explicit PersonWeekWriter(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

struct LoadOptions {
  WeekTable table = WeekTable::kPersonWeek;
  std::string tenant_id;  // empty: every tenant
  bool metrics = true;    // false: keys (and attributes) only
  bool attributes = true;
};

// The stored person-weeks as an analysis frame: TenantId, PersonId (the person key), MetricDate
// ("YYYY-MM-DD"), one categorical column per HR attribute, one numeric column per metric (NaN
// where a row has no value). Rows ordered by tenant id, week, person key. Reads in bounded
// chunks; kDataLoss for a damaged stored vector.
core::Result<analysis::Frame> LoadPersonWeeks(db::Database& db, const LoadOptions& options);

}  // namespace vivalink::warehouse

// Writers of the simulator's Viva Insights outputs in the shapes of PROTOCOL §5, into a
// core::ByteSink (so the pipeline can gzip and encrypt them in memory, never via temp files):
//   kV1          PersonReport JSON lines: PersonId, MetricDate "YYYY-MM-DDT00:00:00Z", every
//                display-name column of the v1 sample (and network sizes), numbers as strings
//                ("169", "2.2017"), IsActive bool
//   kV0          JSON lines: ObjectId, MetricDate, the 20 PascalCase metrics of the v0 sample as
//                JSON numbers, PeopleHistoricalId (an extra field readers ignore), IsActive
//   kPersonQuery CSV with header: PersonId, MetricDate "YYYY-MM-DD", canonical underscore names
//                (quoted when they hold a comma), then the HR attributes Organization,
//                FunctionType, LevelDesignation, SupervisorIndicator, Region, HireDate
// and the Entra ID user export (MGDC BasicDataSet_v0.User_v1 JSON lines).
//
// Writers buffer about 1 MiB before each sink Write and never Close the sink. Sink errors are
// returned unchanged. Thread-safe as long as each call has its own sink.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/io.h"
#include "core/status.h"
#include "drop/layout.h"
#include "sim/metrics.h"
#include "sim/organization.h"
#include "store/blob_store.h"

namespace vivalink::sim {

enum class RowShape { kV1, kV0, kPersonQuery };

// "v1", "v0", "csv"; ParseRowShape accepts those (kInvalidArgument otherwise).
std::string_view RowShapeName(RowShape shape);
core::Result<RowShape> ParseRowShape(std::string_view name);

// The column names a shape writes, in order (for metadata.json ColumnsRequested).
std::vector<std::string> ColumnNames(RowShape shape);

// Writes rows in `shape`. For kPersonQuery the header line comes first when csv_header.
core::Status WriteRows(RowShape shape, std::span<const MetricRow> rows, core::ByteSink& sink,
                       bool csv_header = true);
// The same into a string.
std::string FormatRows(RowShape shape, std::span<const MetricRow> rows, bool csv_header = true);

// One week of one tenant, computed and written person by person (memory stays bounded however
// large the tenant). Same bytes as WriteRows(shape, *MetricsForWeek(org, tenant, week), ...).
// Returns the number of rows written; kInvalidArgument for a tenant or week out of range.
core::Result<size_t> WriteWeek(const Organization& org, size_t tenant, int week, RowShape shape,
                               core::ByteSink& sink, bool csv_header = true);

// The Entra ID user export of a tenant: one JSON line per directory user (leavers included with
// accountEnabled false), MGDC bookkeeping columns puser, ptenant, datarow, userrow, pagerow,
// rowinformation. Returns the number of rows. kInvalidArgument for a tenant out of range.
core::Result<size_t> WriteUsers(const Organization& org, size_t tenant, core::ByteSink& sink);

// `vivasim drop write`: one drop from a rows file, as the pipeline writes a drop: fresh File and
// Column keys, PII columns column-encrypted, gzip, AES-256-CBC, parts, metadata.json last.
struct SingleDropRequest {
  std::string tenant;      // customer tenant id (a GUID)
  std::string public_key;  // the partner's public key (PEM file) the keys are wrapped for
  // Rows: JSON lines as delivered, or a CSV person query (written as JSON lines with canonical
  // column names and typed values).
  std::string input;
  std::string run_id;                 // "" = a new GUID
  std::string kind = "VivaInsights";  // or AADUser
  std::string keys_out;     // write the key API's answer for the drop here (0600); "" = not
  bool inline_key = false;  // also put the File key, wrapped, in metadata.json
  uint64_t part_rows = 0;   // rows per part; 0 = one part
  std::string errors;       // a failed run: metadata with Errors, no data
};

struct SingleDropResult {
  drop::DropRef ref;
  std::string copy_activity_id;
  uint64_t rows = 0;
  uint64_t parts = 0;
  std::string keys_file;  // SingleDropRequest::keys_out
  // {"drop", "copyActivityId", "rows", "parts", "keysFile"} on one line.
  std::string ToJson() const;
};

// Writes the drop into store. Errors: kInvalidArgument for a tenant that is not a GUID; those of
// reading the public key and the input (naming them), of the CSV reader, of the drop writer and
// of writing keys_out (naming it).
core::Result<SingleDropResult> WriteSingleDrop(store::BlobStore& store,
                                               const SingleDropRequest& request);

namespace internal {
// Accumulates text and hands it to a sink in ~1 MiB writes.
class SinkBuffer {
 public:
  explicit SinkBuffer(core::ByteSink& sink) : sink_(sink) { buffer_.reserve(kFlushAt + 65536); }
  std::string& text() { return buffer_; }
  // Writes out the buffer when it is large (or always when force).
  core::Status Flush(bool force = false);

 private:
  static constexpr size_t kFlushAt = 1 << 20;
  core::ByteSink& sink_;
  std::string buffer_;
};
// CSV field: quoted (with doubled quotes) when it holds a comma, quote or line break.
void AppendCsvField(std::string& out, std::string_view field);
// Shortest decimal that reads back as the same double ("169", "2.2017").
void AppendNumber(std::string& out, double value);
}  // namespace internal

}  // namespace vivalink::sim

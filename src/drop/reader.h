// Reading a drop as a stream, never writing plaintext anywhere:
//   parts (in name order) -> AES-256-CBC decrypt -> gunzip -> JSON lines -> RowBatch,
// with the PII columns decrypted with the run's column key as they are parsed.
//
// DropReader yields rows; DropValidator checks them against the metadata (row count, columns,
// MetricDate window, duplicate person-weeks). A caller must treat the drop as good only when
// DropValidator::Finish() returns OK after the reader's last batch: until then nothing derived
// from the rows may be made visible (the ingest transaction, or drop cat's second pass).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/status.h"
#include "drop/keys.h"
#include "drop/layout.h"
#include "drop/metadata.h"
#include "formats/calendar_reader.h"
#include "formats/reader.h"
#include "store/blob_store.h"

namespace vivalink::drop {

struct DropReadOptions {
  size_t batch_rows = 4096;      // rows per batch
  size_t block_bytes = 1 << 20;  // AES and inflate buffer size
  bool verify_md5 = true;        // check each part's Content-MD5 when the blob carries one
  // When false, PII columns are left encrypted (as on the wire).
  bool decrypt_columns = true;
  // Bounds on hostile input (kDataLoss naming the part): a part may inflate to at most
  // max(max_inflate_ratio * its encrypted size, inflate_allowance) bytes (gzip bombs; real JSON
  // lines compress 5-20 times); at most max_columns distinct columns per part.
  uint64_t max_inflate_ratio = 200;
  uint64_t inflate_allowance = 64u << 20;
  size_t max_columns = 4096;
};

struct DropReadStats {
  uint64_t parts = 0;
  uint64_t rows = 0;
  uint64_t ciphertext_bytes = 0;  // encrypted bytes read from storage
};

class DropReader {
 public:
  // Lists the parts. kDataLoss when the metadata says there are rows but no part exists;
  // kFailedPrecondition when the metadata carries Errors (failed upstream: nothing to read).
  static core::Result<std::unique_ptr<DropReader>> Open(store::BlobStore& store, DropRef ref,
                                                        const DropMetadata& metadata,
                                                        const DropKeys& keys,
                                                        DropReadOptions options = {});
  ~DropReader();

  // Next batch across all parts (cleared first); false at the end. Errors name the blob, the
  // byte offset and the line, and say the drop was not imported.
  core::Result<bool> Next(formats::RowBatch& batch);
  // The same for a calendar drop (IsCalendarKind: CalendarView_v0 / Event_v1 rows), read as
  // typed events by formats::OpenCalendarReader; every batch comes from one part, named by
  // events_source() until the next call. A calendar drop is file-encrypted only (its personal
  // data sits in nested fields, not in top-level PII columns): no column key is applied.
  // kFailedPrecondition when called on a drop of another kind (or after Next).
  core::Result<bool> NextEvents(formats::CalendarBatch& batch);
  const std::string& events_source() const { return events_source_; }
  const DropReadStats& stats() const { return stats_; }
  // The data parts as listed at Open (name order), with the ETags they are read at: a part
  // replaced after Open fails the read (kFailedPrecondition) instead of mixing two versions.
  const std::vector<store::BlobProperties>& parts() const { return parts_; }
  // Source column names seen so far (display names, first-seen order), across parts.
  const std::vector<std::string>& source_columns() const { return source_columns_; }

 private:
  DropReader() = default;
  core::Status OpenPart(size_t index);
  // The plaintext of part `index` (decrypted, inflated, size-capped), counted in stats.
  core::Result<std::unique_ptr<core::ByteSource>> OpenPartSource(size_t index);
  core::Status NameDrop(const core::Status& st) const;

  store::BlobStore* store_ = nullptr;
  DropRef ref_;
  DropReadOptions options_;
  DropKeys keys_;
  std::vector<store::BlobProperties> parts_;
  size_t next_part_ = 0;
  std::unique_ptr<crypto::ColumnCipher> column_cipher_;  // used by the row reader's decryptor
  std::unique_ptr<formats::RowReader> current_;
  std::unique_ptr<formats::CalendarReader> current_events_;
  std::string events_source_;
  const crypto::AesCbcDecryptSource* current_aes_ = nullptr;  // owned inside current_'s chain
  std::vector<std::string> source_columns_;
  DropReadStats stats_;
};

// Checks rows against the metadata as they stream by; see the header comment.
class DropValidator {
 public:
  // metadata must outlive the validator.
  DropValidator(const DropMetadata& metadata, const DropRef& ref);
  // Per-batch checks: no more rows than NumberOfRowsExtracted (checked as rows arrive, so a drop
  // with surplus rows stops at the first one), MetricDate present and within [RequestStartDate,
  // RequestEndDate], no (PersonId, MetricDate) twice. kDataLoss naming the row; values are not
  // quoted.
  core::Status Observe(const formats::RowBatch& batch);
  // Whole-drop checks: rows == NumberOfRowsExtracted, ColumnsRequested == columns present.
  core::Status Finish(const DropReadStats& stats, const std::vector<std::string>& source_columns);
  // Per-batch checks of a calendar drop: no more rows than NumberOfRowsExtracted; every row's
  // owner (puser) an Entra object id (a GUID: a value that is not one, e.g. still encrypted,
  // would become a wrong person) and its ptenant, when given, the drop's own tenant
  // (kPermissionDenied otherwise: PROTOCOL §8.4). kDataLoss naming source (the part) and line,
  // never a value. Finish then checks the row count (a calendar drop's ColumnsRequested names
  // top-level fields the event reader does not list, so columns are not compared).
  core::Status ObserveEvents(const formats::CalendarBatch& batch, std::string_view source);

  core::TimePoint min_date() const { return min_date_; }
  core::TimePoint max_date() const { return max_date_; }
  uint64_t rows() const { return rows_; }

 private:
  const DropMetadata& metadata_;
  std::string drop_name_;
  bool is_metrics_ = true;
  bool is_calendar_ = false;
  std::string tenant_id_;
  int person_col_ = -1, date_col_ = -1;
  uint64_t rows_ = 0;
  core::TimePoint min_date_ = core::TimePoint::max();
  core::TimePoint max_date_ = core::TimePoint::min();
  std::unordered_set<uint64_t> seen_;  // hash of (PersonId, MetricDate)
};

}  // namespace vivalink::drop

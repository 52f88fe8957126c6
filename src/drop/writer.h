// Writing a drop (the Microsoft side's job; used by vivasim and by tests to make good and
// corrupt drops): JSON lines -> PII columns encrypted -> gzip -> AES-256-CBC -> parts, then
// metadata.json last. Not used by vivalink itself.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "drop/keys.h"
#include "drop/layout.h"
#include "drop/metadata.h"
#include "store/blob_store.h"

namespace vivalink::drop {

struct DropWriteOptions {
  uint64_t part_rows = 0;  // rows per part; 0 = one part
  int gzip_level = 6;
  // PII fields to column-encrypt; default: PersonId, ObjectId, id, mail, userPrincipalName.
  std::vector<std::string> encrypted_fields = {"PersonId", "ObjectId", "id", "mail",
                                               "userPrincipalName"};
};

struct DropWriteResult {
  uint64_t rows = 0;
  uint64_t parts = 0;
  std::vector<std::string> columns;  // source names in first-seen order
  core::TimePoint min_date = core::TimePoint::max();
  core::TimePoint max_date = core::TimePoint::min();
};

// Writes the data parts of ref from JSON lines text (one object a line). Keys encrypt files
// (file key) and PII fields (column key). Does not write metadata.
core::Result<DropWriteResult> WriteDropParts(store::BlobStore& store, const DropRef& ref,
                                             std::string_view jsonl, const DropKeys& keys,
                                             const DropWriteOptions& options = {});

// Writes metadata.json (must be last; a drop is complete when its metadata exists).
core::Result<store::BlobProperties> WriteMetadata(store::BlobStore& store, const DropRef& ref,
                                                  const DropMetadata& metadata);

// Fills the data-derived metadata fields (ColumnsRequested, NumberOfRowsExtracted and, when
// unset, RequestStartDate/RequestEndDate) from a write result.
void FillMetadataFromResult(const DropWriteResult& result, DropMetadata& metadata);

}  // namespace vivalink::drop

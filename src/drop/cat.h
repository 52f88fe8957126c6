// `vivalink drop cat`: the operators' debugging view of one drop. Verifies the whole drop first
// (every check of DropValidator) and only then streams its rows, decrypted, as JSON lines to a
// sink (stdout) — so a bad drop yields an error and no partial output. The rows keep the names
// and value types they have on the wire (numbers stay strings where the drop wrote strings).
// Nothing is written to disk.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/io.h"
#include "core/status.h"
#include "drop/keys.h"
#include "drop/layout.h"
#include "drop/metadata.h"
#include "store/blob_store.h"

namespace vivalink::drop {

struct DropSummary {
  std::string drop;  // "{run}/{kind}/{tenant}"
  uint64_t rows = 0;
  uint64_t parts = 0;
  uint64_t ciphertext_bytes = 0;
  std::vector<std::string> columns;  // source names in first-seen order
  std::string min_date, max_date;    // ISO 8601, empty for user exports
  std::string validation = "ok";     // "ok" or the error
  std::string ToText() const;        // human-readable, one fact a line
};

// Reads metadata.json of ref and verifies the drop end to end; fills summary either way.
// Returns the validation error (with its code) when the drop is bad.
core::Status VerifyDrop(store::BlobStore& store, const DropRef& ref, const DropMetadata& metadata,
                        const DropKeys& keys, DropSummary& summary);

// VerifyDrop, then the rows as JSON lines into out.
core::Status CatDrop(store::BlobStore& store, const DropRef& ref, const DropMetadata& metadata,
                     const DropKeys& keys, core::ByteSink& out);

// Reads and parses metadata.json of ref.
core::Result<DropMetadata> ReadMetadata(store::BlobStore& store, const DropRef& ref);

}  // namespace vivalink::drop

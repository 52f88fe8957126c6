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

// `vivalink drop cat`: what the operator names.
struct CatRequest {
  std::string drop;                               // "<RunId>/VivaInsights/<TenantId>"
  std::string keystore = "./vivalink-data/keys";  // the tenants' key pairs (KeyStore)
  // The key API's answer for the drop's CopyActivityId (JSON); "" = none, which only a drop
  // with DecryptionKeyDetails and no PII columns can do without.
  std::string keys_file;
  bool summary = false;  // DropSummary::ToText() instead of the rows
};

// The whole `drop cat`: parses the drop path, reads its metadata, refuses a drop that failed
// upstream (kFailedPrecondition: it holds no data), loads its keys (LoadDropKeys, the keys file
// read and parsed), then writes the rows as JSON lines (CatDrop) or, with summary, the summary
// text (written also when verification fails; the failure is returned). Errors: kInvalidArgument
// for a bad drop path; kNotFound for a missing keys file (naming it) or a keys file that was
// needed and not given; those of ReadMetadata, LoadDropKeys, VerifyDrop and the sink.
core::Status CatDropRequest(store::BlobStore& store, const CatRequest& request,
                            core::ByteSink& out);

}  // namespace vivalink::drop

// Shared plumbing of the command-line programs: opening a store from a URL, printing errors the
// same way everywhere, stdout as a ByteSink.
#pragma once

#include <memory>
#include <string>

#include "core/io.h"
#include "core/status.h"
#include "store/blob_store.h"

namespace vivalink::cli {

// file:///path or a plain path -> LocalStore; http(s) URLs -> Azure Blob Storage (a SAS in the
// URL, or a Shared Key from AZURE_STORAGE_CONNECTION_STRING / AZURE_STORAGE_KEY).
core::Result<std::unique_ptr<store::BlobStore>> OpenStore(const std::string& url);

// Prints "error: <code>: <message>" (redacted) to stderr and returns the exit code for it:
// 1 for failures, 2 for invalid arguments.
int ReportError(const core::Status& status);

class StdoutSink final : public core::ByteSink {
 public:
  core::Status Write(std::span<const std::byte> data) override;
  core::Status Close() override;
};

}  // namespace vivalink::cli

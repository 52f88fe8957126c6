#include "drop/writer.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/io.h"
#include "crypto/gzip.h"

namespace vivalink::drop {
namespace {

using ojson = nlohmann::ordered_json;

core::Status FlushPart(store::BlobStore& store, const DropRef& ref, int index,
                       const std::string& plain, const DropKeys& keys, int level) {
  ASSIGN_OR_RETURN(std::string gz, crypto::GzipCompress(plain, level));
  ASSIGN_OR_RETURN(std::string enc, crypto::AesCbcEncrypt(keys.file, core::AsBytes(gz)));
  return store::PutString(store, ref.part_path(index), enc).status();
}

}  // namespace

core::Result<DropWriteResult> WriteDropParts(store::BlobStore& store, const DropRef& ref,
                                             std::string_view jsonl, const DropKeys& keys,
                                             const DropWriteOptions& options) {
  DropWriteResult result;
  std::optional<crypto::ColumnCipher> cipher;
  if (keys.column) cipher.emplace(*keys.column);
  std::string part;
  uint64_t part_rows = 0;
  size_t pos = 0;
  uint64_t line_no = 0;
  while (pos < jsonl.size()) {
    size_t nl = jsonl.find('\n', pos);
    if (nl == std::string_view::npos) nl = jsonl.size();
    std::string_view line = jsonl.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    ojson row = ojson::parse(line, nullptr, false);
    if (row.is_discarded() || !row.is_object()) {
      return core::InvalidArgumentError(fmt::format("input line {} is not a JSON object", line_no));
    }
    for (auto it = row.begin(); it != row.end(); ++it) {
      const std::string& key = it.key();
      if (std::find(result.columns.begin(), result.columns.end(), key) == result.columns.end()) {
        result.columns.push_back(key);
      }
      if (cipher && it->is_string() &&
          std::find(options.encrypted_fields.begin(), options.encrypted_fields.end(), key) !=
              options.encrypted_fields.end()) {
        *it = cipher->EncryptToBase64(it->get<std::string>());
      }
    }
    if (auto d = row.find("MetricDate"); d != row.end() && d->is_string()) {
      auto t = core::ParseIso8601(d->get<std::string>());
      if (t.ok()) {
        result.min_date = std::min(result.min_date, *t);
        result.max_date = std::max(result.max_date, *t);
      }
    }
    part += row.dump();
    part += '\n';
    ++result.rows;
    ++part_rows;
    if (options.part_rows > 0 && part_rows >= options.part_rows) {
      RETURN_IF_ERROR(
          FlushPart(store, ref, static_cast<int>(result.parts), part, keys, options.gzip_level));
      ++result.parts;
      part.clear();
      part_rows = 0;
    }
  }
  if (part_rows > 0 || result.parts == 0) {
    RETURN_IF_ERROR(
        FlushPart(store, ref, static_cast<int>(result.parts), part, keys, options.gzip_level));
    ++result.parts;
  }
  core::SecureWipe(part.data(), part.size());
  return result;
}

core::Result<store::BlobProperties> WriteMetadata(store::BlobStore& store, const DropRef& ref,
                                                  const DropMetadata& metadata) {
  return store::PutString(store, ref.metadata_path(), SerializeMetadata(metadata));
}

void FillMetadataFromResult(const DropWriteResult& result, DropMetadata& metadata) {
  std::string cols;
  for (size_t i = 0; i < result.columns.size(); ++i) {
    if (i) cols += ',';
    cols += result.columns[i];
  }
  metadata.columns_requested = cols;
  metadata.rows_extracted = static_cast<int64_t>(result.rows);
  if (metadata.request_start == core::TimePoint{} && result.rows > 0 &&
      result.min_date != core::TimePoint::max()) {
    metadata.request_start = result.min_date;
  }
  if (metadata.request_end == core::TimePoint{} && result.rows > 0 &&
      result.max_date != core::TimePoint::min()) {
    metadata.request_end = result.max_date;
  }
}

}  // namespace vivalink::drop

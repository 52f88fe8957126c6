#include "drop/cat.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/file.h"
#include "crypto/gzip.h"
#include "drop/reader.h"

namespace vivalink::drop {

std::string DropSummary::ToText() const {
  std::string cols;
  for (size_t i = 0; i < columns.size(); ++i) cols += (i ? " | " : "") + columns[i];
  std::string out = fmt::format("drop: {}\nparts: {}\nencrypted bytes: {}\nrows: {}\ncolumns: {}\n",
                                drop, parts, ciphertext_bytes, rows, columns.size());
  if (!min_date.empty()) out += fmt::format("dates: {} .. {}\n", min_date, max_date);
  out += fmt::format("column names: {}\nvalidation: {}\n", cols, validation);
  return out;
}

core::Result<DropMetadata> ReadMetadata(store::BlobStore& store, const DropRef& ref) {
  auto text = store::GetAll(store, ref.metadata_path(), 16u << 20);
  if (!text.ok()) return text.status().WithContext("drop " + ref.ToString());
  return ParseMetadata(*text, ref.metadata_path());
}

core::Status VerifyDrop(store::BlobStore& store, const DropRef& ref, const DropMetadata& metadata,
                        const DropKeys& keys, DropSummary& summary) {
  summary.drop = ref.ToString();
  auto run = [&]() -> core::Status {
    ASSIGN_OR_RETURN(auto reader, DropReader::Open(store, ref, metadata, keys));
    DropValidator validator(metadata, ref);
    formats::RowBatch batch;
    while (true) {
      auto more = reader->Next(batch);
      summary.rows = reader->stats().rows;
      summary.parts = reader->stats().parts;
      summary.ciphertext_bytes = reader->stats().ciphertext_bytes;
      if (!more.ok()) return more.status();
      if (!*more) break;
      RETURN_IF_ERROR(validator.Observe(batch));
    }
    summary.columns = reader->source_columns();
    if (validator.rows() > 0 && validator.min_date() != core::TimePoint::max()) {
      summary.min_date = core::FormatIso8601(validator.min_date());
      summary.max_date = core::FormatIso8601(validator.max_date());
    }
    return validator.Finish(reader->stats(), reader->source_columns());
  };
  core::Status st = run();
  summary.validation = st.ok() ? "ok" : st.ToString();
  return st;
}

core::Status CatDrop(store::BlobStore& store, const DropRef& ref, const DropMetadata& metadata,
                     const DropKeys& keys, core::ByteSink& out) {
  DropSummary summary;
  RETURN_IF_ERROR(VerifyDrop(store, ref, metadata, keys, summary));
  // Second pass: the drop is known good; stream its lines with the PII fields decrypted.
  std::optional<crypto::ColumnCipher> cipher;
  if (keys.column) cipher.emplace(*keys.column);
  static const std::vector<std::string> kPii = {"PersonId", "ObjectId", "id", "mail",
                                                "userPrincipalName"};
  ASSIGN_OR_RETURN(auto parts, ListParts(store, ref));
  std::string plain_value;
  core::SecureString carry;
  std::vector<std::byte> buf(1 << 20);
  for (const auto& part : parts) {
    ASSIGN_OR_RETURN(auto body, store.Get(part.name));
    auto aes = std::make_unique<crypto::AesCbcDecryptSource>(std::move(body), keys.file, part.name);
    crypto::GzipInflateSource gz(std::move(aes), part.name);
    auto emit = [&](std::string_view line) -> core::Status {
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) return core::OkStatus();
      auto row = nlohmann::ordered_json::parse(line, nullptr, false);
      if (row.is_discarded()) return core::DataLossError(part.name + ": a line is not JSON");
      if (cipher) {
        for (const auto& f : kPii) {
          auto it = row.find(f);
          if (it == row.end() || !it->is_string()) continue;
          RETURN_IF_ERROR(cipher->DecryptBase64(it->get<std::string>(), plain_value));
          *it = plain_value;
        }
      }
      std::string text = row.dump();
      text += '\n';
      RETURN_IF_ERROR(out.Write(core::AsBytes(text)));
      core::SecureWipe(text.data(), text.size());
      return core::OkStatus();
    };
    while (true) {
      ASSIGN_OR_RETURN(size_t n, gz.Read(buf));
      if (n == 0) break;
      carry.append(reinterpret_cast<const char*>(buf.data()), n);
      size_t start = 0;
      while (true) {
        size_t nl = carry.find('\n', start);
        if (nl == std::string::npos) break;
        RETURN_IF_ERROR(emit(std::string_view(carry).substr(start, nl - start)));
        start = nl + 1;
      }
      carry.erase(0, start);
    }
    if (!carry.empty()) RETURN_IF_ERROR(emit(carry));
    carry.clear();
    core::SecureWipe(buf.data(), buf.size());
  }
  core::SecureWipe(plain_value.data(), plain_value.size());
  return core::OkStatus();
}

namespace {

// The key API's answer saved in the keys file, or why there is none; LoadDropKeys decides.
core::Result<std::vector<WrappedKey>> KeysFileAnswer(const CatRequest& request,
                                                     const DropMetadata& metadata) {
  if (request.keys_file.empty()) {
    return core::NotFoundError(
        "no key API answer: pass --keys-file with the key API's answer for CopyActivityId " +
        metadata.copy_activity_id);
  }
  ASSIGN_OR_RETURN(std::string text, core::ReadFile(request.keys_file, 1u << 20));
  auto parsed = ParseKeysResponse(text);
  if (!parsed.ok()) return parsed.status().WithContext(request.keys_file);
  return parsed;
}

}  // namespace

core::Status CatDropRequest(store::BlobStore& store, const CatRequest& request,
                            core::ByteSink& out) {
  ASSIGN_OR_RETURN(DropRef ref, ParseDropRef(request.drop));
  ASSIGN_OR_RETURN(DropMetadata metadata, ReadMetadata(store, ref));
  if (metadata.failed_upstream()) {
    return core::FailedPreconditionError(fmt::format(
        "drop {} failed upstream: {}; it holds no data", ref.ToString(), metadata.errors));
  }
  ASSIGN_OR_RETURN(DropKeys keys, LoadDropKeys(KeyStore(request.keystore), ref, metadata,
                                               KeysFileAnswer(request, metadata)));
  if (request.summary) {
    DropSummary summary;
    core::Status verified = VerifyDrop(store, ref, metadata, keys, summary);
    const std::string text = summary.ToText();
    RETURN_IF_ERROR(out.Write(std::as_bytes(std::span(text.data(), text.size()))));
    RETURN_IF_ERROR(out.Close());
    return verified;
  }
  RETURN_IF_ERROR(CatDrop(store, ref, metadata, keys, out));
  return out.Close();
}

}  // namespace vivalink::drop

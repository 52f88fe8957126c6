#include "join/resolver.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "core/strings.h"
#include "identity/identity.h"
#include "join/internal/file.h"

namespace vivalink::join {

int32_t IdentityIndex::Intern(std::string normalized_id) {
  auto it = id_index_.find(normalized_id);
  if (it != id_index_.end()) return it->second;
  ids_.push_back(std::make_unique<std::string>(std::move(normalized_id)));
  auto id = static_cast<int32_t>(ids_.size() - 1);
  id_index_.emplace(*ids_.back(), id);
  return id;
}

void IdentityIndex::AddEmail(std::string_view email, int32_t id) {
  std::string key = NormalizeEmail(email);
  if (key.empty()) return;
  auto [it, inserted] = emails_.emplace(std::move(key), id);
  if (inserted || it->second == id || it->second == kAmbiguousId) return;
  // A second person claims the address: refuse it for everyone rather than guess.
  it->second = kAmbiguousId;
  ++ambiguous_;
}

void IdentityIndex::AddUser(std::string_view object_id,
                            const std::vector<std::string_view>& emails) {
  std::string id = NormalizeObjectId(object_id);
  if (id.empty()) {
    ++rows_without_id_;
    return;
  }
  int32_t index = Intern(std::move(id));
  for (auto e : emails) AddEmail(e, index);
}

namespace {

// The SMTP addresses of one proxyAddresses value: a JSON array of strings as the reader keeps it,
// or (CSV exports) the entries separated by ';'. Entries of other types (x500:, sip:) are skipped.
core::Status ProxyAddresses(std::string_view text, std::vector<std::string>& out) {
  auto take = [&out](std::string_view entry) {
    entry = core::Trim(entry);
    if (core::StartsWithIgnoreCase(entry, "smtp:")) out.emplace_back(entry.substr(5));
  };
  std::string_view t = core::Trim(text);
  if (t.empty()) return core::OkStatus();
  if (t.front() != '[') {
    for (auto part : core::Split(t, ';')) take(part);
    return core::OkStatus();
  }
  auto json = nlohmann::json::parse(t, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded() || !json.is_array()) {
    return core::DataLossError("proxyAddresses is not a JSON array");
  }
  for (const auto& entry : json) {
    if (entry.is_null()) continue;
    if (!entry.is_string()) return core::DataLossError("proxyAddresses holds a non-string entry");
    take(entry.get_ref<const std::string&>());
  }
  return core::OkStatus();
}

core::Result<const formats::Column*> StringColumn(const formats::RowBatch& batch,
                                                  std::string_view name) {
  int i = batch.Find(name);
  if (i < 0) return static_cast<const formats::Column*>(nullptr);
  const auto& column = batch.column(static_cast<size_t>(i));
  if (column.type() != formats::ColumnType::kString) {
    return core::InvalidArgumentError(fmt::format(
        "user export column '{}' holds numbers or bools; expected text (is this a User_v1 "
        "export?)",
        name));
  }
  return &column;
}

}  // namespace

core::Status IdentityIndex::AddUsers(const formats::RowBatch& batch) {
  ASSIGN_OR_RETURN(const formats::Column* id, StringColumn(batch, "id"));
  if (id == nullptr && batch.num_rows() > 0) {
    return core::InvalidArgumentError(
        "the user export has no 'id' column (the Entra object id); expected MGDC User_v1 rows");
  }
  ASSIGN_OR_RETURN(const formats::Column* mail, StringColumn(batch, "mail"));
  ASSIGN_OR_RETURN(const formats::Column* upn, StringColumn(batch, "userPrincipalName"));
  ASSIGN_OR_RETURN(const formats::Column* proxies, StringColumn(batch, "proxyAddresses"));
  std::vector<std::string> proxy_list;
  std::vector<std::string_view> emails;
  for (size_t r = 0; r < batch.num_rows(); ++r) {
    if (id->IsNull(r)) {
      ++rows_without_id_;
      continue;
    }
    emails.clear();
    proxy_list.clear();
    if (mail != nullptr && !mail->IsNull(r)) emails.push_back(mail->StringAt(r));
    if (upn != nullptr && !upn->IsNull(r)) emails.push_back(upn->StringAt(r));
    if (proxies != nullptr && !proxies->IsNull(r)) {
      core::Status st = ProxyAddresses(proxies->StringAt(r), proxy_list);
      if (!st.ok()) {
        return st.WithContext(fmt::format("user export row at line {}", batch.first_line + r));
      }
      for (const auto& p : proxy_list) emails.emplace_back(p);
    }
    AddUser(id->StringAt(r), emails);
  }
  return core::OkStatus();
}

Resolution IdentityIndex::Resolve(std::string_view key, KeyType type) const {
  if (type == KeyType::kObjectId) {
    std::string id = NormalizeObjectId(key);
    if (id.empty()) return {};
    // Not needing the export: the id itself names the person.
    return {ResolveOutcome::kResolved, std::move(id)};
  }
  auto it = emails_.find(NormalizeEmail(key));
  if (it == emails_.end()) return {};
  if (it->second == kAmbiguousId) return {ResolveOutcome::kAmbiguous, {}};
  return {ResolveOutcome::kResolved, *ids_[it->second]};
}

bool IdentityIndex::ContainsObjectId(std::string_view object_id) const {
  return id_index_.count(NormalizeObjectId(object_id)) > 0;
}

IdentityIndexStats IdentityIndex::stats() const {
  IdentityIndexStats s;
  s.users = static_cast<int64_t>(ids_.size());
  s.rows_without_id = rows_without_id_;
  s.ambiguous_emails = ambiguous_;
  s.emails = static_cast<int64_t>(emails_.size()) - ambiguous_;
  return s;
}

core::Result<IdentityIndex> LoadIdentityIndex(std::unique_ptr<core::ByteSource> source,
                                              const formats::ReaderOptions& options) {
  ASSIGN_OR_RETURN(auto reader, formats::OpenRowReader(std::move(source), options));
  IdentityIndex index;
  formats::RowBatch batch;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader->Next(batch));
    if (!more) break;
    RETURN_IF_ERROR(index.AddUsers(batch).WithContext(options.source_name));
  }
  return index;
}

core::Result<IdentityIndex> LoadIdentityIndexFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string data, internal::ReadWholeFile(path));
  formats::ReaderOptions options;
  options.source_name = path;
  return LoadIdentityIndex(core::MemorySource::Owning(std::move(data)), options);
}

}  // namespace vivalink::join

#include "azure/blob_client.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <pugixml.hpp>
#include <thread>

#include "azure/internal/pipeline.h"
#include "azure/sas.h"
#include "core/base64.h"
#include "core/strings.h"
#include "core/uuid.h"
#include "crypto/hash.h"

namespace vivalink::azure {
namespace {

using internal::Describe;
using internal::ErrorFromResponse;

std::string Header(const http::Response& r, const char* name) {
  return std::string(core::Trim(r.Header(name)));
}

uint64_t ParseU64(std::string_view text) {
  uint64_t v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

bool IsHttp416(const core::Status& s) { return s.remote() && s.remote()->http_status == 416; }

// Reads from source until `size` bytes are in `out` or the source ends; returns the bytes read.
// The buffer grows as data arrives, so a small blob never costs a whole block of memory.
core::Result<size_t> Fill(core::ByteSource& source, std::string& out, size_t size) {
  constexpr size_t kFirstRead = 64 * 1024;
  size_t got = 0;
  out.resize(std::min(size, kFirstRead));
  while (got < size) {
    if (got == out.size()) out.resize(std::min(size, std::max(kFirstRead, got * 2)));
    ASSIGN_OR_RETURN(
        size_t n, source.Read(std::span<std::byte>(reinterpret_cast<std::byte*>(out.data()) + got,
                                                   out.size() - got)));
    if (n == 0) break;
    got += n;
  }
  out.resize(got);
  return got;
}

// A stream over a blob fetched in bounded Range requests. After a failure mid-chunk it asks for
// the remaining bytes only, with If-Match on the ETag, so a replaced blob cannot be spliced in.
class DownloadStream final : public core::ByteSource {
 public:
  DownloadStream(std::shared_ptr<AzureBlobClient> client, std::string name,
                 const store::GetOptions& get, const BlobClientOptions& options)
      : client_(std::move(client)),
        name_(std::move(name)),
        next_(get.offset),
        start_(get.offset),
        length_(get.length),
        if_match_(get.if_match),
        chunk_(std::max<uint64_t>(options.download_chunk_bytes, 1)),
        max_failures_(std::max(options.max_resume_attempts, 0)),
        resume_delay_(options.resume_delay) {
    if (get.verify_md5 && get.offset == 0 && !get.length) md5_.emplace();
  }

  // Fetches the first chunk so that "not found" and friends surface at open time.
  core::Status Start() {
    if (length_ && *length_ == 0) return FinishEmpty(/*after_416=*/false);
    return FetchChunk();
  }

  core::Result<size_t> Read(std::span<std::byte> out) override {
    if (!failure_.ok()) return failure_;
    if (out.empty()) return size_t{0};
    while (pos_ == buffer_.size()) {
      if (end_known_ && next_ + buffer_.size() >= end_) {
        core::Status done = Finish();
        if (!done.ok()) {
          failure_ = done;
          return done;
        }
        return size_t{0};
      }
      core::Status fetched = FetchChunk();
      if (!fetched.ok()) {
        failure_ = fetched;
        return fetched;
      }
    }
    size_t n = std::min(out.size(), buffer_.size() - pos_);
    std::memcpy(out.data(), buffer_.data() + pos_, n);
    pos_ += n;
    return n;
  }

 private:
  std::string Where(uint64_t offset) const {
    return fmt::format("blob {} of {} at byte {}", name_, client_->container_url(), offset);
  }

  // Range [offset, offset + length) was asked for but the blob is shorter (HTTP 416): an empty
  // stream when it starts exactly at the end, kInvalidArgument past it.
  core::Status FinishEmpty(bool after_416) {
    ASSIGN_OR_RETURN(store::BlobProperties props, client_->GetProperties(name_));
    if (!if_match_.empty() && props.etag != if_match_) {
      return core::FailedPreconditionError(
          fmt::format("{}: ETag is {}, not {}", Where(next_), props.etag, if_match_));
    }
    if (next_ > props.size) {
      return core::InvalidArgumentError(fmt::format(
          "{}: the range starts past the end of the blob ({} bytes)", Where(next_), props.size));
    }
    if (after_416 && next_ < props.size) {
      return core::UnavailableError(
          fmt::format("{}: the blob changed while it was being opened; retry", Where(next_)));
    }
    end_known_ = true;
    end_ = next_;
    expected_md5_ = props.content_md5;
    return core::OkStatus();
  }

  core::Status Finish() {
    if (finished_) return core::OkStatus();
    finished_ = true;
    if (!md5_ || expected_md5_.empty()) return core::OkStatus();
    std::string got = core::Base64Encode(md5_->Finish());
    if (got != expected_md5_) {
      return core::DataLossError(
          fmt::format("blob {} of {}: the {} bytes read do not match the blob's Content-MD5 "
                      "(expected {}, computed {}); the blob is corrupt or was changed",
                      name_, client_->container_url(), end_, expected_md5_, got));
    }
    return core::OkStatus();
  }

  core::Status FetchChunk() {
    next_ += buffer_.size();
    buffer_.clear();
    pos_ = 0;
    uint64_t want_end = next_ + chunk_;
    if (length_) want_end = std::min(want_end, start_ + *length_);
    if (end_known_) want_end = std::min(want_end, end_);
    int failures = 0;
    while (true) {
      const uint64_t from = next_ + buffer_.size();
      if (end_known_ && from >= want_end) break;
      const uint64_t len = want_end - from;
      const size_t before = buffer_.size();
      auto on_body = [&](std::string_view bytes) -> core::Status {
        if (buffer_.size() - before + bytes.size() > len) {
          return core::DataLossError(fmt::format(
              "{}: the service sent more bytes than the {} asked for", Where(from), len));
        }
        buffer_.append(bytes);
        return core::OkStatus();
      };
      std::string condition = end_known_ ? etag_ : if_match_;
      auto r = client_->DownloadRange(name_, from, len, condition, on_body);
      if (r.ok()) {
        if (r->http_status == 200 && from != 0) {
          return core::InternalError(Where(from) + ": the service ignored the Range header");
        }
        if (!end_known_) {
          end_known_ = true;
          const uint64_t total = r->properties.size;
          end_ = length_ ? std::min(total, start_ + *length_) : total;
          etag_ = r->properties.etag;
          expected_md5_ = r->properties.content_md5;
          want_end = std::min(want_end, end_);
        } else if (r->properties.size != total_) {
          // If-Match makes this impossible unless the service misbehaves.
          return core::FailedPreconditionError(Where(from) + ": the blob changed while reading");
        }
        total_ = r->properties.size;
        if (buffer_.size() > before) {
          failures = 0;
          continue;
        }
        if (from >= want_end) break;
        // A complete response without the bytes we asked for: treat like a dropped connection.
        if (++failures > max_failures_) {
          return core::DataLossError(
              fmt::format("{}: the blob ended early ({} of {} bytes)", Where(from), from, end_));
        }
        continue;
      }
      core::Status status = r.status();
      if (!end_known_ && IsHttp416(status)) return FinishEmpty(/*after_416=*/true);
      if (status.code() == core::StatusCode::kFailedPrecondition && end_known_) {
        return core::FailedPreconditionError(
                   fmt::format("{}: the blob was replaced while it was being read (ETag was {})",
                               Where(from), etag_))
            .SetRemote(status.remote().value_or(core::RemoteDetails{}));
      }
      if (!end_known_) {
        // No response yet means no ETag to pin the rest on: start the first chunk over rather
        // than splice bytes of a blob that may have been replaced in between.
        buffer_.clear();
      } else if (buffer_.size() > before) {
        failures = 0;
      }
      if (status.code() != core::StatusCode::kUnavailable || ++failures > max_failures_) {
        return status.WithContext(Where(from));
      }
      std::this_thread::sleep_for(resume_delay_ * failures);
    }
    if (md5_) md5_->Update(buffer_);
    return core::OkStatus();
  }

  std::shared_ptr<AzureBlobClient> client_;
  std::string name_;
  uint64_t next_ = 0;     // offset of buffer_[0]
  const uint64_t start_;  // offset of the first byte this stream returns
  std::optional<uint64_t> length_;
  std::string if_match_;
  uint64_t chunk_;
  int max_failures_;
  std::chrono::milliseconds resume_delay_;

  bool end_known_ = false;
  uint64_t end_ = 0;    // exclusive end of what this stream returns
  uint64_t total_ = 0;  // the whole blob's size
  std::string etag_;
  std::string expected_md5_;
  std::optional<crypto::Md5Hasher> md5_;
  std::string buffer_;
  size_t pos_ = 0;
  bool finished_ = false;
  core::Status failure_;
};

std::string Ids(std::string_view prefix, size_t index) {
  return core::Base64Encode(fmt::format("{}-{:08d}", prefix, index));
}

}  // namespace

AzureBlobClient::AzureBlobClient(std::string container_url, std::string account,
                                 std::string container,
                                 std::unique_ptr<internal::Pipeline> pipeline,
                                 BlobClientOptions options)
    : container_url_(std::move(container_url)),
      account_(std::move(account)),
      container_(std::move(container)),
      pipeline_(std::move(pipeline)),
      options_(std::move(options)) {}

AzureBlobClient::~AzureBlobClient() = default;

core::Result<std::shared_ptr<AzureBlobClient>> AzureBlobClient::Make(std::string_view container_url,
                                                                     Credential credential,
                                                                     BlobClientOptions options) {
  ASSIGN_OR_RETURN(StorageUrl url, ParseStorageUrl(container_url));
  if (url.resource.empty() || url.resource.find('/') != std::string::npos) {
    return core::InvalidArgumentError(
        "blob container URL \"" + http::UrlWithoutQuery(container_url) +
        "\" must name exactly one container (https://account.blob.core.windows.net/container "
        "or http://127.0.0.1:10000/account/container)");
  }
  SasUrl split = SplitSasUrl(container_url);
  if (std::holds_alternative<std::monostate>(credential) && split.has_sas) {
    credential = SasCredential{split.token};
  }
  if (const auto* key = std::get_if<std::shared_ptr<const SharedKeyCredential>>(&credential)) {
    if (*key == nullptr) return core::InvalidArgumentError("blob client: null shared key");
    if ((*key)->account_name() != url.account) {
      return core::InvalidArgumentError("blob container URL \"" + split.url + "\" is in account " +
                                        url.account + " but the shared key is for account " +
                                        (*key)->account_name());
    }
  }
  std::string base = url.ServiceRoot() + "/" + http::UrlEncodePath(url.resource);
  auto pipeline =
      std::make_unique<internal::Pipeline>(options.transport, options.retry, std::move(credential),
                                           options.service_version, options.clock);
  return std::shared_ptr<AzureBlobClient>(new AzureBlobClient(
      std::move(base), url.account, url.resource, std::move(pipeline), std::move(options)));
}

std::string AzureBlobClient::BlobUrl(std::string_view name) const {
  return container_url_ + "/" + http::UrlEncodePath(name);
}

core::Result<http::Response> AzureBlobClient::Call(http::Request request,
                                                   std::initializer_list<int> ok_statuses,
                                                   const http::BodyCallback& on_body) {
  const std::string what = Describe(request.method, request.url);
  request.timeout = options_.request_timeout;
  ASSIGN_OR_RETURN(http::Response response, pipeline_->Send(std::move(request), what, on_body));
  if (std::find(ok_statuses.begin(), ok_statuses.end(), response.status) == ok_statuses.end()) {
    return ErrorFromResponse(what, response);
  }
  return response;
}

core::Status AzureBlobClient::CreateContainer() {
  http::Request r;
  r.method = "PUT";
  r.url = container_url_ + "?restype=container";
  return Call(std::move(r), {201}).status();
}

core::Result<bool> AzureBlobClient::CreateContainerIfNotExists() {
  core::Status s = CreateContainer();
  if (s.ok()) return true;
  if (s.remote() && s.remote()->service_code == "ContainerAlreadyExists") return false;
  return s;
}

core::Status AzureBlobClient::DeleteContainer() {
  http::Request r;
  r.method = "DELETE";
  r.url = container_url_ + "?restype=container";
  return Call(std::move(r), {202}).status();
}

core::Result<store::ListPage> AzureBlobClient::ListBlobs(const store::ListOptions& options) {
  if (options.max_results < 1) {
    return core::InvalidArgumentError(
        fmt::format("listing {}: max_results must be at least 1", container_url_));
  }
  std::string url = container_url_ + "?restype=container&comp=list&include=metadata";
  if (!options.prefix.empty()) url += "&prefix=" + http::UrlEncodeQuery(options.prefix);
  if (!options.delimiter.empty()) url += "&delimiter=" + http::UrlEncodeQuery(options.delimiter);
  if (!options.marker.empty()) url += "&marker=" + http::UrlEncodeQuery(options.marker);
  url += "&maxresults=" + std::to_string(options.max_results);
  http::Request r;
  r.url = std::move(url);
  const std::string what = Describe("GET", r.url);
  ASSIGN_OR_RETURN(http::Response response, Call(std::move(r), {200}));

  pugi::xml_document doc;
  if (!doc.load_buffer(response.body.data(), response.body.size())) {
    return core::InternalError(what + ": the List Blobs answer is not XML");
  }
  pugi::xml_node root = doc.child("EnumerationResults");
  if (!root) return core::InternalError(what + ": no EnumerationResults in the List Blobs answer");
  auto name_of = [](pugi::xml_node node) {
    pugi::xml_node n = node.child("Name");
    std::string text = n.child_value();
    // Names with characters XML cannot carry come percent-encoded with Encoded="true".
    if (n.attribute("Encoded").as_bool()) text = http::UrlDecode(text);
    return text;
  };
  store::ListPage page;
  for (pugi::xml_node node : root.child("Blobs").children()) {
    std::string_view tag = node.name();
    if (tag == "BlobPrefix") {
      page.prefixes.push_back(name_of(node));
      continue;
    }
    if (tag != "Blob") continue;
    store::BlobProperties p;
    p.name = name_of(node);
    pugi::xml_node props = node.child("Properties");
    p.size = ParseU64(props.child_value("Content-Length"));
    p.etag = internal::QuoteEtag(props.child_value("Etag"));
    p.created = internal::ParseHttpDate(props.child_value("Creation-Time"));
    p.last_modified = internal::ParseHttpDate(props.child_value("Last-Modified"));
    p.content_md5 = props.child_value("Content-MD5");
    p.content_type = props.child_value("Content-Type");
    for (pugi::xml_node m : node.child("Metadata").children()) {
      if (m.type() == pugi::node_element) p.metadata[core::ToLower(m.name())] = m.child_value();
    }
    page.blobs.push_back(std::move(p));
  }
  page.next_marker = root.child_value("NextMarker");
  return page;
}

core::Result<BlobDetails> AzureBlobClient::GetBlobDetails(std::string_view name) {
  RETURN_IF_ERROR(store::ValidateBlobName(name));
  http::Request r;
  r.method = "HEAD";
  r.url = BlobUrl(name);
  ASSIGN_OR_RETURN(http::Response response, Call(std::move(r), {200}));
  BlobDetails d;
  d.properties = internal::PropertiesFromHeaders(name, response.headers);
  d.blob_type = Header(response, "x-ms-blob-type");
  d.lease_state = Header(response, "x-ms-lease-state");
  d.lease_status = Header(response, "x-ms-lease-status");
  d.copy_id = Header(response, "x-ms-copy-id");
  d.copy_status = Header(response, "x-ms-copy-status");
  return d;
}

core::Result<store::BlobProperties> AzureBlobClient::GetProperties(std::string_view name) {
  ASSIGN_OR_RETURN(BlobDetails d, GetBlobDetails(name));
  return std::move(d.properties);
}

core::Result<RangeResponse> AzureBlobClient::DownloadRange(std::string_view name, uint64_t offset,
                                                           uint64_t length,
                                                           std::string_view if_match,
                                                           const http::BodyCallback& on_body) {
  RETURN_IF_ERROR(store::ValidateBlobName(name));
  http::Request r;
  r.url = BlobUrl(name);
  if (length > 0) {
    r.headers["x-ms-range"] = fmt::format("bytes={}-{}", offset, offset + length - 1);
  } else if (offset > 0) {
    r.headers["x-ms-range"] = fmt::format("bytes={}-", offset);
  }
  if (!if_match.empty()) r.headers["If-Match"] = std::string(if_match);
  ASSIGN_OR_RETURN(http::Response response, Call(std::move(r), {200, 206}, on_body));
  RangeResponse out;
  out.http_status = response.status;
  out.properties = internal::PropertiesFromHeaders(name, response.headers);
  std::string range = Header(response, "Content-Range");  // "bytes 0-99/100"
  if (response.status == 206 && range.starts_with("bytes ")) {
    out.first_byte = ParseU64(std::string_view(range).substr(6));
  }
  return out;
}

core::Result<std::unique_ptr<core::ByteSource>> AzureBlobClient::OpenRead(
    std::string_view name, const store::GetOptions& options) {
  RETURN_IF_ERROR(store::ValidateBlobName(name));
  // The stream keeps the client alive: it may outlive the caller's reference to the client.
  auto stream =
      std::make_unique<DownloadStream>(shared_from_this(), std::string(name), options, options_);
  RETURN_IF_ERROR(stream->Start());
  return std::unique_ptr<core::ByteSource>(std::move(stream));
}

core::Result<store::BlobProperties> AzureBlobClient::Upload(std::string_view name,
                                                            core::ByteSource& data,
                                                            const UploadOptions& options) {
  RETURN_IF_ERROR(store::ValidateBlobName(name));
  const size_t block_bytes = static_cast<size_t>(std::max<uint64_t>(options_.block_bytes, 1));
  crypto::Md5Hasher md5;
  std::string block;
  ASSIGN_OR_RETURN(size_t first, Fill(data, block, block_bytes));
  md5.Update(block);

  if (first < block_bytes) {
    // Small blob: one Put Blob carrying the whole body and its MD5 (checked by the service).
    std::string content_md5 = core::Base64Encode(md5.Finish());
    http::Request r;
    r.method = "PUT";
    r.url = BlobUrl(name);
    r.headers["x-ms-blob-type"] = "BlockBlob";
    r.headers["Content-Type"] = options.put.content_type;
    r.headers["Content-MD5"] = content_md5;
    r.headers["Content-Length"] = std::to_string(block.size());
    if (!options.put.if_match.empty()) r.headers["If-Match"] = options.put.if_match;
    if (options.put.if_none_match_any) r.headers["If-None-Match"] = "*";
    if (!options.lease_id.empty()) r.headers["x-ms-lease-id"] = options.lease_id;
    RETURN_IF_ERROR(internal::AddMetadataHeaders(options.put.metadata, r.headers));
    r.body = std::move(block);
    ASSIGN_OR_RETURN(http::Response response, Call(std::move(r), {201}));
    store::BlobProperties p;
    p.name = std::string(name);
    p.size = first;
    p.etag = internal::QuoteEtag(Header(response, "ETag"));
    p.last_modified = internal::ParseHttpDate(Header(response, "Last-Modified"));
    p.content_md5 = content_md5;
    p.content_type = options.put.content_type;
    for (const auto& [k, v] : options.put.metadata) p.metadata[core::ToLower(k)] = v;
    return p;
  }

  // Large blob: stage blocks one at a time (memory: one block), then commit the list.
  const std::string prefix = core::NewUuid().substr(0, 8);
  std::vector<std::string> ids;
  uint64_t total = 0;
  while (!block.empty()) {
    ids.push_back(Ids(prefix, ids.size()));
    RETURN_IF_ERROR(StageBlock(name, ids.back(), block));
    total += block.size();
    ASSIGN_OR_RETURN(size_t n, Fill(data, block, block_bytes));
    if (n > 0) md5.Update(block);
  }
  std::string content_md5 = core::Base64Encode(md5.Finish());
  ASSIGN_OR_RETURN(store::BlobProperties p, CommitBlockList(name, ids, options, content_md5));
  p.size = total;
  return p;
}

core::Status AzureBlobClient::StageBlock(std::string_view name, std::string_view block_id,
                                         std::string_view data) {
  RETURN_IF_ERROR(store::ValidateBlobName(name));
  http::Request r;
  r.method = "PUT";
  r.url = BlobUrl(name) + "?comp=block&blockid=" + http::UrlEncodeQuery(block_id);
  r.headers["Content-Length"] = std::to_string(data.size());
  r.body = std::string(data);
  return Call(std::move(r), {201}).status();
}

core::Result<store::BlobProperties> AzureBlobClient::CommitBlockList(
    std::string_view name, const std::vector<std::string>& block_ids, const UploadOptions& options,
    std::string_view content_md5) {
  RETURN_IF_ERROR(store::ValidateBlobName(name));
  std::string body = "<?xml version=\"1.0\" encoding=\"utf-8\"?><BlockList>";
  for (const std::string& id : block_ids) {
    body += "<Latest>" + internal::XmlEscape(id) + "</Latest>";
  }
  body += "</BlockList>";
  http::Request r;
  r.method = "PUT";
  r.url = BlobUrl(name) + "?comp=blocklist";
  r.headers["Content-Type"] = "application/xml";
  r.headers["Content-Length"] = std::to_string(body.size());
  r.headers["x-ms-blob-content-type"] = options.put.content_type;
  if (!content_md5.empty()) r.headers["x-ms-blob-content-md5"] = std::string(content_md5);
  if (!options.put.if_match.empty()) r.headers["If-Match"] = options.put.if_match;
  if (options.put.if_none_match_any) r.headers["If-None-Match"] = "*";
  if (!options.lease_id.empty()) r.headers["x-ms-lease-id"] = options.lease_id;
  RETURN_IF_ERROR(internal::AddMetadataHeaders(options.put.metadata, r.headers));
  r.body = std::move(body);
  ASSIGN_OR_RETURN(http::Response response, Call(std::move(r), {201}));
  store::BlobProperties p;
  p.name = std::string(name);
  p.etag = internal::QuoteEtag(Header(response, "ETag"));
  p.last_modified = internal::ParseHttpDate(Header(response, "Last-Modified"));
  p.content_md5 = std::string(content_md5);
  p.content_type = options.put.content_type;
  for (const auto& [k, v] : options.put.metadata) p.metadata[core::ToLower(k)] = v;
  return p;
}

core::Status AzureBlobClient::DeleteBlob(std::string_view name, const DeleteBlobOptions& options) {
  RETURN_IF_ERROR(store::ValidateBlobName(name));
  http::Request r;
  r.method = "DELETE";
  r.url = BlobUrl(name);
  if (!options.if_match.empty()) r.headers["If-Match"] = options.if_match;
  if (!options.lease_id.empty()) r.headers["x-ms-lease-id"] = options.lease_id;
  return Call(std::move(r), {202}).status();
}

core::Result<http::Response> AzureBlobClient::LeaseCall(std::string_view name,
                                                        std::string_view action,
                                                        http::Headers headers, int ok_status) {
  RETURN_IF_ERROR(store::ValidateBlobName(name));
  http::Request r;
  r.method = "PUT";
  r.url = BlobUrl(name) + "?comp=lease";
  r.headers = std::move(headers);
  r.headers["x-ms-lease-action"] = std::string(action);
  return Call(std::move(r), {ok_status});
}

core::Result<Lease> AzureBlobClient::AcquireLease(std::string_view name, int duration_seconds,
                                                  std::string_view proposed_id) {
  if (duration_seconds != -1 && (duration_seconds < 15 || duration_seconds > 60)) {
    return core::InvalidArgumentError(fmt::format(
        "lease on blob {}: duration must be -1 or 15..60 seconds, not {}", name, duration_seconds));
  }
  http::Headers h;
  h["x-ms-lease-duration"] = std::to_string(duration_seconds);
  h["x-ms-proposed-lease-id"] = proposed_id.empty() ? core::NewUuid() : std::string(proposed_id);
  ASSIGN_OR_RETURN(http::Response response, LeaseCall(name, "acquire", std::move(h), 201));
  return Lease{Header(response, "x-ms-lease-id"), internal::QuoteEtag(Header(response, "ETag"))};
}

core::Result<Lease> AzureBlobClient::RenewLease(std::string_view name, std::string_view lease_id) {
  http::Headers h;
  h["x-ms-lease-id"] = std::string(lease_id);
  ASSIGN_OR_RETURN(http::Response response, LeaseCall(name, "renew", std::move(h), 200));
  return Lease{Header(response, "x-ms-lease-id"), internal::QuoteEtag(Header(response, "ETag"))};
}

core::Status AzureBlobClient::ReleaseLease(std::string_view name, std::string_view lease_id) {
  http::Headers h;
  h["x-ms-lease-id"] = std::string(lease_id);
  return LeaseCall(name, "release", std::move(h), 200).status();
}

core::Result<int> AzureBlobClient::BreakLease(std::string_view name,
                                              std::optional<int> break_period) {
  http::Headers h;
  if (break_period) h["x-ms-lease-break-period"] = std::to_string(*break_period);
  ASSIGN_OR_RETURN(http::Response response, LeaseCall(name, "break", std::move(h), 202));
  return static_cast<int>(ParseU64(Header(response, "x-ms-lease-time")));
}

core::Result<CopyResult> AzureBlobClient::Copy(std::string_view dest_name,
                                               std::string_view source_url, bool sync) {
  RETURN_IF_ERROR(store::ValidateBlobName(dest_name));
  http::Request r;
  r.method = "PUT";
  r.url = BlobUrl(dest_name);
  r.headers["x-ms-copy-source"] = std::string(source_url);
  if (sync) r.headers["x-ms-requires-sync"] = "true";
  ASSIGN_OR_RETURN(http::Response response, Call(std::move(r), {202}));
  CopyResult out;
  out.copy_id = Header(response, "x-ms-copy-id");
  out.copy_status = Header(response, "x-ms-copy-status");
  out.etag = internal::QuoteEtag(Header(response, "ETag"));
  return out;
}

core::Result<CopyResult> AzureBlobClient::CopyFromUrl(std::string_view dest_name,
                                                      std::string_view source_url) {
  return Copy(dest_name, source_url, true);
}

core::Result<CopyResult> AzureBlobClient::StartCopy(std::string_view dest_name,
                                                    std::string_view source_url) {
  return Copy(dest_name, source_url, false);
}

}  // namespace vivalink::azure

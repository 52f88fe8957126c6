#include "http/curl_transport.h"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <vector>

#include "core/handle.h"
#include "core/log.h"
#include "core/strings.h"

namespace vivalink::http {
namespace {

using EasyHandle = core::UniqueHandle<CURL, curl_easy_cleanup>;
using HeaderList = core::UniqueHandle<curl_slist, curl_slist_free_all>;

// Idle handles kept per transport; more concurrent sends than this simply create extra handles.
constexpr size_t kMaxIdleHandles = 16;
// A non-2xx body is buffered even when the caller streams; cap it so a misbehaving server cannot
// make us hold a whole blob in memory. Error documents are a few KiB.
constexpr size_t kMaxStreamedErrorBody = 1 << 20;

void GlobalInitOnce() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// State shared with the libcurl callbacks for one exchange.
struct Transfer {
  const BodyCallback* on_body = nullptr;
  core::ByteSource* upload = nullptr;
  uint64_t upload_size = 0;
  uint64_t uploaded = 0;
  Response response;
  core::Status callback_error;  // set by a callback that aborted the transfer
};

bool Is2xx(int status) { return status >= 200 && status < 300; }

size_t OnHeader(char* data, size_t size, size_t nitems, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * nitems;
  std::string_view line = core::Trim(std::string_view(data, n));
  if (line.starts_with("HTTP/")) {
    // A new status line (after 100 Continue, for example) starts a fresh header set.
    t->response.headers.clear();
    t->response.body.clear();
    size_t sp = line.find(' ');
    int status = 0;
    if (sp != std::string_view::npos) {
      std::string_view code = line.substr(sp + 1, 3);
      std::from_chars(code.data(), code.data() + code.size(), status);
    }
    t->response.status = status;
    return n;
  }
  size_t colon = line.find(':');
  if (line.empty() || colon == std::string_view::npos) return n;
  std::string name(core::Trim(line.substr(0, colon)));
  std::string value(core::Trim(line.substr(colon + 1)));
  auto [it, inserted] = t->response.headers.emplace(name, value);
  if (!inserted) it->second += ", " + value;
  return n;
}

size_t OnWrite(char* data, size_t size, size_t nmemb, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * nmemb;
  if (t->on_body != nullptr && *t->on_body && Is2xx(t->response.status)) {
    core::Status s = (*t->on_body)(std::string_view(data, n));
    if (!s.ok()) {
      t->callback_error = std::move(s);
      return 0;  // makes curl abort with CURLE_WRITE_ERROR
    }
    return n;
  }
  std::string& body = t->response.body;
  if (t->on_body != nullptr && *t->on_body) {
    body.append(data,
                std::min(n, kMaxStreamedErrorBody - std::min(body.size(), kMaxStreamedErrorBody)));
  } else {
    body.append(data, n);
  }
  return n;
}

size_t OnRead(char* buffer, size_t size, size_t nitems, void* user) {
  auto* t = static_cast<Transfer*>(user);
  uint64_t left = t->upload_size - t->uploaded;
  size_t want = static_cast<size_t>(std::min<uint64_t>(size * nitems, left));
  if (want == 0) return 0;
  auto got = t->upload->Read(std::span<std::byte>(reinterpret_cast<std::byte*>(buffer), want));
  if (!got.ok()) {
    t->callback_error = got.status().WithContext("reading the request body");
    return CURL_READFUNC_ABORT;
  }
  if (*got == 0) {
    t->callback_error = core::InvalidArgumentError(
        fmt::format("the request body ended after {} of the {} bytes its Content-Length announced",
                    t->uploaded, t->upload_size));
    return CURL_READFUNC_ABORT;
  }
  t->uploaded += *got;
  return *got;
}

// libcurl rewinds the upload when it must resend the request (a kept-alive connection that the
// server had closed, for example). Only sources that can start over allow that.
int OnSeek(void* user, curl_off_t offset, int origin) {
  auto* t = static_cast<Transfer*>(user);
  auto* rewindable = dynamic_cast<RewindableSource*>(t->upload);
  if (rewindable == nullptr || origin != SEEK_SET || offset != 0) return CURL_SEEKFUNC_CANTSEEK;
  if (!rewindable->Rewind().ok()) return CURL_SEEKFUNC_FAIL;
  t->uploaded = 0;
  return CURL_SEEKFUNC_OK;
}

bool HasCrLf(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

}  // namespace

class CurlTransport::HandlePool {
 public:
  EasyHandle Take() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!idle_.empty()) {
        EasyHandle h = std::move(idle_.back());
        idle_.pop_back();
        return h;
      }
    }
    return EasyHandle(curl_easy_init());
  }
  void Give(EasyHandle handle) {
    std::lock_guard<std::mutex> lock(mu_);
    if (idle_.size() < kMaxIdleHandles) idle_.push_back(std::move(handle));
  }

 private:
  std::mutex mu_;
  std::vector<EasyHandle> idle_;  // most recently used last: its connections are warmest
};

CurlTransport::CurlTransport(CurlOptions options)
    : options_(std::move(options)), pool_(std::make_unique<HandlePool>()) {
  GlobalInitOnce();
}

CurlTransport::~CurlTransport() = default;

core::Result<Response> CurlTransport::Send(const Request& request, const BodyCallback& on_body) {
  const std::string where = request.method + " " + UrlWithoutQuery(request.url);

  // The upload: a caller's stream (its length from Content-Length) or the buffered body.
  RewindableMemorySource buffered(request.body);
  Transfer t;
  t.on_body = &on_body;
  const std::string& m = request.method;
  const bool has_body = request.body_source != nullptr || !request.body.empty() || m == "PUT" ||
                        m == "POST" || m == "PATCH";
  if (request.body_source != nullptr) {
    std::string length = request.headers.count("Content-Length") > 0
                             ? std::string(core::Trim(request.headers.at("Content-Length")))
                             : std::string();
    auto [ptr, ec] = std::from_chars(length.data(), length.data() + length.size(), t.upload_size);
    if (length.empty() || ec != std::errc() || ptr != length.data() + length.size()) {
      return core::InvalidArgumentError(
          where + ": a streamed request body needs a Content-Length header with its size in bytes");
    }
    t.upload = request.body_source;
  } else {
    t.upload = &buffered;
    t.upload_size = request.body.size();
  }

  HeaderList headers;
  auto append = [&](const std::string& line) -> bool {
    curl_slist* next = curl_slist_append(headers.get(), line.c_str());
    if (next == nullptr) return false;
    headers.release();
    headers.reset(next);
    return true;
  };
  for (const auto& [name, value] : request.headers) {
    if (HasCrLf(name) || HasCrLf(value) || name.empty()) {
      return core::InvalidArgumentError(where + ": header \"" + name +
                                        "\" has an empty name or a line break; it was not sent");
    }
    if (core::EqualsIgnoreCase(name, "Content-Length")) continue;  // curl sends the real one
    // "Name;" is curl's way to send a header with an empty value.
    if (!append(value.empty() ? name + ";" : name + ": " + value)) {
      return core::InternalError(where + ": out of memory building the request headers");
    }
  }
  if (has_body && request.headers.count("Expect") == 0 && !append("Expect:")) {
    return core::InternalError(where + ": out of memory building the request headers");
  }

  EasyHandle handle = pool_->Take();
  if (!handle) return core::InternalError(where + ": curl_easy_init failed");
  CURL* curl = handle.get();
  curl_easy_reset(curl);  // keeps the connection cache, forgets the previous request's options

  char error_buffer[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS, long{CURLPROTO_HTTP | CURLPROTO_HTTPS});
#endif
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, long{CURL_HTTP_VERSION_1_1});
  curl_easy_setopt(curl, CURLOPT_USERAGENT, options_.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, options_.verify_tls ? 1L : 0L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, options_.verify_tls ? 2L : 0L);
  if (!options_.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options_.ca_file.c_str());
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(request.timeout.count()));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(request.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, options_.low_speed_limit);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, options_.low_speed_time);

  if (m == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (has_body) {
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(t.upload_size));
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, OnRead);
    curl_easy_setopt(curl, CURLOPT_READDATA, &t);
    curl_easy_setopt(curl, CURLOPT_SEEKFUNCTION, OnSeek);
    curl_easy_setopt(curl, CURLOPT_SEEKDATA, &t);
    if (m != "PUT") curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, m.c_str());
  } else if (m != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, m.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnWrite);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &t);

  auto started = std::chrono::steady_clock::now();
  CURLcode rc = curl_easy_perform(curl);
  auto elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  // The request's pointers (headers, error buffer, callbacks' state) die with this call.
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, nullptr);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);
  pool_->Give(std::move(handle));

  if (rc != CURLE_OK) {
    if (!t.callback_error.ok()) return t.callback_error.WithContext(where);
    std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(rc);
    if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL) {
      return core::InvalidArgumentError(
          fmt::format("{}: the URL is not a valid http(s) URL: {}", where, detail));
    }
    VL_LOG_DEBUG("{} failed after {} ms: {} (curl error {})", where, elapsed_ms, detail,
                 static_cast<int>(rc));
    return core::UnavailableError(fmt::format(
        "{}: {} (curl error {}); the service did not answer, check the endpoint and network or "
        "retry later",
        where, detail, static_cast<int>(rc)));
  }
  t.response.status = static_cast<int>(status);
  VL_LOG_DEBUG("{} -> {} in {} ms", where, t.response.status, elapsed_ms);
  return std::move(t.response);
}

}  // namespace vivalink::http

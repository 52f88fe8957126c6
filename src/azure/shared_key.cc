#include "azure/shared_key.h"

#include <algorithm>
#include <map>
#include <vector>

#include "core/strings.h"

namespace vivalink::azure {
namespace {

std::string HeaderOrEmpty(const http::Request& request, const char* name) {
  auto it = request.headers.find(name);
  return it == request.headers.end() ? std::string() : it->second;
}

// The path of an absolute URL as it will go on the wire ("/" when empty).
std::string_view UrlPath(std::string_view url) {
  size_t scheme = url.find("://");
  std::string_view rest = scheme == std::string_view::npos ? url : url.substr(scheme + 3);
  size_t end = rest.find_first_of("?#");
  rest = rest.substr(0, end);
  size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return "/";
  return rest.substr(slash);
}

std::string_view UrlQuery(std::string_view url) {
  size_t q = url.find('?');
  if (q == std::string_view::npos) return {};
  std::string_view query = url.substr(q + 1);
  return query.substr(0, query.find('#'));
}

}  // namespace

std::string CanonicalizedResource(std::string_view account, std::string_view url) {
  std::string out = "/";
  out += account;
  out += UrlPath(url);
  // Query values are decoded; a '+' in a storage query is a literal plus (we encode spaces as
  // %20), so decode without form semantics.
  std::map<std::string, std::vector<std::string>> params;
  for (std::string_view piece : core::Split(UrlQuery(url), '&')) {
    if (piece.empty()) continue;
    size_t eq = piece.find('=');
    std::string name = core::ToLower(http::UrlDecode(piece.substr(0, eq)));
    std::string value = eq == std::string_view::npos ? "" : http::UrlDecode(piece.substr(eq + 1));
    params[name].push_back(std::move(value));
  }
  for (auto& [name, values] : params) {
    std::sort(values.begin(), values.end());
    out += '\n';
    out += name;
    out += ':';
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) out += ',';
      out += values[i];
    }
  }
  return out;
}

std::string SharedKeyStringToSign(std::string_view account, const http::Request& request) {
  std::string out = request.method;
  out += '\n';
  for (const char* name : {"Content-Encoding", "Content-Language"}) {
    out += HeaderOrEmpty(request, name);
    out += '\n';
  }
  std::string length = std::string(core::Trim(HeaderOrEmpty(request, "Content-Length")));
  if (length.empty() && request.body_source == nullptr && !request.body.empty()) {
    length = std::to_string(request.body.size());
  }
  if (length == "0") length.clear();
  out += length;
  out += '\n';
  for (const char* name : {"Content-MD5", "Content-Type", "Date", "If-Modified-Since", "If-Match",
                           "If-None-Match", "If-Unmodified-Since", "Range"}) {
    out += HeaderOrEmpty(request, name);
    out += '\n';
  }
  std::vector<std::pair<std::string, std::string>> ms;
  for (const auto& [name, value] : request.headers) {
    std::string lower = core::ToLower(name);
    if (lower.starts_with("x-ms-")) ms.emplace_back(lower, std::string(core::Trim(value)));
  }
  std::sort(ms.begin(), ms.end());
  for (const auto& [name, value] : ms) {
    out += name;
    out += ':';
    out += value;
    out += '\n';
  }
  out += CanonicalizedResource(account, request.url);
  return out;
}

void SignSharedKey(const SharedKeyCredential& key, http::Request& request) {
  std::string to_sign = SharedKeyStringToSign(key.account_name(), request);
  request.headers["Authorization"] = "SharedKey " + key.account_name() + ":" + key.Sign(to_sign);
}

}  // namespace vivalink::azure

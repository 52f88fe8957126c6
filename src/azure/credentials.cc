#include "azure/credentials.h"

#include <algorithm>

#include "core/base64.h"
#include "core/strings.h"
#include "crypto/hash.h"
#include "http/transport.h"

namespace vivalink::azure {
namespace {

bool IsIpv4(std::string_view host) {
  int dots = 0;
  for (char c : host) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots == 3;
}

// Hosts whose account is in the path: IP literals, localhost and anything that is not a
// "<account>.<service>.<suffix>" name (emulators behind custom host names).
bool IsPathStyleHost(std::string_view hostname) {
  if (hostname.empty()) return true;
  if (hostname.front() == '[' || IsIpv4(hostname)) return true;
  std::string lower = core::ToLower(hostname);
  if (lower == "localhost") return true;
  for (std::string_view service : {".blob.", ".queue.", ".table.", ".dfs.", ".file."}) {
    if (lower.find(service) != std::string::npos) return false;
  }
  return true;
}

}  // namespace

core::Result<std::shared_ptr<const SharedKeyCredential>> SharedKeyCredential::Make(
    std::string account_name, std::string_view base64_key) {
  if (account_name.empty()) {
    return core::InvalidArgumentError("shared key credential: the account name is empty");
  }
  auto decoded = core::Base64Decode(core::Trim(base64_key));
  if (!decoded.ok() || decoded->empty()) {
    return core::InvalidArgumentError("shared key credential for account " + account_name +
                                      ": the account key is not valid base64 (check the key "
                                      "copied from the portal or connection string)");
  }
  core::SecureString key(decoded->begin(), decoded->end());
  core::SecureWipe(decoded->data(), decoded->size());
  return std::shared_ptr<const SharedKeyCredential>(
      new SharedKeyCredential(std::move(account_name), std::move(key)));
}

std::string SharedKeyCredential::Sign(std::string_view string_to_sign) const {
  std::string mac = crypto::HmacSha256(std::string_view(key_.data(), key_.size()), string_to_sign);
  return core::Base64Encode(mac);
}

core::Result<Credential> ConnectionString::MakeCredential() const {
  if (!account_key.empty()) {
    ASSIGN_OR_RETURN(auto key, SharedKeyCredential::Make(account_name, account_key));
    return Credential(std::move(key));
  }
  if (!sas.empty()) return Credential(SasCredential{sas});
  return Credential(std::monostate{});
}

core::Result<ConnectionString> ParseConnectionString(std::string_view text) {
  ConnectionString cs;
  bool have_protocol = false;
  for (std::string_view piece : core::Split(text, ';')) {
    piece = core::Trim(piece);
    if (piece.empty()) continue;
    size_t eq = piece.find('=');
    if (eq == std::string_view::npos) {
      // Never echo the piece: it could be a key pasted without its name.
      return core::InvalidArgumentError(
          "connection string: a piece has no '=' (expected Name=Value pairs separated by ';')");
    }
    std::string name = core::ToLower(core::Trim(piece.substr(0, eq)));
    std::string value(core::Trim(piece.substr(eq + 1)));
    if (name == "accountname") {
      cs.account_name = value;
    } else if (name == "accountkey") {
      cs.account_key = value;
    } else if (name == "sharedaccesssignature") {
      cs.sas = value.starts_with('?') ? value.substr(1) : value;
    } else if (name == "blobendpoint") {
      cs.blob_endpoint = value;
    } else if (name == "queueendpoint") {
      cs.queue_endpoint = value;
    } else if (name == "defaultendpointsprotocol") {
      cs.protocol = core::ToLower(value);
      have_protocol = true;
    } else if (name == "endpointsuffix") {
      cs.endpoint_suffix = value;
    } else if (name == "usedevelopmentstorage") {
      cs.development_storage = core::EqualsIgnoreCase(value, "true");
    } else if (name == "developmentstorageproxyuri") {
      return core::InvalidArgumentError(
          "connection string: DevelopmentStorageProxyUri is not supported; give BlobEndpoint "
          "and QueueEndpoint instead");
    }
    // Other keys (TableEndpoint, FileEndpoint, ...) are not used by vivalink.
  }
  if (cs.development_storage) {
    if (cs.account_name.empty()) cs.account_name = std::string(kDevStoreAccount);
    if (cs.account_key.empty() && cs.sas.empty()) cs.account_key = std::string(kDevStoreKey);
    if (cs.blob_endpoint.empty()) cs.blob_endpoint = std::string(kDevStoreBlobEndpoint);
    if (cs.queue_endpoint.empty()) cs.queue_endpoint = std::string(kDevStoreQueueEndpoint);
    if (!have_protocol) cs.protocol = "http";
  }
  if (cs.protocol != "http" && cs.protocol != "https") {
    return core::InvalidArgumentError(
        "connection string: DefaultEndpointsProtocol must be http "
        "or https, not \"" +
        cs.protocol + "\"");
  }
  if (cs.account_name.empty() && (cs.blob_endpoint.empty() || cs.queue_endpoint.empty())) {
    return core::InvalidArgumentError(
        "connection string: AccountName is missing (and not every endpoint is given)");
  }
  if (!cs.account_key.empty() && cs.account_name.empty()) {
    return core::InvalidArgumentError("connection string: AccountKey given without AccountName");
  }
  if (cs.blob_endpoint.empty()) {
    cs.blob_endpoint = cs.protocol + "://" + cs.account_name + ".blob." + cs.endpoint_suffix;
  }
  if (cs.queue_endpoint.empty()) {
    cs.queue_endpoint = cs.protocol + "://" + cs.account_name + ".queue." + cs.endpoint_suffix;
  }
  while (cs.blob_endpoint.ends_with('/')) cs.blob_endpoint.pop_back();
  while (cs.queue_endpoint.ends_with('/')) cs.queue_endpoint.pop_back();
  if (!cs.account_key.empty() && !core::Base64Decode(cs.account_key).ok()) {
    return core::InvalidArgumentError("connection string: AccountKey is not valid base64");
  }
  return cs;
}

std::string StorageUrl::ServiceRoot() const {
  std::string root = scheme + "://" + host + service_path;
  while (root.ends_with('/')) root.pop_back();
  return root;
}

core::Result<StorageUrl> ParseStorageUrl(std::string_view url) {
  StorageUrl out;
  const std::string shown = http::UrlWithoutQuery(url);
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) {
    return core::InvalidArgumentError("storage URL \"" + shown + "\" has no scheme");
  }
  out.scheme = core::ToLower(url.substr(0, scheme_end));
  if (out.scheme != "http" && out.scheme != "https") {
    return core::InvalidArgumentError("storage URL \"" + shown +
                                      "\": only http:// and https:// are supported");
  }
  std::string_view rest = url.substr(scheme_end + 3);
  size_t fragment = rest.find('#');
  if (fragment != std::string_view::npos) rest = rest.substr(0, fragment);
  size_t q = rest.find('?');
  if (q != std::string_view::npos) {
    out.query = std::string(rest.substr(q + 1));
    rest = rest.substr(0, q);
  }
  size_t slash = rest.find('/');
  out.host = std::string(rest.substr(0, slash));
  std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash + 1);
  if (out.host.empty() || out.host.find('@') != std::string::npos) {
    return core::InvalidArgumentError("storage URL \"" + shown +
                                      "\" has no host (or carries user info)");
  }
  std::string hostname = out.host;
  if (hostname.front() != '[') {
    size_t colon = hostname.find(':');
    if (colon != std::string::npos) hostname.resize(colon);
  }
  out.path_style = IsPathStyleHost(hostname);
  if (out.path_style) {
    size_t end = path.find('/');
    std::string_view first = path.substr(0, end);
    if (first.empty()) {
      return core::InvalidArgumentError("storage URL \"" + shown +
                                        "\": an emulator or IP URL must name the account as its "
                                        "first path segment (http://127.0.0.1:10000/account/...)");
    }
    out.account = http::UrlDecode(first);
    out.service_path = "/" + std::string(first);
    path = end == std::string_view::npos ? "" : path.substr(end + 1);
  } else {
    out.account = hostname.substr(0, hostname.find('.'));
    out.service_path = "";
  }
  while (path.ends_with('/')) path.remove_suffix(1);
  out.resource = http::UrlDecode(path);
  return out;
}

}  // namespace vivalink::azure

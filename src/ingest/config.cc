#include "ingest/config.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <charconv>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "core/strings.h"
#include "db/url.h"
#include "meetings/metrics.h"
#include "meetings/time_zone.h"

namespace vivalink::ingest {
namespace {

using core::InvalidArgumentError;
using core::Result;
using core::Status;

void ApplyDerivedDefaults(Config& c) {
  if (c.store_url.empty()) c.store_url = "file://" + c.data_dir + "/drops";
  if (c.keystore_dir.empty()) c.keystore_dir = c.data_dir + "/keys";
  if (c.database_url.empty()) c.database_url = "sqlite://" + c.data_dir + "/vivalink.db";
}

void ApplyEnvironment(Config& c) {
  auto env = [](const char* name) -> const char* {
    const char* v = std::getenv(name);
    return v != nullptr && *v != '\0' ? v : nullptr;
  };
  if (const char* v = env("VIVALINK_CLIENT_SECRET")) c.keys.client_secret = v;
  if (const char* v = env("VIVALINK_CLIENT_ID")) c.keys.client_id = v;
  if (const char* v = env("VIVALINK_STORE_URL")) c.store_url = v;
  if (const char* v = env("VIVALINK_DATABASE_URL")) c.database_url = v;
  if (const char* v = env("VIVALINK_WEBHOOK_SECRET")) c.push.webhook_secret = v;
  if (const char* v = env("VIVALINK_EVENTS_KEY")) c.push.events_key = v;
}

std::string Where(std::string_view source, const toml::node& node, std::string_view key) {
  const auto& src = node.source();
  if (src.begin.line > 0) return fmt::format("{}:{}: {}", source, src.begin.line, key);
  return fmt::format("{}: {}", source, key);
}

// Reads typed values from one table, refusing unknown keys.
class Section {
 public:
  Section(const toml::table* table, std::string name, std::string_view source)
      : table_(table), name_(std::move(name)), source_(source) {}

  Status String(std::string_view key, std::string& out) {
    const toml::node* n = Get(key);
    if (n == nullptr) return core::OkStatus();
    if (!n->is_string()) return TypeError(*n, key, "a string");
    out = n->as_string()->get();
    return core::OkStatus();
  }
  Status Secret(std::string_view key, core::SecureString& out) {
    const toml::node* n = Get(key);
    if (n == nullptr) return core::OkStatus();
    if (!n->is_string()) return TypeError(*n, key, "a string");
    out.assign(n->as_string()->get().begin(), n->as_string()->get().end());
    return core::OkStatus();
  }
  Status Bool(std::string_view key, bool& out) {
    const toml::node* n = Get(key);
    if (n == nullptr) return core::OkStatus();
    if (!n->is_boolean()) return TypeError(*n, key, "true or false");
    out = n->as_boolean()->get();
    return core::OkStatus();
  }
  Status Int(std::string_view key, int64_t min, int64_t max, int64_t& out, bool& present) {
    present = false;
    const toml::node* n = Get(key);
    if (n == nullptr) return core::OkStatus();
    if (!n->is_integer()) return TypeError(*n, key, "an integer");
    int64_t v = n->as_integer()->get();
    if (v < min || v > max) {
      return InvalidArgumentError(fmt::format("{} must be between {} and {}, not {}",
                                              Where(source_, *n, Full(key)), min, max, v));
    }
    out = v;
    present = true;
    return core::OkStatus();
  }
  Status StringList(std::string_view key, std::vector<std::string>& out, bool& present) {
    present = false;
    const toml::node* n = Get(key);
    if (n == nullptr) return core::OkStatus();
    if (!n->is_array()) return TypeError(*n, key, "an array of strings");
    out.clear();
    for (const auto& e : *n->as_array()) {
      if (!e.is_string()) return TypeError(*n, key, "an array of strings");
      out.push_back(e.as_string()->get());
    }
    present = true;
    return core::OkStatus();
  }
  // Any key of the table not read so far.
  Status CheckNoUnknown() const {
    if (table_ == nullptr) return core::OkStatus();
    for (const auto& [k, v] : *table_) {
      if (!seen_.contains(std::string(k.str()))) {
        return InvalidArgumentError(
            fmt::format("{} is not a known setting (see docs/vivalink.example.toml for every key)",
                        Where(source_, v, Full(k.str()))));
      }
    }
    return core::OkStatus();
  }

 private:
  const toml::node* Get(std::string_view key) {
    seen_.insert(std::string(key));
    return table_ == nullptr ? nullptr : table_->get(key);
  }
  std::string Full(std::string_view key) const {
    return name_.empty() ? std::string(key) : name_ + "." + std::string(key);
  }
  Status TypeError(const toml::node& n, std::string_view key, std::string_view want) const {
    return InvalidArgumentError(fmt::format("{} must be {}", Where(source_, n, Full(key)), want));
  }

  const toml::table* table_;
  std::string name_;
  std::string_view source_;
  std::set<std::string> seen_;
};

Result<Config> FromTable(const toml::table& root, std::string_view source) {
  Config c;
  static const std::set<std::string> kSections = {"storage", "keys", "database", "ingest",  "push",
                                                  "partner", "log",  "data_dir", "meetings"};
  for (const auto& [k, v] : root) {
    if (!kSections.contains(std::string(k.str()))) {
      return InvalidArgumentError(fmt::format(
          "{} is not a known section (see docs/vivalink.example.toml)", Where(source, v, k.str())));
    }
    if (k.str() != "data_dir" && !v.is_table()) {
      return InvalidArgumentError(fmt::format("{} must be a table", Where(source, v, k.str())));
    }
  }
  if (const toml::node* n = root.get("data_dir")) {
    if (!n->is_string()) {
      return InvalidArgumentError(
          fmt::format("{} must be a string", Where(source, *n, "data_dir")));
    }
    c.data_dir = n->as_string()->get();
  }
  bool present = false;
  int64_t v = 0;

  Section storage(root["storage"].as_table(), "storage", source);
  RETURN_IF_ERROR(storage.String("url", c.store_url));
  RETURN_IF_ERROR(storage.CheckNoUnknown());

  Section keys(root["keys"].as_table(), "keys", source);
  RETURN_IF_ERROR(keys.String("keystore", c.keystore_dir));
  RETURN_IF_ERROR(keys.String("api_base_url", c.keys.api_base_url));
  RETURN_IF_ERROR(keys.String("authority", c.keys.authority));
  RETURN_IF_ERROR(keys.String("scope", c.keys.scope));
  RETURN_IF_ERROR(keys.String("client_id", c.keys.client_id));
  RETURN_IF_ERROR(keys.Secret("client_secret", c.keys.client_secret));
  RETURN_IF_ERROR(keys.String("keys_dir", c.keys.keys_dir));
  RETURN_IF_ERROR(keys.CheckNoUnknown());

  Section database(root["database"].as_table(), "database", source);
  RETURN_IF_ERROR(database.String("url", c.database_url));
  RETURN_IF_ERROR(database.CheckNoUnknown());

  Section ingest(root["ingest"].as_table(), "ingest", source);
  RETURN_IF_ERROR(ingest.Int("poll_interval_seconds", 1, 7 * 86400, v, present));
  if (present) c.poll_interval = std::chrono::seconds(v);
  RETURN_IF_ERROR(ingest.Int("lookback_hours", 0, 24 * 366, v, present));
  if (present) c.lookback = std::chrono::hours(v);
  RETURN_IF_ERROR(ingest.Int("max_attempts", 1, 1000, v, present));
  if (present) c.max_attempts = static_cast<int>(v);
  RETURN_IF_ERROR(ingest.Int("retention_days", 0, 3650, v, present));
  if (present) c.retention_days = static_cast<int>(v);
  RETURN_IF_ERROR(ingest.StringList("store_metrics", c.store_metrics, present));
  if (present) c.store_all_metrics = false;
  RETURN_IF_ERROR(ingest.StringList("store_attributes", c.store_attributes, present));
  if (present) c.store_all_attributes = false;
  RETURN_IF_ERROR(ingest.Bool("pseudonymise", c.pseudonymise));
  RETURN_IF_ERROR(ingest.CheckNoUnknown());

  Section partner(root["partner"].as_table(), "partner", source);
  RETURN_IF_ERROR(partner.String("path", c.partner.path));
  RETURN_IF_ERROR(partner.String("key_column", c.partner.key_column));
  std::string key_type = "email";
  RETURN_IF_ERROR(partner.String("key_type", key_type));
  if (key_type == "email") {
    c.partner.key_type = identity::KeyType::kEmail;
  } else if (key_type == "object_id") {
    c.partner.key_type = identity::KeyType::kObjectId;
  } else {
    return InvalidArgumentError(fmt::format(
        "{}: partner.key_type must be \"email\" or \"object_id\", not \"{}\"", source, key_type));
  }
  RETURN_IF_ERROR(partner.CheckNoUnknown());

  Section calendar(root["meetings"].as_table(), "meetings", source);
  RETURN_IF_ERROR(calendar.String("time_zone", c.meetings.time_zone));
  RETURN_IF_ERROR(calendar.String("working_hours", c.meetings.working_hours));
  RETURN_IF_ERROR(calendar.StringList("internal_domains", c.meetings.internal_domains, present));
  RETURN_IF_ERROR(calendar.Bool("count_tentative", c.meetings.count_tentative));
  RETURN_IF_ERROR(calendar.CheckNoUnknown());
  {
    meetings::WorkingHours hours;
    Status st = meetings::ParseWorkingHours(c.meetings.working_hours, hours);
    if (!st.ok()) return st.WithContext(std::string(source) + ": meetings.working_hours");
    if (c.meetings.time_zone != "calendar") {
      meetings::TimeZoneCache zones;
      auto zone = zones.Find(c.meetings.time_zone);
      if (!zone.ok()) {
        return InvalidArgumentError(
            fmt::format("{}: meetings.time_zone must be \"calendar\" or an IANA or Windows zone "
                        "name: {}",
                        source, zone.status().message()));
      }
    }
  }

  Section push(root["push"].as_table(), "push", source);
  RETURN_IF_ERROR(push.String("listen", c.push.listen));
  if (!c.push.listen.empty()) {
    auto parsed = ParseListenAddress(c.push.listen);
    if (!parsed.ok()) return parsed.status().WithContext(std::string(source) + ": push.listen");
  }
  RETURN_IF_ERROR(push.Secret("webhook_secret", c.push.webhook_secret));
  RETURN_IF_ERROR(push.Bool("events", c.push.events));
  RETURN_IF_ERROR(push.Secret("events_key", c.push.events_key));
  RETURN_IF_ERROR(push.String("container", c.push.container));
  RETURN_IF_ERROR(push.Int("max_body_bytes", 1024, 64 << 20, v, present));
  if (present) c.push.max_body_bytes = v;
  RETURN_IF_ERROR(push.Int("request_timeout_seconds", 1, 600, v, present));
  if (present) c.push.request_timeout_seconds = static_cast<int>(v);
  RETURN_IF_ERROR(push.String("queue_url", c.push.queue_url));
  RETURN_IF_ERROR(push.Int("queue_visibility_seconds", 1, 7 * 86400, v, present));
  if (present) c.push.queue_visibility_seconds = static_cast<int>(v);
  RETURN_IF_ERROR(push.Int("max_dequeue_count", 1, 1000, v, present));
  if (present) c.push.max_dequeue_count = static_cast<int>(v);
  RETURN_IF_ERROR(push.StringList("entra_audiences", c.push.entra_audiences, present));
  RETURN_IF_ERROR(push.String("entra_authority", c.push.entra_authority));
  RETURN_IF_ERROR(push.Bool("tenant_keys", c.push.tenant_keys));
  RETURN_IF_ERROR(push.Bool("events_unauthenticated", c.push.events_unauthenticated));
  RETURN_IF_ERROR(push.String("admin_listen", c.push.admin_listen));
  if (!c.push.admin_listen.empty()) {
    auto parsed = ParseListenAddress(c.push.admin_listen);
    if (!parsed.ok()) {
      return parsed.status().WithContext(std::string(source) + ": push.admin_listen");
    }
  }
  RETURN_IF_ERROR(push.Int("request_deadline_seconds", 0, 3600, v, present));
  if (present) c.push.request_deadline_seconds = static_cast<int>(v);
  RETURN_IF_ERROR(push.Int("max_connections_per_source", 0, 100000, v, present));
  if (present) c.push.max_connections_per_source = static_cast<int>(v);
  RETURN_IF_ERROR(push.Int("hints_per_second_per_source", 0, 1000000, v, present));
  if (present) c.push.hints_per_second_per_source = static_cast<int>(v);
  RETURN_IF_ERROR(push.Int("hint_burst_per_source", 0, 1000000, v, present));
  if (present) c.push.hint_burst_per_source = static_cast<int>(v);
  RETURN_IF_ERROR(push.CheckNoUnknown());

  Section log(root["log"].as_table(), "log", source);
  RETURN_IF_ERROR(log.String("level", c.log_level));
  RETURN_IF_ERROR(log.String("file", c.log_file));
  RETURN_IF_ERROR(log.CheckNoUnknown());
  static const std::set<std::string> kLevels = {"debug", "info", "warn", "error", "off"};
  if (!kLevels.contains(c.log_level)) {
    return InvalidArgumentError(fmt::format(
        "{}: log.level must be debug, info, warn, error or off, not \"{}\"", source, c.log_level));
  }
  return c;
}

}  // namespace

Result<std::pair<std::string, int>> ParseListenAddress(std::string_view text) {
  const size_t colon = text.rfind(':');
  int port = -1;
  if (colon != std::string_view::npos && colon > 0) {
    const char* first = text.data() + colon + 1;
    const char* last = text.data() + text.size();
    auto [end, ec] = std::from_chars(first, last, port);
    if (ec != std::errc() || end != last || first == last) port = -1;
  }
  if (port < 0 || port > 65535) {
    return InvalidArgumentError(fmt::format(
        "listen address must be \"host:port\" (port 0-65535, 0 = any free port), not \"{}\"",
        text));
  }
  std::string host(text.substr(0, colon));
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return std::make_pair(std::move(host), port);
}

Config DefaultConfig() {
  Config c;
  ApplyEnvironment(c);
  ApplyDerivedDefaults(c);
  return c;
}

Result<Config> ParseConfig(std::string_view toml_text, std::string_view source) {
  toml::table root;
#if TOML_EXCEPTIONS
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    return InvalidArgumentError(fmt::format("{}:{}:{}: not valid TOML: {}", source,
                                            e.source().begin.line, e.source().begin.column,
                                            e.description()));
  }
#else
  toml::parse_result parsed = toml::parse(toml_text, source);
  if (!parsed) {
    const auto& e = parsed.error();
    return InvalidArgumentError(fmt::format("{}:{}:{}: not valid TOML: {}", source,
                                            e.source().begin.line, e.source().begin.column,
                                            e.description()));
  }
  root = std::move(parsed).table();
#endif
  ASSIGN_OR_RETURN(Config c, FromTable(root, source));
  ApplyEnvironment(c);
  ApplyDerivedDefaults(c);
  return c;
}

Result<Config> LoadConfig(const std::filesystem::path& path) {
  if (path.empty()) return DefaultConfig();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) {
    return core::NotFoundError(fmt::format("configuration file {} does not exist", path.string()));
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  if (!in.good() && !in.eof()) {
    return core::PermissionDeniedError(fmt::format("cannot read {}", path.string()));
  }
  std::string text = buffer.str();
  return ParseConfig(text, path.string());
}

std::string Config::Describe() const {
  auto list = [](bool all, const std::vector<std::string>& v) {
    if (all) return std::string("(all)");
    std::string s = "[";
    for (size_t i = 0; i < v.size(); ++i) s += (i ? ", \"" : "\"") + v[i] + "\"";
    return s + "]";
  };
  std::ostringstream o;
  o << "data_dir = \"" << data_dir << "\"\n"
    << "[storage]\nurl = \""
    << (store_url.find('?') == std::string::npos
            ? store_url
            : store_url.substr(0, store_url.find('?')) + "?***")
    << "\"\n"
    << "[keys]\nkeystore = \"" << keystore_dir << "\"\napi_base_url = \"" << keys.api_base_url
    << "\"\nauthority = \"" << keys.authority << "\"\nscope = \"" << keys.scope
    << "\"\nclient_id = \"" << keys.client_id << "\"\nclient_secret = \""
    << (keys.client_secret.empty() ? "" : "***") << "\"\nkeys_dir = \"" << keys.keys_dir << "\"\n"
    << "[database]\nurl = \"" << db::StripPassword(database_url) << "\"\n"
    << "[ingest]\npoll_interval_seconds = " << poll_interval.count()
    << "\nlookback_hours = " << lookback.count() << "\nmax_attempts = " << max_attempts
    << "\nretention_days = " << retention_days
    << "\nstore_metrics = " << list(store_all_metrics, store_metrics)
    << "\nstore_attributes = " << list(store_all_attributes, store_attributes)
    << "\npseudonymise = " << (pseudonymise ? "true" : "false") << "\n"
    << "[partner]\npath = \"" << partner.path << "\"\nkey_column = \"" << partner.key_column
    << "\"\nkey_type = \""
    << (partner.key_type == identity::KeyType::kEmail ? "email" : "object_id") << "\"\n"
    << "[push]\nlisten = \"" << push.listen << "\"\nwebhook_secret = \""
    << (push.webhook_secret.empty() ? "" : "***")
    << "\"\nevents = " << (push.events ? "true" : "false") << "\nevents_key = \""
    << (push.events_key.empty() ? "" : "***") << "\"\ncontainer = \"" << push.container
    << "\"\nmax_body_bytes = " << push.max_body_bytes
    << "\nrequest_timeout_seconds = " << push.request_timeout_seconds << "\nqueue_url = \""
    << (push.queue_url.find('?') == std::string::npos
            ? push.queue_url
            : push.queue_url.substr(0, push.queue_url.find('?')) + "?***")
    << "\"\nqueue_visibility_seconds = " << push.queue_visibility_seconds
    << "\nmax_dequeue_count = " << push.max_dequeue_count << "\nentra_audiences = [";
  for (size_t i = 0; i < push.entra_audiences.size(); ++i) {
    o << (i ? ", " : "") << "\"" << push.entra_audiences[i] << "\"";
  }
  o << "]\nentra_authority = \"" << push.entra_authority
    << "\"\ntenant_keys = " << (push.tenant_keys ? "true" : "false")
    << "\nevents_unauthenticated = " << (push.events_unauthenticated ? "true" : "false")
    << "\nadmin_listen = \"" << push.admin_listen
    << "\"\nrequest_deadline_seconds = " << push.request_deadline_seconds
    << "\nmax_connections_per_source = " << push.max_connections_per_source
    << "\nhints_per_second_per_source = " << push.hints_per_second_per_source
    << "\nhint_burst_per_source = " << push.hint_burst_per_source << "\n";
  o << "[meetings]\ntime_zone = \"" << meetings.time_zone << "\"\nworking_hours = \""
    << meetings.working_hours << "\"\ninternal_domains = " << list(false, meetings.internal_domains)
    << "\ncount_tentative = " << (meetings.count_tentative ? "true" : "false") << "\n";
  return o.str();
}

}  // namespace vivalink::ingest

// ingest configuration: everything `vivalink run|serve|status|replay` needs, from a TOML file
// (documented key by key in docs/vivalink.example.toml), environment variables for secrets, and
// embedded defaults under ./vivalink-data/ when there is no file at all.
//
// Secrets (client_secret) are kept in wiped memory and never logged: Config::Describe() prints
// "***" for them. Environment variables override the file:
//   VIVALINK_CLIENT_SECRET  [keys] client_secret
//   VIVALINK_CLIENT_ID      [keys] client_id
//   VIVALINK_STORE_URL      [storage] url
//   VIVALINK_DATABASE_URL   [database] url
//   VIVALINK_WEBHOOK_SECRET [push] webhook_secret
//   VIVALINK_EVENTS_KEY     [push] events_key
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/secure.h"
#include "core/status.h"
#include "identity/identity.h"

namespace vivalink::ingest {

struct KeyApiConfig {
  // Viva Insights key API base URL, e.g. "https://api.orginsights.viva.office.com". Empty: keys
  // come only from keys_dir (and the inline File key of metadata.json).
  std::string api_base_url;
  // OAuth authority; the token URL is {authority}/{tenant}/oauth2/v2.0/token.
  std::string authority = "https://login.microsoftonline.com";
  std::string scope = "https://api.orginsights.viva.office.com/.default";
  std::string client_id;
  core::SecureString client_secret;  // never logged
  // Optional folder of key API answers saved as <CopyActivityId>.json (offline operation).
  std::string keys_dir;
};

// Kept for the join engine; ingest only parses it.
struct PartnerConfig {
  std::string path;
  std::string key_column;
  identity::KeyType key_type = identity::KeyType::kEmail;
};

// `vivalink serve`'s push model (PROTOCOL §6). Every notification is a hint; polling goes on.
struct PushConfig {
  // "host:port" of the HTTP endpoint (POST /v1/notifications/drops, POST|OPTIONS /v1/events,
  // GET /healthz, GET /metrics); port 0 = any free port. Empty = no HTTP endpoint.
  std::string listen;
  // HMAC secret of X-Vivalink-Signature. Empty = the web-activity endpoint is disabled (404).
  core::SecureString webhook_secret;
  bool events = true;  // accept Event Grid / CloudEvents deliveries on /v1/events
  // When set, /v1/events requires ?code=<events_key> (put it in the subscription's endpoint URL).
  core::SecureString events_key;
  // Container whose BlobCreated events count; default: the container of [storage] url.
  std::string container;
  int64_t max_body_bytes = 1 << 20;
  int request_timeout_seconds = 10;
  // Storage Queue of notifications; empty = none. Credential: a SAS in the URL, else
  // AZURE_STORAGE_CONNECTION_STRING / AZURE_STORAGE_KEY (azure::OpenQueueClient).
  std::string queue_url;
  int queue_visibility_seconds = 60;
  int max_dequeue_count = 5;  // then the message goes to <queue>-poison
  // Web activity authentication (PROTOCOL §6). Entra ID managed-identity tokens are accepted when
  // entra_audiences is set (the partner's app id URI, e.g. "api://vivalink-partner", and its
  // app id); their signing keys come from entra_authority ("" = [keys] authority) and only
  // tenants with a key pair in the keystore may notify.
  std::vector<std::string> entra_audiences;
  std::string entra_authority;
  // x-vivalink-key: each tenant's key in <keystore>/<tenant>/notification.key (vivalink onboard).
  bool tenant_keys = true;
  // /v1/events without ?code= when no events_key is set: an explicit opt-out (default: refused).
  bool events_unauthenticated = false;
  // "host:port" of /healthz and /metrics, never the public listener; port 0 = any free port.
  std::string admin_listen = "127.0.0.1:0";
  // Abuse limits of the listener: whole-connection deadline, connections and hints per source.
  int request_deadline_seconds = 30;
  int max_connections_per_source = 16;
  int hints_per_second_per_source = 20;
  int hint_burst_per_source = 200;
};

// [meetings]: how the weekly meeting metrics of imported Outlook calendar drops (CalendarView /
// Event) are derived (docs/MEETINGS.md has the definitions).
struct MeetingsConfig {
  // The zone of each person's working hours and weeks: "calendar" = the zone most of the person's
  // own calendar rows are written in (UTC when none resolves), or one IANA / Windows zone name
  // for everyone.
  std::string time_zone = "calendar";
  std::string working_hours = "09:00-17:00";  // Monday to Friday, HH:MM-HH:MM
  // The organisation's e-mail domains; empty: External_meeting_hours is not computed (NA).
  std::vector<std::string> internal_domains;
  bool count_tentative = false;  // tentatively accepted meetings count too
};

// "host:port" ([push] listen, `serve --listen`): host may be "[v6]"; port 0-65535.
// kInvalidArgument saying what is expected otherwise.
core::Result<std::pair<std::string, int>> ParseListenAddress(std::string_view text);

struct Config {
  std::string data_dir = "./vivalink-data";
  // [storage]
  std::string store_url;  // default file://<data_dir>/drops
  // [keys]
  std::string keystore_dir;  // default <data_dir>/keys
  KeyApiConfig keys;
  // [database]
  std::string database_url;  // default sqlite://<data_dir>/vivalink.db
  // [ingest]
  std::chrono::seconds poll_interval{300};
  std::chrono::hours lookback{24 * 14};
  int max_attempts = 3;
  int retention_days = 0;  // keep encrypted blobs N days after success; 0 = delete at once
  // Canonical metric columns stored in person_week_metric; empty = every numeric column.
  std::vector<std::string> store_metrics;
  bool store_all_metrics = true;  // false when store_metrics was given (even as [])
  // String HR attribute columns stored in person_week.attrs; empty + store_all_attributes = all.
  std::vector<std::string> store_attributes;
  bool store_all_attributes = true;
  // Replace person ids by HMAC-SHA256(tenant pseudonym key, tenant_id || "/" || person_id).
  bool pseudonymise = false;
  // [partner]
  PartnerConfig partner;
  // [push]
  PushConfig push;
  // [meetings]
  MeetingsConfig meetings;
  // [log]
  std::string log_level = "info";
  std::string log_file;

  // The configuration as TOML-like text with secrets masked (for `vivalink config show`/logs).
  std::string Describe() const;
};

// The embedded defaults (no file), with environment overrides applied.
Config DefaultConfig();

// Parses TOML text. kInvalidArgument naming the key (and line) for unknown keys, wrong types or
// values out of range. `source` names the file in messages. Environment overrides are applied.
core::Result<Config> ParseConfig(std::string_view toml_text, std::string_view source = "config");

// Reads and parses a file; an empty path gives DefaultConfig(). kNotFound when the file is missing.
core::Result<Config> LoadConfig(const std::filesystem::path& path);

}  // namespace vivalink::ingest

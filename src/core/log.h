// Logging that cannot leak secrets: every message passes through Redact() before it reaches a
// sink, so SAS signatures, account keys, bearer tokens, client secrets and private keys are
// masked by construction, whatever the caller formatted into it.
//
//   VL_LOG_INFO("drop {} imported: {} rows", run_id, rows);
//
// Thread-safe (spdlog). Plaintext rows must never be logged at all; redaction is a safety net
// for credentials, not for data.
#pragma once

#include <fmt/format.h>

#include <string>
#include <string_view>

namespace vivalink::core {

// Masks credentials in text: query parameters sig=, se=... are left but sig's value is replaced;
// "AccountKey=...", "SharedAccessSignature=...", "Authorization: Bearer ...", "Bearer <token>",
// "client_secret=...", "\"client_secret\":\"...\"", "\"access_token\":\"...\"", and PEM private
// key blocks become "***". Idempotent.
std::string Redact(std::string_view text);

enum class LogLevel { kDebug, kInfo, kWarn, kError, kOff };

struct LogOptions {
  LogLevel level = LogLevel::kInfo;  // messages below this level are dropped
  bool json = false;                 // one JSON object per line instead of plain text
  std::string file;                  // empty: stderr
};

// Configures the process-wide logger. Call once at start-up (main); safe to call again.
void InitLogging(const LogOptions& options);
// Parses "debug" | "info" | "warn" | "error" | "off"; unknown text gives kInfo.
LogLevel ParseLogLevel(std::string_view text);

void LogMessage(LogLevel level, std::string_view message);

template <typename... Args>
void Log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) {
  LogMessage(level, fmt::format(format, std::forward<Args>(args)...));
}

}  // namespace vivalink::core

#define VL_LOG_DEBUG(...) ::vivalink::core::Log(::vivalink::core::LogLevel::kDebug, __VA_ARGS__)
#define VL_LOG_INFO(...) ::vivalink::core::Log(::vivalink::core::LogLevel::kInfo, __VA_ARGS__)
#define VL_LOG_WARN(...) ::vivalink::core::Log(::vivalink::core::LogLevel::kWarn, __VA_ARGS__)
#define VL_LOG_ERROR(...) ::vivalink::core::Log(::vivalink::core::LogLevel::kError, __VA_ARGS__)

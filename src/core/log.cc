#include "core/log.h"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>

#include "core/strings.h"
#include "core/time.h"

namespace vivalink::core {
namespace {

struct Rule {
  std::regex pattern;
  std::string replacement;
};

const std::vector<Rule>& Rules() {
  static const std::vector<Rule> rules = [] {
    auto icase = std::regex::ECMAScript | std::regex::icase;
    std::vector<Rule> r;
    r.push_back(
        {std::regex(
             R"re(-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----)re"),
         "-----PRIVATE KEY ***-----"});
    r.push_back({std::regex(R"re(([?&;\s"']sig=)[^&\s"';]+)re", icase), "$1***"});
    r.push_back({std::regex(R"re(^(sig=)[^&\s"';]+)re", icase), "$1***"});
    r.push_back({std::regex(R"re((AccountKey=)[^;\s"']+)re", icase), "$1***"});
    r.push_back({std::regex(R"re((SharedAccessSignature=)[^;\s"']+)re", icase), "$1***"});
    r.push_back({std::regex(R"re((Bearer\s+)[A-Za-z0-9\-._~+/=]+)re", icase), "$1***"});
    r.push_back({std::regex(R"re((SharedKey\s+[^:\s]+:)[A-Za-z0-9+/=]+)re", icase), "$1***"});
    r.push_back({std::regex(R"re((client_secret=)[^&\s"']+)re", icase), "$1***"});
    r.push_back(
        {std::regex(
             R"re(("(?:client_secret|access_token|refresh_token|account_key|secret|password)"\s*:\s*")[^"]*")re",
             icase),
         "$1***\""});
    r.push_back({std::regex(R"re(((?:password|secret)=)[^&\s"';]+)re", icase), "$1***"});
    return r;
  }();
  return rules;
}

std::mutex g_mu;
std::shared_ptr<spdlog::logger> g_logger;
bool g_json = false;

std::shared_ptr<spdlog::logger> Logger() {
  std::lock_guard lock(g_mu);
  if (!g_logger) {
    g_logger = std::make_shared<spdlog::logger>("vivalink",
                                                std::make_shared<spdlog::sinks::stderr_sink_mt>());
    g_logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
    g_logger->set_level(spdlog::level::info);
  }
  return g_logger;
}

spdlog::level::level_enum ToSpd(LogLevel l) {
  switch (l) {
    case LogLevel::kDebug:
      return spdlog::level::debug;
    case LogLevel::kInfo:
      return spdlog::level::info;
    case LogLevel::kWarn:
      return spdlog::level::warn;
    case LogLevel::kError:
      return spdlog::level::err;
    case LogLevel::kOff:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

}  // namespace

std::string Redact(std::string_view text) {
  std::string out(text);
  // Fast path: none of the trigger words occur.
  std::string lower = ToLower(out);
  static constexpr std::string_view kTriggers[] = {
      "sig=",   "accountkey", "sharedaccesssignature", "bearer",   "sharedkey",
      "secret", "token",      "private key",           "password", "account_key"};
  bool any = false;
  for (auto t : kTriggers) any = any || lower.find(t) != std::string::npos;
  if (!any) return out;
  for (const auto& rule : Rules()) out = std::regex_replace(out, rule.pattern, rule.replacement);
  return out;
}

void InitLogging(const LogOptions& options) {
  std::shared_ptr<spdlog::sinks::sink> sink;
  if (options.file.empty()) {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  } else {
    sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(options.file);
  }
  auto logger = std::make_shared<spdlog::logger>("vivalink", sink);
  if (options.json) {
    logger->set_pattern("%v");
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(ToSpd(options.level));
  logger->flush_on(spdlog::level::warn);
  std::lock_guard lock(g_mu);
  g_logger = logger;
  g_json = options.json;
}

LogLevel ParseLogLevel(std::string_view text) {
  std::string t = ToLower(text);
  if (t == "debug") return LogLevel::kDebug;
  if (t == "warn" || t == "warning") return LogLevel::kWarn;
  if (t == "error") return LogLevel::kError;
  if (t == "off") return LogLevel::kOff;
  return LogLevel::kInfo;
}

void LogMessage(LogLevel level, std::string_view message) {
  auto logger = Logger();
  auto spd_level = ToSpd(level);
  if (!logger->should_log(spd_level)) return;
  std::string safe = Redact(message);
  if (g_json) {
    nlohmann::json j;
    j["time"] = FormatIso8601Millis(SystemClock::Instance().Now());
    j["level"] = spdlog::level::to_string_view(spd_level).data();
    j["msg"] = safe;
    logger->log(spd_level, "{}", j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    logger->log(spd_level, "{}", safe);
  }
}

}  // namespace vivalink::core

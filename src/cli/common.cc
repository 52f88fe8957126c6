#include "cli/common.h"

#include <cstdio>

#include "azure/open_store.h"
#include "core/log.h"

namespace vivalink::cli {

void Commands::Add(CLI::App* command, std::function<int()> run) {
  runs_.emplace_back(command, std::move(run));
}

int Commands::RunParsed() const {
  for (const auto& [command, run] : runs_) {
    if (command->parsed()) return run();
  }
  return 2;
}

std::optional<int> Parse(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // CLI11's own codes (105 for a failed check, 109 for an extra argument, ...) are not ours.
    return app.exit(e) == 0 ? 0 : 2;
  }
  return std::nullopt;
}

core::Result<std::unique_ptr<store::BlobStore>> OpenStore(const std::string& url) {
  return azure::OpenBlobStore(url);
}

int ReportError(const core::Status& status) {
  std::string text = core::Redact(status.ToString());
  std::fprintf(stderr, "error: %s\n", text.c_str());
  return status.code() == core::StatusCode::kInvalidArgument ? 2 : 1;
}

core::Status StdoutSink::Write(std::span<const std::byte> data) {
  if (std::fwrite(data.data(), 1, data.size(), stdout) != data.size()) {
    return core::UnavailableError("cannot write to standard output");
  }
  return core::OkStatus();
}

core::Status StdoutSink::Close() {
  return std::fflush(stdout) == 0 ? core::OkStatus()
                                  : core::UnavailableError("cannot flush standard output");
}

}  // namespace vivalink::cli

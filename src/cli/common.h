// Shared plumbing of the command-line programs: how commands are registered and run, opening a
// store from a URL, printing errors the same way everywhere, stdout as a ByteSink.
//
// Every command file registers its commands one way:
//
//   void RegisterReport(CLI::App& app, Commands& commands, ...) {
//     auto& args = commands.Keep<ReportArgs>();           // lives as long as `commands`
//     CLI::App* cmd = app.add_subcommand("report", "...");
//     cmd->add_option("--output", args.output, "...");    // flags only
//     commands.Add(cmd, [&args] { return ...; });         // one library call, then print
//   }
//
// and main() parses once and calls Commands::RunParsed().
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/io.h"
#include "core/status.h"
#include "store/blob_store.h"

namespace vivalink::cli {

// The commands of one program: each leaf subcommand with the function that runs it, and the
// storage of the flag values CLI11 writes into. Not thread-safe; one per program.
class Commands {
 public:
  // A value-initialised Args that lives as long as this object, at a stable address (CLI11
  // writes the flags into it during parse; the run function reads it afterwards).
  template <typename Args>
  Args& Keep() {
    auto holder = std::make_unique<Holder<Args>>();
    Args& args = holder->value;
    storage_.push_back(std::move(holder));
    return args;
  }
  // Registers run for the leaf subcommand command; it returns the exit code.
  void Add(CLI::App* command, std::function<int()> run);
  // Runs the function of the parsed leaf; 2 when none was parsed (CLI11 prevents that when
  // every parent requires a subcommand).
  int RunParsed() const;

 private:
  struct Stored {
    virtual ~Stored() = default;
  };
  template <typename Args>
  struct Holder final : Stored {
    Args value{};
  };
  std::vector<std::unique_ptr<Stored>> storage_;
  std::vector<std::pair<CLI::App*, std::function<int()>>> runs_;
};

// Parses argv into app. Returns the exit code when the program must stop here, after CLI11
// printed why: 0 after --help, 2 for any bad argument (an unknown flag, a missing required one,
// a value out of its set), the documented code of invalid arguments; nullopt when the parsed
// command should run.
std::optional<int> Parse(CLI::App& app, int argc, char** argv);

// file:///path or a plain path -> LocalStore; http(s) URLs -> Azure Blob Storage (a SAS in the
// URL, or a Shared Key from AZURE_STORAGE_CONNECTION_STRING / AZURE_STORAGE_KEY).
core::Result<std::unique_ptr<store::BlobStore>> OpenStore(const std::string& url);

// Prints "error: <code>: <message>" (redacted) to stderr and returns the exit code for it:
// 1 for failures, 2 for invalid arguments.
int ReportError(const core::Status& status);

class StdoutSink final : public core::ByteSink {
 public:
  core::Status Write(std::span<const std::byte> data) override;
  core::Status Close() override;
};

}  // namespace vivalink::cli

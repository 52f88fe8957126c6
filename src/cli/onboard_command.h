// `vivalink onboard --tenant T` and `vivalink sas --rotate --tenant T`: flags and printing only;
// the work is onboard::Onboard / onboard::RotateSas.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "ingest/config.h"

namespace vivalink::cli {

struct OnboardArgs {
  std::string tenant;
  std::string container;
  int days = 90;
  std::string notification_url;
};

// Registers `onboard` on app; the returned args are filled by app.parse.
CLI::App* AddOnboardCommand(CLI::App& app, OnboardArgs& args);

// Prints the install parameters (JSON) on stdout and the notes on stderr. 0, or an error code.
int OnboardCommand(const ingest::Config& config, const OnboardArgs& args);

// `vivalink sas --rotate`: prints the new partnerSasUrl install parameter (JSON) and the notes.
int RotateSasCommand(const ingest::Config& config, const std::string& tenant, int days);

// `vivalink status`: the SAS expiry warnings, on stderr, after the report.
void PrintSasWarnings(const ingest::Config& config);

}  // namespace vivalink::cli

// The simulated world on disk, and `vivasim init`.
//
// WriteOrganization(D, org) writes:
//   D/options.json                     the OrgOptions (without the secret): the world's state;
//                                      LoadOrganization regenerates the same organisation
//   D/partner.json                     partner application: client_id, client_secret, tenant
//                                      ids, api_url / token_url / authority (empty; `vivasim
//                                      serve` fills them)
//   D/ground_truth.json                the planted relationships (sim/model.h)
//   D/tenants/<tenant-id>/people.jsonl internal state: every person with ids, addresses,
//                                      manager, HR attributes, employment weeks, flags
//   D/tenants/<tenant-id>/users.jsonl  Entra ID user export (MGDC User_v1)
//   D/tenants/<tenant-id>/metrics_v1.jsonl, metrics_v0.jsonl, person_query.csv
//                                      all weeks of Viva Insights rows in the three shapes
//   D/tenants/<tenant-id>/crm.csv, crm_static.csv   the partner's data (sim/crm.h)
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <string>
#include <string_view>

#include "core/status.h"
#include "sim/organization.h"

namespace vivalink::sim {

// Writes the files listed above, creating D and its folders; existing files are replaced.
// Errors: kUnavailable when a file cannot be created or written (message names the path).
core::Status WriteOrganization(const std::filesystem::path& dir, const Organization& org);

// options.json <-> OrgOptions (partner_secret is never part of it).
std::string OptionsToJson(const OrgOptions& options);
// kInvalidArgument naming the field for malformed JSON or a bad value.
core::Result<OrgOptions> OptionsFromJson(std::string_view json);

// Regenerates the organisation of a directory written by WriteOrganization: options.json plus
// the client secret of partner.json. kNotFound when D/options.json is missing; kInvalidArgument
// when it is malformed.
core::Result<Organization> LoadOrganization(const std::filesystem::path& dir);

// `vivasim init --dir D --tenants N --people P --weeks W --seed S [--first-week YYYY-MM-DD]
//  [--crm-key email|objectid] [--force]`
struct InitArgs {
  std::filesystem::path dir;
  int tenants = 1;
  int people = 1000;
  int weeks = 12;
  uint64_t seed = 1;
  std::string first_week;         // "YYYY-MM-DD" (a Sunday); empty: OrgOptions default
  std::string crm_key = "email";  // "email" or "objectid"
  bool force = false;             // replace an existing world in dir
};

// Generates and writes a world. Prints a summary line to out and errors to err. Returns 0 on
// success, 2 for bad arguments (or an existing world without force), 1 for I/O failures.
int InitCommand(const InitArgs& args, std::ostream& out, std::ostream& err);
// Same, printing to std::cout / std::cerr.
int InitCommand(const InitArgs& args);

}  // namespace vivalink::sim

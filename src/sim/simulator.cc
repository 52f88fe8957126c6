#include "sim/simulator.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/crm.h"
#include "sim/model.h"
#include "sim/writers.h"

namespace vivalink::sim {
namespace {

namespace fs = std::filesystem;

// A file written through stdio; Close() reports a failed flush (disk full).
class FileSink final : public core::ByteSink {
 public:
  static core::Result<std::unique_ptr<FileSink>> Create(const fs::path& path) {
    FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) return core::UnavailableError("cannot create " + path.string());
    return std::unique_ptr<FileSink>(new FileSink(path, f));
  }
  ~FileSink() override {
    if (file_ != nullptr) std::fclose(file_);
  }
  core::Status Write(std::span<const std::byte> data) override {
    if (file_ == nullptr || std::fwrite(data.data(), 1, data.size(), file_) != data.size()) {
      return core::UnavailableError("cannot write " + path_.string());
    }
    return core::OkStatus();
  }
  core::Status Close() override {
    FILE* f = file_;
    file_ = nullptr;
    if (f == nullptr || std::fclose(f) != 0) {
      return core::UnavailableError("cannot finish writing " + path_.string());
    }
    return core::OkStatus();
  }

 private:
  FileSink(fs::path path, FILE* f) : path_(std::move(path)), file_(f) {}
  fs::path path_;
  FILE* file_;
};

// Runs write(sink) into a new file at path.
template <typename F>
core::Status WriteFile(const fs::path& path, F&& write) {
  ASSIGN_OR_RETURN(std::unique_ptr<FileSink> sink, FileSink::Create(path));
  RETURN_IF_ERROR(write(*sink));
  return sink->Close();
}

core::Status WriteText(const fs::path& path, std::string_view text) {
  return WriteFile(path, [&](core::ByteSink& s) { return s.Write(core::AsBytes(text)); });
}

core::Status WritePeople(const Organization& org, const Tenant& t, core::ByteSink& sink) {
  internal::SinkBuffer buffer(sink);
  for (const Person& p : t.people) {
    nlohmann::ordered_json j;
    j["index"] = p.index;
    j["id"] = p.object_id;
    j["displayName"] = p.display_name;
    j["givenName"] = p.given_name;
    j["surname"] = p.surname;
    j["mail"] = p.mail;
    j["userPrincipalName"] = p.user_principal_name;
    j["proxyAddresses"] = p.proxy_addresses;
    j["managerId"] =
        p.manager >= 0 ? nlohmann::ordered_json(t.people[static_cast<size_t>(p.manager)].object_id)
                       : nlohmann::ordered_json(nullptr);
    j["directReports"] = p.direct_reports;
    j["Organization"] = p.organization;
    j["FunctionType"] = p.function_type;
    j["LevelDesignation"] = p.level_designation;
    j["SupervisorIndicator"] = p.supervisor_indicator;
    j["Region"] = p.region;
    j["jobTitle"] = p.job_title;
    j["HireDate"] = core::FormatDate(p.hire_date);
    j["firstWeek"] = core::FormatDate(org.WeekStart(p.first_week));
    j["lastWeek"] = core::FormatDate(org.WeekStart(p.end_week - 1));
    j["licensed"] = p.licensed;
    j["inDirectory"] = p.in_directory;
    buffer.text() += j.dump();
    buffer.text() += '\n';
    RETURN_IF_ERROR(buffer.Flush());
  }
  return buffer.Flush(true);
}

std::string PartnerJson(const Organization& org) {
  nlohmann::ordered_json j;
  j["client_id"] = org.partner_client_id;
  j["client_secret"] = org.partner_secret;
  auto tenants = nlohmann::ordered_json::array();
  for (const Tenant& t : org.tenants) tenants.push_back(t.id);
  j["tenants"] = tenants;
  j["api_url"] = "";
  j["token_url"] = "";
  j["authority"] = "";
  return j.dump(2) + "\n";
}

core::Status WriteMetrics(const Organization& org, size_t tenant, RowShape shape,
                          core::ByteSink& sink) {
  for (int w = 0; w < org.options.weeks; ++w) {
    ASSIGN_OR_RETURN(size_t rows, WriteWeek(org, tenant, w, shape, sink, /*csv_header=*/w == 0));
    (void)rows;
  }
  return core::OkStatus();
}

}  // namespace

core::Status WriteOrganization(const fs::path& dir, const Organization& org) {
  std::error_code ec;
  fs::create_directories(dir / "tenants", ec);
  if (ec)
    return core::UnavailableError("cannot create " + (dir / "tenants").string() + ": " +
                                  ec.message());
  RETURN_IF_ERROR(WriteText(dir / "options.json", OptionsToJson(org.options)));
  RETURN_IF_ERROR(WriteText(dir / "partner.json", PartnerJson(org)));
  RETURN_IF_ERROR(WriteText(dir / "ground_truth.json", GroundTruthJson(org)));
  for (size_t i = 0; i < org.tenants.size(); ++i) {
    const Tenant& t = org.tenants[i];
    const fs::path td = dir / "tenants" / t.id;
    fs::create_directories(td, ec);
    if (ec) return core::UnavailableError("cannot create " + td.string() + ": " + ec.message());
    RETURN_IF_ERROR(
        WriteFile(td / "people.jsonl", [&](core::ByteSink& s) { return WritePeople(org, t, s); }));
    RETURN_IF_ERROR(WriteFile(td / "users.jsonl",
                              [&](core::ByteSink& s) { return WriteUsers(org, i, s).status(); }));
    RETURN_IF_ERROR(WriteFile(td / "metrics_v1.jsonl", [&](core::ByteSink& s) {
      return WriteMetrics(org, i, RowShape::kV1, s);
    }));
    RETURN_IF_ERROR(WriteFile(td / "metrics_v0.jsonl", [&](core::ByteSink& s) {
      return WriteMetrics(org, i, RowShape::kV0, s);
    }));
    RETURN_IF_ERROR(WriteFile(td / "person_query.csv", [&](core::ByteSink& s) {
      return WriteMetrics(org, i, RowShape::kPersonQuery, s);
    }));
    RETURN_IF_ERROR(
        WriteFile(td / "crm.csv", [&](core::ByteSink& s) { return WriteCrm(org, i, s); }));
    RETURN_IF_ERROR(WriteFile(td / "crm_static.csv",
                              [&](core::ByteSink& s) { return WriteCrmStatic(org, i, s); }));
  }
  return core::OkStatus();
}

std::string OptionsToJson(const OrgOptions& o) {
  nlohmann::ordered_json j;
  j["tenants"] = o.tenants;
  j["people"] = o.people;
  j["weeks"] = o.weeks;
  j["seed"] = o.seed;
  j["first_week"] = core::FormatDate(o.first_week);
  j["weekly_join_rate"] = o.weekly_join_rate;
  j["weekly_leave_rate"] = o.weekly_leave_rate;
  j["unlicensed_fraction"] = o.unlicensed_fraction;
  j["unknown_fraction"] = o.unknown_fraction;
  j["crm_key"] = o.crm_key == CrmKey::kEmail ? "email" : "objectid";
  j["crm_alias_people"] = o.crm_alias_people;
  j["crm_duplicate_rows"] = o.crm_duplicate_rows;
  return j.dump(2) + "\n";
}

core::Result<OrgOptions> OptionsFromJson(std::string_view text) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return core::InvalidArgumentError("options.json is not a JSON object");
  OrgOptions o;
  auto bad = [](const char* field) {
    return core::InvalidArgumentError(std::string("options.json: field '") + field +
                                      "' has the wrong type");
  };
  auto get_int = [&](const char* field, int& out) -> core::Status {
    if (!j.contains(field)) return core::OkStatus();
    if (!j[field].is_number_integer()) return bad(field);
    const auto v = j[field].get<int64_t>();
    if (v < INT32_MIN || v > INT32_MAX) return bad(field);
    out = static_cast<int>(v);
    return core::OkStatus();
  };
  auto get_double = [&](const char* field, double& out) -> core::Status {
    if (!j.contains(field)) return core::OkStatus();
    if (!j[field].is_number()) return bad(field);
    out = j[field].get<double>();
    return core::OkStatus();
  };
  RETURN_IF_ERROR(get_int("tenants", o.tenants));
  RETURN_IF_ERROR(get_int("people", o.people));
  RETURN_IF_ERROR(get_int("weeks", o.weeks));
  if (j.contains("seed")) {
    if (!j["seed"].is_number_unsigned() && !j["seed"].is_number_integer()) return bad("seed");
    o.seed = j["seed"].get<uint64_t>();
  }
  if (j.contains("first_week")) {
    if (!j["first_week"].is_string()) return bad("first_week");
    ASSIGN_OR_RETURN(o.first_week, core::ParseDate(j["first_week"].get<std::string>()));
  }
  RETURN_IF_ERROR(get_double("weekly_join_rate", o.weekly_join_rate));
  RETURN_IF_ERROR(get_double("weekly_leave_rate", o.weekly_leave_rate));
  RETURN_IF_ERROR(get_double("unlicensed_fraction", o.unlicensed_fraction));
  RETURN_IF_ERROR(get_double("unknown_fraction", o.unknown_fraction));
  RETURN_IF_ERROR(get_double("crm_alias_people", o.crm_alias_people));
  RETURN_IF_ERROR(get_double("crm_duplicate_rows", o.crm_duplicate_rows));
  if (j.contains("crm_key")) {
    const std::string key = j["crm_key"].is_string() ? j["crm_key"].get<std::string>() : "";
    if (key == "email")
      o.crm_key = CrmKey::kEmail;
    else if (key == "objectid")
      o.crm_key = CrmKey::kObjectId;
    else
      return core::InvalidArgumentError("options.json: crm_key must be email or objectid");
  }
  RETURN_IF_ERROR(Validate(o));
  return o;
}

core::Result<Organization> LoadOrganization(const fs::path& dir) {
  auto read = [](const fs::path& path) -> core::Result<std::string> {
    std::ifstream in(path, std::ios::binary);
    if (!in) return core::NotFoundError(path.string() + " does not exist; run vivasim init first");
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  };
  ASSIGN_OR_RETURN(std::string options_text, read(dir / "options.json"));
  ASSIGN_OR_RETURN(OrgOptions options, OptionsFromJson(options_text));
  ASSIGN_OR_RETURN(std::string partner_text, read(dir / "partner.json"));
  const nlohmann::json partner = nlohmann::json::parse(partner_text, nullptr, false);
  if (!partner.is_object() || !partner.contains("client_secret") ||
      !partner["client_secret"].is_string()) {
    return core::InvalidArgumentError((dir / "partner.json").string() +
                                      " has no client_secret string");
  }
  options.partner_secret = partner["client_secret"].get<std::string>();
  return Generate(options);
}

int InitCommand(const InitArgs& args, std::ostream& out, std::ostream& err) {
  OrgOptions options;
  options.tenants = args.tenants;
  options.people = args.people;
  options.weeks = args.weeks;
  options.seed = args.seed;
  if (args.dir.empty()) {
    err << "vivasim init: --dir is required\n";
    return 2;
  }
  if (!args.first_week.empty()) {
    core::Result<core::Date> d = core::ParseDate(args.first_week);
    if (!d.ok() || args.first_week.size() != 10) {
      err << "vivasim init: --first-week '" << args.first_week << "' is not a YYYY-MM-DD date\n";
      return 2;
    }
    options.first_week = *d;
  }
  if (args.crm_key == "email") {
    options.crm_key = CrmKey::kEmail;
  } else if (args.crm_key == "objectid") {
    options.crm_key = CrmKey::kObjectId;
  } else {
    err << "vivasim init: --crm-key must be email or objectid, not '" << args.crm_key << "'\n";
    return 2;
  }
  if (core::Status st = Validate(options); !st.ok()) {
    err << "vivasim init: " << st.message() << "\n";
    return 2;
  }
  std::error_code ec;
  if (!args.force && fs::exists(args.dir / "options.json", ec)) {
    err << "vivasim init: " << args.dir.string()
        << " already holds a simulated world; pass --force to replace it\n";
    return 2;
  }
  core::Result<Organization> org = Generate(options);
  if (!org.ok()) {
    err << "vivasim init: " << org.status().message() << "\n";
    return 2;
  }
  if (core::Status st = WriteOrganization(args.dir, *org); !st.ok()) {
    err << "vivasim init: " << st.message() << "\n";
    return 1;
  }
  size_t people = 0;
  for (const Tenant& t : org->tenants) people += t.people.size();
  out << "vivasim init: wrote " << org->tenants.size() << " tenant(s), " << people << " people, "
      << options.weeks << " week(s) from " << core::FormatDate(options.first_week) << " to "
      << args.dir.string() << "\n";
  return 0;
}

int InitCommand(const InitArgs& args) { return InitCommand(args, std::cout, std::cerr); }

}  // namespace vivalink::sim

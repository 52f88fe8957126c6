#include "sim/writers.h"

#include <array>
#include <charconv>
#include <chrono>
#include <nlohmann/json.hpp>

#include "core/file.h"
#include "core/time.h"
#include "core/uuid.h"
#include "crypto/rsa.h"
#include "drop/keys.h"
#include "drop/metadata.h"
#include "drop/writer.h"
#include "formats/reader.h"
#include "formats/writer.h"

namespace vivalink::sim {
namespace {

using M = Metric;

// The v0 sample's metric columns, in its order.
constexpr std::array<Metric, 20> kV0Order = {
    M::kAfterHoursCollaborationHours,
    M::kAfterHoursMeetingHours,
    M::kAfterHoursEmailHours,
    M::kAfterHoursChatHours,
    M::kAfterHoursScheduledCallHours,
    M::kAfterHoursUnscheduledCallHours,
    M::kCollaborationHours,
    M::kMultitaskingHours,
    M::kMeetingHours,
    M::kEmailHours,
    M::kExternalCollaborationHours,
    M::kChatHours,
    M::kScheduledCallHours,
    M::kUnscheduledCallHours,
    M::kConflictingMeetingHours,
    M::kMeetingHoursWithManager,
    M::kMeetingHoursWithManager1on1,
    M::kMeetingHoursWithSkipLevel,
    M::kAvailableToFocusHours,
    M::kUninterruptedHours,
};

constexpr std::array<std::string_view, 6> kHrColumns = {"Organization",     "FunctionType",
                                                        "LevelDesignation", "SupervisorIndicator",
                                                        "Region",           "HireDate"};

void AppendDate(std::string& out, core::Date d) { out += core::FormatDate(d); }

// Seconds from 0001-01-01 to d: the suffix Viva Insights puts on PeopleHistoricalId.
int64_t DotNetSeconds(core::Date d) {
  return int64_t{62135596800} + int64_t{d.time_since_epoch().count()} * 86400;
}

void AppendV1(std::string& out, const MetricRow& row) {
  out += "{\"PersonId\":\"";
  out += row.person->object_id;
  out += "\",\"MetricDate\":\"";
  AppendDate(out, row.metric_date);
  out += "T00:00:00Z\"";
  const auto& metrics = AllMetrics();
  for (size_t k = 0; k < kMetricCount; ++k) {
    out += ",\"";
    out += metrics[k].display_name;
    out += "\":\"";
    internal::AppendNumber(out, row.metrics.values[k]);
    out += '"';
  }
  out += row.metrics.is_active ? ",\"IsActive\":true}\n" : ",\"IsActive\":false}\n";
}

void AppendV0(std::string& out, const MetricRow& row) {
  out += "{\"ObjectId\":\"";
  out += row.person->object_id;
  out += "\",\"MetricDate\":\"";
  AppendDate(out, row.metric_date);
  out += "T00:00:00Z\"";
  for (Metric m : kV0Order) {
    out += ",\"";
    out += Info(m).v0_name;
    out += "\":";
    internal::AppendNumber(out, row.metrics[m]);
  }
  out += ",\"PeopleHistoricalId\":\"";
  out += row.person->object_id;
  out += '-';
  out += std::to_string(DotNetSeconds(row.person->hire_date));
  out += row.metrics.is_active ? "\",\"IsActive\":true}\n" : "\",\"IsActive\":false}\n";
}

void AppendCsvHeader(std::string& out) {
  out += "PersonId,MetricDate";
  for (size_t k = 0; k < kMetricCount; ++k) {
    out += ',';
    internal::AppendCsvField(out, CanonicalName(static_cast<Metric>(k)));
  }
  for (std::string_view c : kHrColumns) {
    out += ',';
    out += c;
  }
  out += '\n';
}

void AppendCsv(std::string& out, const MetricRow& row) {
  const Person& p = *row.person;
  out += p.object_id;
  out += ',';
  AppendDate(out, row.metric_date);
  for (size_t k = 0; k < kMetricCount; ++k) {
    out += ',';
    internal::AppendNumber(out, row.metrics.values[k]);
  }
  for (std::string_view v :
       {p.organization, p.function_type, p.level_designation, p.supervisor_indicator, p.region}) {
    out += ',';
    internal::AppendCsvField(out, v);
  }
  out += ',';
  AppendDate(out, p.hire_date);
  out += '\n';
}

void AppendRow(RowShape shape, std::string& out, const MetricRow& row) {
  switch (shape) {
    case RowShape::kV1:
      AppendV1(out, row);
      break;
    case RowShape::kV0:
      AppendV0(out, row);
      break;
    case RowShape::kPersonQuery:
      AppendCsv(out, row);
      break;
  }
}

core::Status BadTenant(const Organization& org, size_t tenant) {
  return core::InvalidArgumentError("tenant " + std::to_string(tenant) +
                                    " does not exist (the organisation has " +
                                    std::to_string(org.tenants.size()) + ")");
}

struct Place {
  std::string_view country, city, state, usage_location, language;
};

Place PlaceOf(std::string_view region, uint32_t index) {
  static constexpr std::array<Place, 2> kNa = {{{"United States", "Seattle", "WA", "US", "en-US"},
                                                {"Canada", "Toronto", "ON", "CA", "en-CA"}}};
  static constexpr std::array<Place, 2> kEu = {{{"United Kingdom", "London", "", "GB", "en-GB"},
                                                {"Germany", "Munich", "BY", "DE", "de-DE"}}};
  static constexpr std::array<Place, 2> kAp = {{{"Singapore", "Singapore", "", "SG", "en-SG"},
                                                {"Australia", "Sydney", "NSW", "AU", "en-AU"}}};
  static constexpr std::array<Place, 2> kLa = {{{"Brazil", "Sao Paulo", "SP", "BR", "pt-BR"},
                                                {"Mexico", "Mexico City", "CMX", "MX", "es-MX"}}};
  const auto& table = region == "Europe"          ? kEu
                      : region == "Asia Pacific"  ? kAp
                      : region == "Latin America" ? kLa
                                                  : kNa;
  return table[index % 2];
}

}  // namespace

namespace internal {

core::Status SinkBuffer::Flush(bool force) {
  if (buffer_.empty() || (!force && buffer_.size() < kFlushAt)) return core::OkStatus();
  core::Status st = sink_.Write(core::AsBytes(buffer_));
  buffer_.clear();
  return st;
}

void AppendCsvField(std::string& out, std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += field;
    return;
  }
  out += '"';
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void AppendNumber(std::string& out, double value) {
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, res.ptr);
}

}  // namespace internal

std::string_view RowShapeName(RowShape shape) {
  switch (shape) {
    case RowShape::kV1:
      return "v1";
    case RowShape::kV0:
      return "v0";
    case RowShape::kPersonQuery:
      return "csv";
  }
  return "";
}

core::Result<RowShape> ParseRowShape(std::string_view name) {
  for (RowShape s : {RowShape::kV1, RowShape::kV0, RowShape::kPersonQuery}) {
    if (name == RowShapeName(s)) return s;
  }
  return core::InvalidArgumentError("row shape '" + std::string(name) +
                                    "' is not one of v1, v0, csv");
}

std::vector<std::string> ColumnNames(RowShape shape) {
  std::vector<std::string> out;
  switch (shape) {
    case RowShape::kV1:
      out = {"PersonId", "MetricDate"};
      for (const MetricInfo& m : AllMetrics()) out.emplace_back(m.display_name);
      out.emplace_back("IsActive");
      break;
    case RowShape::kV0:
      out = {"ObjectId", "MetricDate"};
      for (Metric m : kV0Order) out.emplace_back(Info(m).v0_name);
      out.emplace_back("PeopleHistoricalId");
      out.emplace_back("IsActive");
      break;
    case RowShape::kPersonQuery:
      out = {"PersonId", "MetricDate"};
      for (size_t k = 0; k < kMetricCount; ++k) {
        out.emplace_back(CanonicalName(static_cast<Metric>(k)));
      }
      for (std::string_view c : kHrColumns) out.emplace_back(c);
      break;
  }
  return out;
}

core::Status WriteRows(RowShape shape, std::span<const MetricRow> rows, core::ByteSink& sink,
                       bool csv_header) {
  internal::SinkBuffer buffer(sink);
  if (shape == RowShape::kPersonQuery && csv_header) AppendCsvHeader(buffer.text());
  for (const MetricRow& row : rows) {
    AppendRow(shape, buffer.text(), row);
    RETURN_IF_ERROR(buffer.Flush());
  }
  return buffer.Flush(true);
}

std::string FormatRows(RowShape shape, std::span<const MetricRow> rows, bool csv_header) {
  std::string out;
  if (shape == RowShape::kPersonQuery && csv_header) AppendCsvHeader(out);
  for (const MetricRow& row : rows) AppendRow(shape, out, row);
  return out;
}

core::Result<size_t> WriteWeek(const Organization& org, size_t tenant, int week, RowShape shape,
                               core::ByteSink& sink, bool csv_header) {
  if (tenant >= org.tenants.size()) return BadTenant(org, tenant);
  if (week < 0 || week >= org.options.weeks) {
    return core::InvalidArgumentError("week " + std::to_string(week) + " is outside 0.." +
                                      std::to_string(org.options.weeks - 1));
  }
  const Tenant& t = org.tenants[tenant];
  internal::SinkBuffer buffer(sink);
  if (shape == RowShape::kPersonQuery && csv_header) AppendCsvHeader(buffer.text());
  const core::Date date = org.WeekStart(week);
  size_t n = 0;
  for (const Person& p : t.people) {
    if (!p.licensed || !p.EmployedIn(week)) continue;
    AppendRow(shape, buffer.text(), MetricRow{&p, date, PersonWeekMetrics(org, t, p, week)});
    ++n;
    RETURN_IF_ERROR(buffer.Flush());
  }
  RETURN_IF_ERROR(buffer.Flush(true));
  return n;
}

core::Result<size_t> WriteUsers(const Organization& org, size_t tenant, core::ByteSink& sink) {
  if (tenant >= org.tenants.size()) return BadTenant(org, tenant);
  const Tenant& t = org.tenants[tenant];
  internal::SinkBuffer buffer(sink);
  size_t n = 0;
  for (const Person& p : t.people) {
    if (!p.in_directory) continue;
    const Place place = PlaceOf(p.region, p.index);
    const std::string hire = core::FormatDate(p.hire_date) + "T00:00:00Z";
    const std::string created =
        core::FormatDate(p.hire_date - std::chrono::days{3 + p.index % 10}) +
        "T09:" + std::to_string(10 + p.index % 50) + ":00Z";
    const std::string nickname = p.mail.substr(0, p.mail.find('@'));
    nlohmann::ordered_json j;
    j["accountEnabled"] = p.end_week >= org.options.weeks;
    j["businessPhones"] = nlohmann::json::array();
    j["city"] = place.city;
    j["companyName"] = t.company;
    j["country"] = place.country;
    j["createdDateTime"] = created;
    j["department"] = p.organization;
    j["displayName"] = p.display_name;
    j["givenName"] = p.given_name;
    j["hireDate"] = hire;
    j["id"] = p.object_id;
    j["imAddresses"] = {p.mail};
    j["jobTitle"] = p.job_title;
    j["mail"] = p.mail;
    j["mailNickname"] = nickname;
    j["mobilePhone"] = nullptr;
    j["officeLocation"] = std::string(place.city) + "/" + std::to_string(1 + p.index % 40);
    j["preferredLanguage"] = place.language;
    j["proxyAddresses"] = p.proxy_addresses;
    j["state"] = place.state;
    j["surname"] = p.surname;
    j["usageLocation"] = place.usage_location;
    j["userPrincipalName"] = p.user_principal_name;
    j["userType"] = "Member";
    j["puser"] = p.object_id;
    j["ptenant"] = t.id;
    j["datarow"] = 0;
    j["userrow"] = 0;
    j["pagerow"] = 0;
    j["rowinformation"] = {{"errorInformation", nullptr},
                           {"userReturnedNoData", false},
                           {"isUserSummaryRow", false},
                           {"userHasCompleteData", true}};
    buffer.text() += j.dump();
    buffer.text() += '\n';
    ++n;
    RETURN_IF_ERROR(buffer.Flush());
  }
  RETURN_IF_ERROR(buffer.Flush(true));
  return n;
}

namespace {

// A CSV person query as JSON lines: canonical column names, typed values (formats' writer).
core::Result<std::string> CsvToJsonLines(std::string csv, const std::string& name) {
  formats::ReaderOptions ro;
  ro.format = formats::Format::kCsv;
  ro.source_name = name;
  ASSIGN_OR_RETURN(auto reader, formats::OpenRowReader(core::MemorySource::Owning(std::move(csv)),
                                                       std::move(ro)));
  core::StringSink sink;
  formats::JsonLinesWriter writer(sink);
  formats::RowBatch batch;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader->Next(batch));
    if (!more) break;
    RETURN_IF_ERROR(writer.Write(batch));
  }
  RETURN_IF_ERROR(writer.Flush());
  return std::move(sink.data());
}

// The rows of the input file as JSON lines: as they are, or converted from CSV.
core::Result<std::string> InputAsJsonLines(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, core::ReadFile(path));
  const size_t first = text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  if (first != std::string::npos && text[first] == '{') return text;
  return CsvToJsonLines(std::move(text), path);
}

}  // namespace

std::string SingleDropResult::ToJson() const {
  nlohmann::ordered_json j = {{"drop", ref.ToString()},
                              {"copyActivityId", copy_activity_id},
                              {"rows", rows},
                              {"parts", parts},
                              {"keysFile", keys_file}};
  return j.dump();
}

core::Result<SingleDropResult> WriteSingleDrop(store::BlobStore& store,
                                               const SingleDropRequest& request) {
  ASSIGN_OR_RETURN(auto pub, crypto::RsaPublicKey::LoadPem(request.public_key));
  if (!core::IsUuid(request.tenant)) return core::InvalidArgumentError("--tenant must be a GUID");
  SingleDropResult out;
  out.ref = {request.run_id.empty() ? core::NewUuid() : request.run_id, request.kind,
             core::NormalizeUuid(request.tenant)};
  ASSIGN_OR_RETURN(std::string jsonl, InputAsJsonLines(request.input));
  drop::DropKeys keys{crypto::AesKeyIv::Random(), crypto::AesKeyIv::Random()};
  drop::DropMetadata m;
  m.copy_activity_id = core::NewUuid();
  m.tenant_id = out.ref.tenant_id;
  m.data_factory_name = "vivasim";
  m.job_submission_time = core::SystemClock::Instance().Now();
  if (request.errors.empty()) {
    drop::DropWriteOptions wo;
    wo.part_rows = request.part_rows;
    ASSIGN_OR_RETURN(drop::DropWriteResult written,
                     drop::WriteDropParts(store, out.ref, jsonl, keys, wo));
    drop::FillMetadataFromResult(written, m);
    out.rows = written.rows;
    out.parts = written.parts;
  } else {
    m.errors = request.errors;
  }
  if (m.request_start == core::TimePoint{}) m.request_start = m.job_submission_time;
  if (m.request_end == core::TimePoint{}) m.request_end = m.request_start;
  if (request.inline_key) {
    ASSIGN_OR_RETURN(m.inline_key, drop::WrapKey("File", keys.file, pub));
  }
  m.job_completion_time = core::SystemClock::Instance().Now();
  ASSIGN_OR_RETURN(std::string response, drop::MakeKeysResponse(m.copy_activity_id, keys, pub));
  if (!request.keys_out.empty()) {
    core::Status written = core::WriteFileAtomic(request.keys_out, response, 0600);
    if (!written.ok()) return written.WithContext("--keys-out " + request.keys_out);
  }
  RETURN_IF_ERROR(drop::WriteMetadata(store, out.ref, m).status());
  out.copy_activity_id = m.copy_activity_id;
  out.keys_file = request.keys_out;
  return out;
}

}  // namespace vivalink::sim

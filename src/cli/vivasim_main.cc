// vivasim: a stand-in for the Microsoft side (weekly metrics, user export, pipeline, key API).
// It talks to vivalink only through storage, HTTP and queues. See README "Simulating a customer".
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/common.h"
#include "core/log.h"
#include "core/time.h"
#include "core/uuid.h"
#include "drop/keys.h"
#include "drop/writer.h"
#include "formats/reader.h"

namespace vivalink::cli {
namespace {

core::Result<std::string> ReadFileText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::NotFoundError(fmt::format("cannot read {}", path));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// CSV rows (person query) -> JSON lines with the CSV's column names and typed values.
core::Result<std::string> CsvToJsonLines(std::string csv, const std::string& name) {
  formats::ReaderOptions ro;
  ro.format = formats::Format::kCsv;
  ro.source_name = name;
  ASSIGN_OR_RETURN(auto reader, formats::OpenRowReader(core::MemorySource::Owning(std::move(csv)),
                                                       std::move(ro)));
  std::string out;
  formats::RowBatch batch;
  while (true) {
    ASSIGN_OR_RETURN(bool more, reader->Next(batch));
    if (!more) break;
    const auto& names = reader->source_columns();
    for (size_t r = 0; r < batch.num_rows(); ++r) {
      nlohmann::ordered_json row = nlohmann::ordered_json::object();
      for (size_t c = 0; c < batch.num_columns(); ++c) {
        const auto& col = batch.column(c);
        const std::string& key = c < names.size() ? names[c] : col.name();
        if (col.IsNull(r)) {
          row[key] = nullptr;
        } else if (col.type() == formats::ColumnType::kString) {
          row[key] = std::string(col.StringAt(r));
        } else if (col.type() == formats::ColumnType::kBool) {
          row[key] = col.NumberAt(r) != 0;
        } else {
          row[key] = col.NumberAt(r);
        }
      }
      out += row.dump();
      out += '\n';
    }
  }
  return out;
}

struct DropWriteArgs {
  std::string store;
  std::string tenant;
  std::string public_key;
  std::string input;
  std::string run_id;
  std::string kind = "VivaInsights";
  std::string keys_out;
  bool inline_key = false;
  uint64_t part_rows = 0;
  std::string errors;
};

int DropWrite(const DropWriteArgs& a) {
  auto store = OpenStore(a.store);
  if (!store.ok()) return ReportError(store.status());
  auto pub = crypto::RsaPublicKey::LoadPem(a.public_key);
  if (!pub.ok()) return ReportError(pub.status());
  if (!core::IsUuid(a.tenant)) {
    return ReportError(core::InvalidArgumentError("--tenant must be a GUID"));
  }
  drop::DropRef ref{a.run_id.empty() ? core::NewUuid() : a.run_id, a.kind,
                    core::NormalizeUuid(a.tenant)};
  auto text = ReadFileText(a.input);
  if (!text.ok()) return ReportError(text.status());
  std::string jsonl;
  size_t first = text->find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  if (first != std::string::npos && (*text)[first] == '{') {
    jsonl = std::move(*text);
  } else {
    auto converted = CsvToJsonLines(std::move(*text), a.input);
    if (!converted.ok()) return ReportError(converted.status());
    jsonl = std::move(*converted);
  }
  drop::DropKeys keys{crypto::AesKeyIv::Random(), crypto::AesKeyIv::Random()};
  drop::DropMetadata m;
  m.copy_activity_id = core::NewUuid();
  m.tenant_id = ref.tenant_id;
  m.data_factory_name = "vivasim";
  m.job_submission_time = core::SystemClock::Instance().Now();
  drop::DropWriteResult result;
  if (a.errors.empty()) {
    drop::DropWriteOptions wo;
    wo.part_rows = a.part_rows;
    auto r = drop::WriteDropParts(**store, ref, jsonl, keys, wo);
    if (!r.ok()) return ReportError(r.status());
    result = std::move(*r);
    drop::FillMetadataFromResult(result, m);
  } else {
    m.errors = a.errors;
  }
  if (m.request_start == core::TimePoint{}) m.request_start = m.job_submission_time;
  if (m.request_end == core::TimePoint{}) m.request_end = m.request_start;
  if (a.inline_key) {
    auto w = drop::WrapKey("File", keys.file, *pub);
    if (!w.ok()) return ReportError(w.status());
    m.inline_key = *w;
  }
  m.job_completion_time = core::SystemClock::Instance().Now();
  auto response = drop::MakeKeysResponse(m.copy_activity_id, keys, *pub);
  if (!response.ok()) return ReportError(response.status());
  if (!a.keys_out.empty()) {
    std::ofstream out(a.keys_out, std::ios::binary | std::ios::trunc);
    out << *response;
    if (!out) return ReportError(core::UnavailableError("cannot write " + a.keys_out));
  }
  auto st = drop::WriteMetadata(**store, ref, m);
  if (!st.ok()) return ReportError(st.status());
  nlohmann::ordered_json j = {{"drop", ref.ToString()},
                              {"copyActivityId", m.copy_activity_id},
                              {"rows", result.rows},
                              {"parts", result.parts},
                              {"keysFile", a.keys_out}};
  std::printf("%s\n", j.dump().c_str());
  return 0;
}

}  // namespace

int Main(int argc, char** argv) {
  CLI::App app{"vivasim: a stand-in for the Microsoft side of the Viva Insights partner integration"};
  app.require_subcommand(1);
  auto* drop_cmd = app.add_subcommand("drop", "write single drops");
  drop_cmd->require_subcommand(1);
  DropWriteArgs dw;
  auto* write = drop_cmd->add_subcommand(
      "write", "encrypt a rows file (JSON lines or CSV) into one drop of a store");
  write->add_option("--store", dw.store, "store URL (file:///path)")->required();
  write->add_option("--tenant", dw.tenant, "customer tenant id (GUID)")->required();
  write->add_option("--public-key", dw.public_key, "partner public key (PEM) to wrap keys for")
      ->required();
  write->add_option("--input", dw.input, "rows file: JSON lines or CSV with a header")->required();
  write->add_option("--run", dw.run_id, "RunId (default: a new GUID)");
  write->add_option("--kind", dw.kind, "VivaInsights or AADUser")->capture_default_str();
  write->add_option("--keys-out", dw.keys_out,
                    "write the key API's answer for this drop to this file");
  write->add_flag("--inline-key", dw.inline_key, "also put the File key in metadata.json");
  write->add_option("--part-rows", dw.part_rows, "rows per data part (0 = one part)");
  write->add_option("--errors", dw.errors, "write a failed run: metadata with Errors, no data");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  core::InitLogging({.level = core::LogLevel::kWarn});
  if (write->parsed()) return DropWrite(dw);
  return 2;
}

}  // namespace vivalink::cli

int main(int argc, char** argv) {
  try {
    return vivalink::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "error: Internal: %s\n", vivalink::core::Redact(e.what()).c_str());
    return 1;
  }
}

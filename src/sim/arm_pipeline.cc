#include "sim/arm_pipeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "core/file.h"
#include "core/io.h"
#include "core/secure.h"
#include "core/strings.h"
#include "core/uuid.h"
#include "drop/keys.h"
#include "drop/metadata.h"
#include "drop/writer.h"
#include "http/curl_transport.h"
#include "sim/arm_template.h"
#include "sim/calendar.h"
#include "sim/shipped_template.h"
#include "sim/simulator.h"
#include "sim/state.h"
#include "sim/writers.h"

namespace vivalink::sim {
namespace {

using arm::FindProperty;
using arm::Value;
using nlohmann::ordered_json;

std::string LastSegment(std::string_view name) {
  size_t slash = name.rfind('/');
  return std::string(slash == std::string_view::npos ? name : name.substr(slash + 1));
}

std::string Text(const Value* v) {
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

// '*' matches any run of characters; everything else itself.
bool WildcardMatch(std::string_view pattern, std::string_view text) {
  if (pattern.empty()) return text.empty();
  if (pattern.front() == '*') {
    for (size_t i = 0; i <= text.size(); ++i) {
      if (WildcardMatch(pattern.substr(1), text.substr(i))) return true;
    }
    return false;
  }
  return !text.empty() && pattern.front() == text.front() &&
         WildcardMatch(pattern.substr(1), text.substr(1));
}

// What the pipeline's ADF expressions see.
class AdfScope final : public arm::FunctionScope {
 public:
  Value pipeline;                           // pipeline()
  Value trigger;                            // trigger()
  std::map<std::string, Value> activities;  // activity(name)
  const Value* dataset = nullptr;           // dataset() while a dataset is evaluated

  std::optional<core::Result<Value>> Call(std::string_view name,
                                          const std::vector<Value>& args) override {
    const std::string fn = core::ToLower(name);
    if (fn == "pipeline") return pipeline;
    if (fn == "trigger") return trigger;
    if (fn == "dataset") {
      if (dataset == nullptr) {
        return core::InvalidArgumentError("dataset() used outside a dataset definition");
      }
      return *dataset;
    }
    if (fn == "activity") {
      if (args.size() != 1 || !args[0].is_string()) {
        return core::InvalidArgumentError("activity(): takes one activity name");
      }
      auto it = activities.find(args[0].get<std::string>());
      if (it == activities.end()) {
        return core::InvalidArgumentError(fmt::format(
            "activity('{}'): no such activity has run yet", args[0].get<std::string>()));
      }
      return it->second;
    }
    if (fn == "utcnow") {
      return Value(
          core::FormatIso8601Millis(std::chrono::time_point_cast<std::chrono::milliseconds>(
              std::chrono::system_clock::now())));
    }
    return std::nullopt;
  }
};

// Evaluates the ADF expressions inside v: "@..." strings and {"value": ..., "type": "Expression"}.
core::Result<Value> EvalAdf(const Value& v, AdfScope& scope) {
  if (v.is_string()) return arm::EvaluateAdfString(v.get_ref<const std::string&>(), scope);
  if (v.is_object()) {
    const Value* type = FindProperty(v, "type");
    const Value* value = FindProperty(v, "value");
    if (type != nullptr && value != nullptr && Text(type) == "Expression") {
      return EvalAdf(*value, scope);
    }
    Value out = Value::object();
    for (auto it = v.begin(); it != v.end(); ++it) {
      ASSIGN_OR_RETURN(Value r, EvalAdf(*it, scope));
      out[it.key()] = std::move(r);
    }
    return out;
  }
  if (v.is_array()) {
    Value out = Value::array();
    for (const Value& x : v) {
      ASSIGN_OR_RETURN(Value r, EvalAdf(x, scope));
      out.push_back(std::move(r));
    }
    return out;
  }
  return v;
}

struct Location {
  store::BlobStore* store = nullptr;
  std::string folder;    // without a trailing '/'
  std::string url;       // of the store, without query (for messages)
  bool staging = false;  // a store of the staging account
};

// The drop a folder "<RunId>/<kind>/<tenant>" holds, if it is one.
std::optional<drop::DropRef> DropOfFolder(std::string_view folder) {
  std::vector<std::string_view> seg = core::Split(folder, '/');
  if (seg.size() != 3 || seg[0].empty() || seg[1].empty() || seg[2].empty()) return std::nullopt;
  return drop::DropRef{std::string(seg[0]), std::string(seg[1]), std::string(seg[2])};
}

uint64_t AutoPartRows(uint64_t rows) { return std::clamp<uint64_t>((rows + 3) / 4, 1, 50000); }

class Runner {
 public:
  Runner(const Organization& org, const TemplateRunOptions& o, const Value& tmpl)
      : org_(org),
        o_(o),
        tmpl_(tmpl),
        clock_(o.clock != nullptr ? *o.clock : core::SystemClock::Instance()) {}

  core::Result<TemplateRunResult> Run() {
    ASSIGN_OR_RETURN(week_, WeekIndex(org_, o_.week));
    for (const Tenant& t : org_.tenants) {
      if (core::EqualsIgnoreCase(t.id, o_.tenant)) tenant_ = &t;
    }
    if (tenant_ == nullptr) {
      return core::InvalidArgumentError(
          fmt::format("tenant {} is not a tenant of the world in {}", o_.tenant, o_.dir.string()));
    }
    staging_account_ = o_.staging_account_url.empty()
                           ? "file://" + (o_.dir / "staging-account").string()
                           : o_.staging_account_url;
    arm::DeploymentContext ctx;
    ctx.tenant_id = tenant_->id;
    ctx.reference = [this](std::string_view id) -> core::Result<Value> {
      if (id.find("/Microsoft.Storage/storageAccounts/") != std::string_view::npos) {
        return Value{{"primaryEndpoints", {{"blob", staging_account_}}}};
      }
      if (id.find("/Microsoft.DataFactory/factories/") != std::string_view::npos) {
        return Value{{"identity", {{"principalId", "00000000-0000-0000-0000-00000000adf0"}}}};
      }
      return core::InvalidArgumentError(fmt::format("reference({}): not simulated", id));
    };
    scope_ = std::make_unique<arm::TemplateScope>(tmpl_, o_.parameters, ctx);
    RETURN_IF_ERROR(Deploy());
    result_.factory_name = factory_name_;
    if (o_.transport == nullptr) {
      owned_transport_ = std::make_unique<http::CurlTransport>();
      transport_ = owned_transport_.get();
    } else {
      transport_ = o_.transport;
    }
    if (authority_.empty()) authority_ = o_.authority;
    if (authority_.empty()) {
      auto partner = LoadJson(o_.dir / "partner.json");
      if (partner.ok()) authority_ = Text(FindProperty(*partner, "authority"));
    }

    result_.run_id = core::NewUuid();
    submitted_ = clock_.Now();
    // The trigger fires on the Sunday after the week, 02:00 UTC.
    const core::TimePoint fire =
        core::TimePoint(org_.WeekStart(week_) + std::chrono::days{7}) + std::chrono::hours(2);
    adf_.trigger = {{"scheduledTime", core::FormatIso8601(fire)},
                    {"startTime", core::FormatIso8601(fire)},
                    {"name", trigger_name_}};
    Value params = Value::object();
    if (const Value* decl = FindProperty(pipeline_, "parameters"); decl && decl->is_object()) {
      for (auto it = decl->begin(); it != decl->end(); ++it) {
        const Value* def = FindProperty(*it, "defaultValue");
        params[it.key()] = def != nullptr ? *def : Value();
      }
    }
    adf_.pipeline = {{"RunId", result_.run_id},      {"Pipeline", pipeline_name_},
                     {"DataFactory", factory_name_}, {"TriggerTime", core::FormatIso8601(fire)},
                     {"TriggerName", trigger_name_}, {"parameters", params}};
    for (auto it = trigger_params_.begin(); it != trigger_params_.end(); ++it) {
      ASSIGN_OR_RETURN(Value v, EvalAdf(*it, adf_));
      adf_.pipeline["parameters"][it.key()] = std::move(v);
    }
    const Value* activities = FindProperty(pipeline_, "activities");
    if (activities == nullptr || !activities->is_array()) {
      return core::InvalidArgumentError("the pipeline has no activities array");
    }
    bool failed = false;
    RETURN_IF_ERROR(RunActivities(*activities, failed));
    result_.status = failed ? "Failed" : "Succeeded";
    RETURN_IF_ERROR(RecordDrops());
    return std::move(result_);
  }

 private:
  static core::Result<Value> LoadJson(const std::filesystem::path& p) {
    return arm::LoadJsonFile(p);
  }

  // Finds the factory's pipeline, trigger, datasets, linked services and vault secrets.
  core::Status Deploy() {
    const Value* pipeline = nullptr;
    const Value* trigger = nullptr;
    for (const Value* r : arm::FlattenResources(tmpl_)) {
      const std::string type = core::ToLower(Text(FindProperty(*r, "type")));
      if (type.rfind("microsoft.datafactory/factories", 0) != 0 &&
          type != "microsoft.keyvault/vaults/secrets") {
        continue;
      }
      ASSIGN_OR_RETURN(Value name, scope_->Resolve(*FindProperty(*r, "name")));
      const std::string short_name = LastSegment(name.get<std::string>());
      if (type == "microsoft.datafactory/factories") {
        factory_name_ = short_name;
        continue;
      }
      const Value* props = FindProperty(*r, "properties");
      if (props == nullptr) continue;
      if (type == "microsoft.keyvault/vaults/secrets") {
        ASSIGN_OR_RETURN(Value p, scope_->Resolve(*props));
        secrets_[short_name] = Text(FindProperty(p, "value"));
      } else if (type == "microsoft.datafactory/factories/linkedservices") {
        ASSIGN_OR_RETURN(linked_services_[short_name], scope_->Resolve(*props));
      } else if (type == "microsoft.datafactory/factories/datasets") {
        ASSIGN_OR_RETURN(datasets_[short_name], scope_->Resolve(*props));
      } else if (type == "microsoft.datafactory/factories/pipelines") {
        if (pipeline != nullptr) {
          return core::InvalidArgumentError("the template has more than one pipeline");
        }
        pipeline = r;
        pipeline_name_ = short_name;
      } else if (type == "microsoft.datafactory/factories/triggers") {
        trigger = r;
        trigger_name_ = short_name;
      }
    }
    if (pipeline == nullptr) {
      return core::InvalidArgumentError("the template has no Microsoft.DataFactory pipeline");
    }
    ASSIGN_OR_RETURN(pipeline_, scope_->Resolve(*FindProperty(*pipeline, "properties")));
    if (trigger != nullptr) {
      ASSIGN_OR_RETURN(Value t, scope_->Resolve(*FindProperty(*trigger, "properties")));
      if (const Value* ps = FindProperty(t, "pipelines"); ps && ps->is_array()) {
        for (const Value& p : *ps) {
          const Value* pr = FindProperty(p, "pipelineReference");
          if (pr != nullptr && Text(FindProperty(*pr, "referenceName")) == pipeline_name_) {
            if (const Value* tp = FindProperty(p, "parameters")) trigger_params_ = *tp;
          }
        }
      }
    }
    return core::OkStatus();
  }

  core::Result<store::BlobStore*> OpenStore(const std::string& url) {
    if (auto given = o_.stores.find(url); given != o_.stores.end()) return given->second;
    auto it = stores_.find(url);
    if (it != stores_.end()) return it->second.get();
    ASSIGN_OR_RETURN(auto s, OpenPipelineStore(url));
    store::BlobStore* raw = s.get();
    stores_[url] = std::move(s);
    return raw;
  }

  // The store and folder a dataset reference points at.
  core::Result<Location> Resolve(const Value& ref, std::string_view activity) {
    const std::string name = Text(FindProperty(ref, "referenceName"));
    auto ds = datasets_.find(name);
    if (ds == datasets_.end()) {
      return core::InvalidArgumentError(
          fmt::format("activity {}: dataset {} is not in the template", activity, name));
    }
    Value params = Value::object();
    if (const Value* p = FindProperty(ref, "parameters"); p && p->is_object()) {
      ASSIGN_OR_RETURN(params, EvalAdf(*p, adf_));
    }
    adf_.dataset = &params;
    auto type_props = EvalAdf(ds->second.value("typeProperties", Value::object()), adf_);
    adf_.dataset = nullptr;
    if (!type_props.ok()) return type_props.status().WithContext("dataset " + name);
    const Value* loc = FindProperty(*type_props, "location");
    Location out;
    std::string container;
    if (loc != nullptr) {
      container = Text(FindProperty(*loc, "container"));
      out.folder = Text(FindProperty(*loc, "folderPath"));
    }
    while (!out.folder.empty() && out.folder.back() == '/') out.folder.pop_back();
    const Value* ls_ref = FindProperty(ds->second, "linkedServiceName");
    const std::string ls_name = ls_ref ? Text(FindProperty(*ls_ref, "referenceName")) : "";
    auto ls = linked_services_.find(ls_name);
    if (ls == linked_services_.end()) {
      return core::InvalidArgumentError(
          fmt::format("dataset {}: linked service {} is not in the template", name, ls_name));
    }
    const Value* tp = FindProperty(ls->second, "typeProperties");
    std::string url;
    if (const Value* sas = tp ? FindProperty(*tp, "sasUri") : nullptr) {
      if (sas->is_string()) {
        url = sas->get<std::string>();
      } else if (Text(FindProperty(*sas, "type")) == "AzureKeyVaultSecret") {
        const std::string secret = Text(FindProperty(*sas, "secretName"));
        auto it = secrets_.find(secret);
        if (it == secrets_.end()) {
          return core::InvalidArgumentError(fmt::format(
              "linked service {}: Key Vault secret {} is not in the template", ls_name, secret));
        }
        url = it->second;
      }
    } else if (const Value* endpoint = tp ? FindProperty(*tp, "serviceEndpoint") : nullptr) {
      url = Text(endpoint);
      out.staging = url.rfind(staging_account_, 0) == 0;
      while (!url.empty() && url.back() == '/') url.pop_back();
      url += "/" + container;
    }
    if (url.empty()) {
      return core::InvalidArgumentError(fmt::format(
          "linked service {}: vivasim reads blob stores from sasUri or serviceEndpoint only",
          ls_name));
    }
    ASSIGN_OR_RETURN(out.store, OpenStore(url));
    out.url = http::UrlWithoutQuery(url);
    return out;
  }

  // ---- activities ----

  core::Status RunActivities(const Value& activities, bool& failed) {
    std::map<std::string, std::string> status;  // name -> Succeeded|Failed|Skipped
    std::vector<const Value*> pending;
    for (const Value& a : activities) pending.push_back(&a);
    while (!pending.empty()) {
      bool progress = false;
      for (auto it = pending.begin(); it != pending.end();) {
        const Value& a = **it;
        const std::string name = Text(FindProperty(a, "name"));
        bool ready = true, run = true;
        if (const Value* deps = FindProperty(a, "dependsOn"); deps && deps->is_array()) {
          for (const Value& d : *deps) {
            const std::string dep = Text(FindProperty(d, "activity"));
            auto s = status.find(dep);
            if (s == status.end()) {
              ready = false;
              break;
            }
            bool met = false;
            for (const Value& c : d.value("dependencyConditions", Value::array())) {
              const std::string cond = c.is_string() ? c.get<std::string>() : "";
              met = met || cond == s->second ||
                    (cond == "Completed" && (s->second == "Succeeded" || s->second == "Failed"));
            }
            run = run && met;
          }
        }
        if (!ready) {
          ++it;
          continue;
        }
        ActivityRun ar;
        ar.name = name;
        ar.type = Text(FindProperty(a, "type"));
        ar.status = "Skipped";
        std::string counts_as;  // what its dependents see, when not its status
        if (run && Inactive(a)) {
          // ADF's deactivated activity: not run, seen by its dependents as onInactiveMarkAs.
          ar.status = "Inactive";
          counts_as = a.value("onInactiveMarkAs", std::string("Succeeded"));
        } else if (run) {
          injected_ = false;
          auto output = RunActivity(a);
          if (output.ok()) {
            ar.status = "Succeeded";
          } else {
            ar.status = "Failed";
            ar.failure = output.status();
            ar.error = output.status().ToString();
            ar.injected = injected_;
            failed = true;
          }
        }
        status[name] = counts_as.empty() ? ar.status : counts_as;
        result_.activities.push_back(ar);
        it = pending.erase(it);
        progress = true;
      }
      if (!progress) {
        return core::InvalidArgumentError(fmt::format(
            "activity {} depends on an activity that is not in its pipeline (or on a cycle)",
            Text(FindProperty(*pending.front(), "name"))));
      }
    }
    return core::OkStatus();
  }

  bool Inactive(const Value& a) const {
    if (Text(FindProperty(a, "state")) == "Inactive") return true;
    return o_.web == WebDelivery::kInactive && Text(FindProperty(a, "type")) == "WebActivity";
  }

  // Runs one activity; its output (for activity()) or why it failed.
  core::Result<Value> RunActivity(const Value& a) {
    const std::string name = Text(FindProperty(a, "name"));
    const std::string type = Text(FindProperty(a, "type"));
    const std::string run_id = core::NewUuid();
    const Value tp = a.value("typeProperties", Value::object());
    core::Result<Value> out = core::InternalError("unset");
    if (type == "Copy") {
      const Value* source = FindProperty(tp, "source");
      if (source != nullptr && Text(FindProperty(*source, "type")) == "Office365Source") {
        out = Extract(a, *source, run_id);
      } else {
        out = CopyBinary(a, tp);
      }
    } else if (type == "Delete") {
      out = DeleteFolder(a, tp);
    } else if (type == "WebActivity") {
      out = Web(a, tp);
    } else if (type == "IfCondition") {
      ASSIGN_OR_RETURN(Value cond, EvalAdf(tp.value("expression", Value()), adf_));
      const bool yes = cond.is_boolean() ? cond.get<bool>()
                                         : core::EqualsIgnoreCase(arm::ValueToText(cond), "true");
      const Value branch = tp.value(yes ? "ifTrueActivities" : "ifFalseActivities", Value::array());
      bool branch_failed = false;
      RETURN_IF_ERROR(RunActivities(branch, branch_failed));
      out = branch_failed ? core::Result<Value>(core::UnavailableError(
                                fmt::format("a {} activity failed", yes ? "true" : "false")))
                          : core::Result<Value>(Value{{"branch", yes}});
    } else {
      out = core::InvalidArgumentError(
          fmt::format("activity {}: type {} is not simulated", name, type));
    }
    Value record = {{"ActivityRunId", run_id},
                    {"Status", out.ok() ? "Succeeded" : "Failed"},
                    {"output", out.ok() ? *out : Value::object()}};
    if (!out.ok()) record["Error"] = {{"message", out.status().message()}};
    adf_.activities[name] = record;
    if (!out.ok()) return out.status().WithContext("activity " + name);
    return out;
  }

  core::Result<Location> Dataset(const Value& a, const char* which) {
    const Value* refs = FindProperty(a, which);
    if (refs == nullptr || !refs->is_array() || refs->empty()) {
      return core::InvalidArgumentError(
          fmt::format("activity {} has no {}", Text(FindProperty(a, "name")), which));
    }
    return Resolve((*refs)[0], Text(FindProperty(a, "name")));
  }

  // The Office 365 (Graph Data Connect) copy: vivasim's extraction into the sink folder.
  core::Result<Value> Extract(const Value& a, const Value& source, const std::string& run_id) {
    const Value* inputs = FindProperty(a, "inputs");
    if (inputs == nullptr || !inputs->is_array() || inputs->empty()) {
      return core::InvalidArgumentError("an Office 365 copy without an input dataset");
    }
    const std::string ds_name = Text(FindProperty((*inputs)[0], "referenceName"));
    auto ds = datasets_.find(ds_name);
    if (ds == datasets_.end()) return core::InvalidArgumentError("no dataset " + ds_name);
    const Value tprops = ds->second.value("typeProperties", Value::object());
    const std::string table = Text(FindProperty(tprops, "tableName"));
    ASSIGN_OR_RETURN(Location sink, Dataset(a, "outputs"));
    std::vector<std::string_view> seg = core::Split(sink.folder, '/');
    if (seg.size() != 3 || seg[0] != std::string_view(adf_.pipeline["RunId"].get<std::string>())) {
      return core::InvalidArgumentError(fmt::format(
          "the Office 365 copy writes to '{}', not <RunId>/<kind>/<tenant>", sink.folder));
    }
    const drop::DropRef ref{std::string(seg[0]), std::string(seg[1]), std::string(seg[2])};
    if (!core::EqualsIgnoreCase(ref.tenant_id, tenant_->id)) {
      return core::InvalidArgumentError(fmt::format(
          "the Office 365 copy of tenant {} writes under tenant {}", tenant_->id, ref.tenant_id));
    }
    const bool users = table == "BasicDataSet_v0.User_v1";
    const bool calendar = table == "BasicDataSet_v0.CalendarView_v0";
    RowShape shape = RowShape::kV1;
    std::string_view kind = drop::kMetricsKind;
    if (users) {
      kind = drop::kUsersKind;
    } else if (calendar) {
      kind = kCalendarKind;
    } else if (table == "VivaInsightsDataset_v0") {
      shape = RowShape::kV0;
    } else if (table != "VivaInsightsDataset_PersonReport_v1") {
      return core::InvalidArgumentError(fmt::format("table {} is not simulated", table));
    }
    const bool metrics = kind == drop::kMetricsKind;
    if (kind != ref.kind) {
      return core::InvalidArgumentError(
          fmt::format("table {} is copied under {}, not its own kind", table, ref.kind));
    }
    // The window the source asks for must be the week being delivered.
    if (!users) {
      ASSIGN_OR_RETURN(Value window, EvalAdf(source.value("startTime", Value("")), adf_));
      auto start = core::ParseIso8601(arm::ValueToText(window));
      if (!start.ok()) {
        return core::InvalidArgumentError(
            "the Office 365 copy has no startTime (run it from its trigger)");
      }
      ASSIGN_OR_RETURN(int w, WeekIndex(org_, std::chrono::floor<std::chrono::days>(*start)));
      if (w != week_) {
        return core::InvalidArgumentError(
            fmt::format("the copy's window starts in week {}, the run is for week {}", w, week_));
      }
    }
    std::optional<crypto::RsaPublicKey> inline_key;
    if (o_.inline_key) {
      auto reg = LoadRegistration(o_.dir, tenant_->id);
      if (!reg.ok()) {
        return core::FailedPreconditionError(
            "--inline-key: " + reg.status().message() +
            " (the pipeline wraps the inline File key with the registered partner key)");
      }
      ASSIGN_OR_RETURN(auto key, crypto::RsaPublicKey::FromJwk(reg->key));
      inline_key = std::move(key);
    }
    DropOutcome d;
    d.ref = ref;
    d.copy_activity_id = run_id;
    d.outcome = "complete";
    d.data_factory = factory_name_;
    // Fresh keys per copy activity, saved before anything refers to them.
    drop::DropKeys keys{crypto::AesKeyIv::Random(), crypto::AesKeyIv::Random()};
    RETURN_IF_ERROR(SaveRunKeys(o_.dir, {run_id, ref.run_id, tenant_->id, ref.kind, keys}));
    drop::DropMetadata m;
    m.copy_activity_id = run_id;
    m.job_submission_time = submitted_;
    const core::Date first_day = org_.WeekStart(week_);
    m.request_start = core::TimePoint(first_day);
    m.request_end = core::TimePoint(first_day + std::chrono::days{6});
    m.data_factory_name = factory_name_;
    m.tenant_id = tenant_->id;
    m.table_name = table;
    if (inline_key) {
      ASSIGN_OR_RETURN(auto wrapped, drop::WrapKey("File", keys.file, *inline_key));
      m.inline_key = std::move(wrapped);
    }
    Value output = {{"copyActivityId", run_id}, {"rowsRead", 0}, {"filesWritten", 0}};
    const bool errors = metrics && o_.fail == FailMode::kErrors;
    if (errors) {
      d.outcome = "errors";
      m.errors = fmt::format(
          "Operation on target {} failed: Failure happened on 'Source' side. "
          "ErrorCode=UserErrorFailedToReadData,Message=The extraction of week {} for tenant {} "
          "failed (injected by vivasim --fail errors).",
          Text(FindProperty(a, "name")), core::FormatDate(first_day), tenant_->id);
      std::string cols;
      for (const auto& c : ColumnNames(shape)) cols += (cols.empty() ? "" : ",") + c;
      m.columns_requested = cols;
      m.rows_extracted = 0;
    } else {
      core::StringSink rows;
      if (users) {
        ASSIGN_OR_RETURN(size_t n, WriteUsers(org_, tenant_->index, rows));
        (void)n;
      } else if (calendar) {
        ASSIGN_OR_RETURN(CalendarWeek written,
                         WriteCalendarWeek(org_, tenant_->index, week_, rows));
        (void)written;
      } else {
        ASSIGN_OR_RETURN(size_t n, WriteWeek(org_, tenant_->index, week_, shape, rows));
        (void)n;
      }
      std::string& jsonl = rows.data();
      const uint64_t lines = static_cast<uint64_t>(std::count(jsonl.begin(), jsonl.end(), '\n'));
      drop::DropWriteOptions wo;
      if (calendar) wo.encrypted_fields.clear();  // no top-level PII column to encrypt
      wo.part_rows = o_.part_rows > 0 ? o_.part_rows : AutoPartRows(lines);
      if (metrics && o_.fail == FailMode::kPartial && lines >= 2) {
        wo.part_rows = std::min<uint64_t>(wo.part_rows, (lines + 1) / 2);  // >= 2 parts to split
      }
      auto written = drop::WriteDropParts(*sink.store, ref, jsonl, keys, wo);
      core::SecureWipe(jsonl.data(), jsonl.size());
      jsonl.clear();
      if (!written.ok()) return written.status();
      d.rows = written->rows;
      d.parts = written->parts;
      drop::FillMetadataFromResult(*written, m);
      output["rowsRead"] = written->rows;
      output["filesWritten"] = written->parts + 1;
    }
    m.job_completion_time = clock_.Now();
    ASSIGN_OR_RETURN(auto props, drop::WriteMetadata(*sink.store, ref, m));
    (void)props;
    if (!sink.staging) NoteWritten(ref.metadata_path());
    drops_.push_back(d);
    shapes_[ref.ToString()] = metrics ? std::string(RowShapeName(shape)) : "";
    inline_keys_[ref.ToString()] = m.inline_key.has_value();
    if (errors) {
      // Graph Data Connect wrote its job metadata with Errors, and the activity fails.
      injected_ = true;
      return core::UnavailableError(fmt::format(
          "the extraction failed (injected by vivasim --fail errors); {} carries Errors",
          ref.metadata_path()));
    }
    return output;
  }

  core::Result<Value> CopyBinary(const Value& a, const Value& tp) {
    ASSIGN_OR_RETURN(Location from, Dataset(a, "inputs"));
    ASSIGN_OR_RETURN(Location to, Dataset(a, "outputs"));
    if (!to.staging) partner_store_ = to.store->Describe();
    const Value source = tp.value("source", Value::object());
    const Value settings = source.value("storeSettings", Value::object());
    const std::string wildcard = settings.value("wildcardFileName", std::string("*"));
    const bool recursive = settings.value("recursive", false);
    const std::string prefix = from.folder.empty() ? "" : from.folder + "/";
    ASSIGN_OR_RETURN(auto blobs, store::ListAll(*from.store, prefix));
    std::vector<std::string> names;
    for (const auto& b : blobs) {
      const std::string rel = b.name.substr(prefix.size());
      if (!recursive && rel.find('/') != std::string::npos) continue;
      if (WildcardMatch(wildcard, LastSegment(rel))) names.push_back(rel);
    }
    if (names.empty()) {
      return core::NotFoundError(
          fmt::format("no blob in {}/{} matches '{}'", from.url, from.folder, wildcard));
    }
    std::sort(names.begin(), names.end());
    // The fault options hit the data parts of the metrics drop on their way to the partner.
    const std::optional<drop::DropRef> drop_ref = DropOfFolder(from.folder);
    const bool metrics_parts = drop_ref && drop_ref->kind == drop::kMetricsKind && !to.staging &&
                               names.front().rfind("part-", 0) == 0;
    const std::string dest_prefix = to.folder.empty() ? "" : to.folder + "/";
    const bool early = metrics_parts && o_.metadata_early;
    if (early) {
      // One folder copy in no particular order: metadata.json lands first.
      const std::string meta = "metadata/JobMetadata/metadata.json";
      ASSIGN_OR_RETURN(std::string bytes, store::GetAll(*from.store, prefix + meta));
      ASSIGN_OR_RETURN(auto p, store::PutString(*to.store, dest_prefix + meta, bytes));
      (void)p;
      NoteWritten(dest_prefix + meta);
      if (o_.on_early_metadata) o_.on_early_metadata(*drop_ref, 0, names.size());
    }
    size_t limit = names.size();
    if (metrics_parts && o_.fail == FailMode::kPartial) {
      if (names.size() < 2) {
        return core::InvalidArgumentError(
            "--fail partial needs at least 2 rows to split into 2 parts");
      }
      limit = names.size() / 2;
    }
    uint64_t bytes_read = 0;
    for (size_t i = 0; i < limit; ++i) {
      ASSIGN_OR_RETURN(std::string bytes, store::GetAll(*from.store, prefix + names[i]));
      if (metrics_parts && o_.fail == FailMode::kCorrupt && names[i] == "part-00000.json.gz") {
        const size_t n = std::min<size_t>(8, bytes.size());
        const size_t at = bytes.size() / 2 >= n / 2 ? bytes.size() / 2 - n / 2 : 0;
        for (size_t k = 0; k < n; ++k) bytes[at + k] = static_cast<char>(bytes[at + k] ^ 0x5A);
        corrupted_.insert(from.folder);
      }
      bytes_read += bytes.size();
      ASSIGN_OR_RETURN(auto p, store::PutString(*to.store, dest_prefix + names[i], bytes));
      (void)p;
      if (!to.staging) NoteWritten(dest_prefix + names[i]);
      if (early && o_.on_early_metadata) o_.on_early_metadata(*drop_ref, i + 1, names.size());
    }
    if (limit < names.size()) {
      partial_.insert(from.folder);
      injected_ = true;
      return core::UnavailableError(
          fmt::format("the copy failed after {} of {} files (injected by vivasim --fail partial)",
                      limit, names.size()));
    }
    return Value{{"filesRead", limit}, {"filesWritten", limit}, {"dataRead", bytes_read}};
  }

  // A blob the run wrote outside staging (what reached the partner).
  void NoteWritten(const std::string& name) { written_.insert(name); }

  core::Result<Value> DeleteFolder(const Value& a, const Value& tp) {
    const Value* ds = FindProperty(tp, "dataset");
    if (ds == nullptr) return core::InvalidArgumentError("a Delete activity without a dataset");
    ASSIGN_OR_RETURN(Location where, Resolve(*ds, Text(FindProperty(a, "name"))));
    if (where.folder.empty()) {
      return core::InvalidArgumentError("refusing to delete a whole container");
    }
    ASSIGN_OR_RETURN(auto blobs, store::ListAll(*where.store, where.folder + "/"));
    int64_t deleted = 0;
    for (const auto& b : blobs) {
      core::Status st = where.store->Delete(b.name);
      if (!st.ok() && st.code() != core::StatusCode::kNotFound) return st;
      ++deleted;
    }
    return Value{{"filesDeleted", deleted}};
  }

  core::Result<Value> Web(const Value& a, const Value& tp) {
    ASSIGN_OR_RETURN(Value url, EvalAdf(tp.value("url", Value("")), adf_));
    ASSIGN_OR_RETURN(Value body, EvalAdf(tp.value("body", Value::object()), adf_));
    ASSIGN_OR_RETURN(Value headers, EvalAdf(tp.value("headers", Value::object()), adf_));
    if (o_.web == WebDelivery::kNotifier) return Notify(body);
    http::Request req;
    req.method = tp.value("method", std::string("POST"));
    req.url = arm::ValueToText(url);
    req.body = body.is_string() ? body.get<std::string>() : body.dump();
    req.timeout = std::chrono::seconds(60);
    for (auto it = headers.begin(); it != headers.end(); ++it) {
      req.headers[it.key()] = arm::ValueToText(*it);
    }
    const Value auth = tp.value("authentication", Value::object());
    if (Text(FindProperty(auth, "type")) == "MSI") {
      ASSIGN_OR_RETURN(Value resource, EvalAdf(auth.value("resource", Value("")), adf_));
      EntraIssuer issuer(o_.dir / "entra");
      TokenRequest tr;
      tr.authority = authority_;
      tr.tenant = tenant_->id;
      tr.resource = arm::ValueToText(resource);
      tr.flaw = o_.token_flaw;
      tr.now = clock_.Now();
      ASSIGN_OR_RETURN(std::string token, issuer.IssueToken(tr));
      req.headers["Authorization"] = "Bearer " + token;
    }
    const Value policy = a.value("policy", Value::object());
    const int attempts = 1 + std::clamp(policy.value("retry", 0), 0, 5);
    const int times = o_.duplicate_notify ? 2 : 1;
    int status = 0;
    std::string answer;
    for (int t = 0; t < times; ++t) {
      for (int i = 0; i < attempts; ++i) {
        auto res = transport_->Send(req);
        status = res.ok() ? res->status : 0;
        answer = res.ok() ? res->body.substr(0, 300) : res.status().message();
        // 4xx other than 408/429 is final: the partner refused this call.
        if (status / 100 == 2 || (status / 100 == 4 && status != 408 && status != 429)) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
      if (status / 100 != 2) break;
      if (const Value* mp = FindProperty(body, "MetadataPath")) ++notified_[Text(mp)];
    }
    if (status / 100 != 2) {
      return core::UnavailableError(fmt::format("{} {} answered {}: {}", req.method,
                                                http::UrlWithoutQuery(req.url), status, answer));
    }
    return Value{{"statusCode", status}, {"response", answer}};
  }

  // The Web activity's body through TemplateRunOptions::notifier (which retries by itself).
  core::Result<Value> Notify(const Value& body) {
    if (o_.notifier == nullptr) {
      return core::InvalidArgumentError("WebDelivery::kNotifier without a notifier");
    }
    Notification n;
    n.tenant_id = arm::ValueToText(body.value("TenantId", Value("")));
    n.run_id = arm::ValueToText(body.value("RunId", Value("")));
    n.container = arm::ValueToText(body.value("Container", Value("")));
    n.metadata_path = arm::ValueToText(body.value("MetadataPath", Value("")));
    n.copy_activity_id = arm::ValueToText(body.value("CopyActivityId", Value("")));
    const int times = o_.duplicate_notify ? 2 : 1;
    for (int t = 0; t < times; ++t) {
      RETURN_IF_ERROR(o_.notifier->Notify(n));
      ++notified_[n.metadata_path];
    }
    return Value{{"notifications", times}};
  }

  // D/runs.jsonl, one line per extracted drop.
  core::Status RecordDrops() {
    for (DropOutcome& d : drops_) {
      // What reached the partner: the blobs the run wrote outside staging (counted as they were
      // written: a create+write SAS cannot list).
      d.metadata_written = written_.contains(d.ref.metadata_path());
      for (auto it = written_.lower_bound(d.ref.prefix() + "part-");
           it != written_.end() && it->rfind(d.ref.prefix() + "part-", 0) == 0; ++it) {
        ++d.parts_copied;
      }
      const std::string folder = d.ref.run_id + "/" + d.ref.kind + "/" + d.ref.tenant_id;
      if (corrupted_.contains(folder)) d.outcome = "corrupt";
      if (partial_.contains(folder)) d.outcome = "partial";
      d.notifications = notified_[d.ref.metadata_path()];
      ordered_json line = {
          {"time", core::FormatIso8601Millis(clock_.Now())},
          {"runId", d.ref.run_id},
          {"copyActivityId", d.copy_activity_id},
          {"tenantId", d.ref.tenant_id},
          {"kind", d.ref.kind},
          {"week", core::FormatDate(org_.WeekStart(week_))},
          {"shape", shapes_[d.ref.ToString()]},
          {"outcome", d.outcome},
          {"rows", d.rows},
          {"parts", d.parts},
          {"partsCopied", d.parts_copied},
          {"metadataWritten", d.metadata_written},
          {"inlineKey", inline_keys_[d.ref.ToString()]},
          {"notifications", d.notifications},
          {"store", partner_store_},
          {"template", o_.template_path.empty() ? std::string("mainTemplate.json (shipped)")
                                                : o_.template_path.filename().string()}};
      RETURN_IF_ERROR(AppendJsonLine(o_.dir / "runs.jsonl", line));
      result_.drops.push_back(d);
    }
    return core::OkStatus();
  }

  const Organization& org_;
  const TemplateRunOptions& o_;
  const Value& tmpl_;
  const core::Clock& clock_;
  int week_ = 0;
  const Tenant* tenant_ = nullptr;
  std::string staging_account_;
  std::string authority_;
  std::unique_ptr<arm::TemplateScope> scope_;
  std::string factory_name_, pipeline_name_, trigger_name_;
  Value pipeline_;
  Value trigger_params_ = Value::object();
  std::map<std::string, Value> linked_services_, datasets_;
  std::map<std::string, std::string> secrets_;
  std::map<std::string, std::unique_ptr<store::BlobStore>> stores_;
  std::unique_ptr<http::HttpTransport> owned_transport_;
  http::HttpTransport* transport_ = nullptr;
  AdfScope adf_;
  std::vector<DropOutcome> drops_;
  std::set<std::string> corrupted_, partial_;
  std::set<std::string> written_;              // blobs written outside staging, by name
  std::map<std::string, std::string> shapes_;  // drop -> row shape ("" for other kinds)
  std::map<std::string, bool> inline_keys_;    // drop -> File key inline
  std::string partner_store_;                  // Describe() of the store the drops reached
  core::TimePoint submitted_{};                // pipeline start (JobSubmissionTime)
  bool injected_ = false;  // the running activity failed by TemplateRunOptions::fail
  std::map<std::string, int> notified_;
  TemplateRunResult result_;
};

}  // namespace

core::Result<TemplateRunResult> RunTemplatePipeline(const Organization& org,
                                                    const TemplateRunOptions& options,
                                                    const Value& template_json) {
  Runner runner(org, options, template_json);
  return runner.Run();
}

core::Result<TemplateRunResult> RunTemplatePipeline(const Organization& org,
                                                    const TemplateRunOptions& options) {
  Value tmpl;
  if (options.template_path.empty()) {
    tmpl = Value::parse(ShippedTemplateJson(), nullptr, /*allow_exceptions=*/false);
    if (tmpl.is_discarded()) {
      return core::InternalError("the template compiled into vivasim is not JSON");
    }
  } else {
    ASSIGN_OR_RETURN(tmpl, arm::LoadJsonFile(options.template_path));
  }
  return RunTemplatePipeline(org, options, tmpl);
}

core::Result<TemplateRunResult> RunTemplateFromFiles(TemplateRunOptions options,
                                                     const std::filesystem::path& parameters_file) {
  ASSIGN_OR_RETURN(Organization org, LoadOrganization(options.dir));
  ASSIGN_OR_RETURN(Value file, arm::LoadJsonFile(parameters_file));
  auto values = arm::ParameterValues(file);
  if (!values.ok()) return values.status().WithContext(parameters_file.string());
  options.parameters = std::move(values).value();
  if (options.tenant.empty()) {
    if (org.tenants.size() != 1) {
      return core::InvalidArgumentError(
          fmt::format("the world has {} tenants: say with --tenant which one installed the package",
                      org.tenants.size()));
    }
    options.tenant = org.tenants[0].id;
  }
  return RunTemplatePipeline(org, options);
}

}  // namespace vivalink::sim

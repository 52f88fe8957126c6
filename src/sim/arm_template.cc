#include "sim/arm_template.h"

#include <fmt/format.h>

#include <chrono>

#include "core/file.h"
#include "core/strings.h"
#include "core/time.h"
#include "crypto/hash.h"

namespace vivalink::sim::arm {
namespace {

std::string JoinArgs(const std::vector<Value>& args) {
  std::string all;
  for (const Value& a : args) {
    all += ValueToText(a);
    all.push_back('\x1f');
  }
  return all;
}

// 13 characters of [a-z2-7], like Azure's uniqueString() (not its hash).
std::string UniqueString(const std::vector<Value>& args) {
  std::string digest = crypto::Sha256(JoinArgs(args));
  static constexpr char kAlphabet[] = "abcdefghijklmnopqrstuvwxyz234567";
  std::string out;
  for (size_t i = 0; i < 13; ++i) {
    out.push_back(kAlphabet[static_cast<unsigned char>(digest[i]) % 32]);
  }
  return out;
}

std::string Guid(const std::vector<Value>& args) {
  std::string hex = core::HexEncode(crypto::Sha256(JoinArgs(args)));
  hex[12] = '5';  // a name-based UUID
  return fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4),
                     hex.substr(16, 4), hex.substr(20, 12));
}

core::Result<std::string> Format(const std::vector<Value>& args) {
  if (args.empty() || !args[0].is_string()) {
    return core::InvalidArgumentError("format(): the first argument must be a format string");
  }
  const std::string& f = args[0].get_ref<const std::string&>();
  std::string out;
  for (size_t i = 0; i < f.size(); ++i) {
    if (f[i] == '{' && i + 1 < f.size() && f[i + 1] == '{') {
      out.push_back('{');
      ++i;
    } else if (f[i] == '}' && i + 1 < f.size() && f[i + 1] == '}') {
      out.push_back('}');
      ++i;
    } else if (f[i] == '{') {
      size_t end = f.find('}', i);
      if (end == std::string::npos) return core::InvalidArgumentError("format(): unclosed '{'");
      std::string_view index_text = std::string_view(f).substr(i + 1, end - i - 1);
      size_t index = 0;
      for (char c : index_text) {
        if (c < '0' || c > '9' || index > 1000) {
          return core::InvalidArgumentError("format(): placeholders are {0}, {1}, ...");
        }
        index = index * 10 + static_cast<size_t>(c - '0');
      }
      if (index_text.empty() || index + 1 >= args.size()) {
        return core::InvalidArgumentError(
            fmt::format("format(): placeholder {{{}}} has no argument", index_text));
      }
      out += ValueToText(args[index + 1]);
      i = end;
    } else {
      out.push_back(f[i]);
    }
  }
  return out;
}

std::vector<std::string> Segments(std::string_view s) {
  std::vector<std::string> out;
  for (std::string_view p : core::Split(s, '/')) out.emplace_back(p);
  return out;
}

core::Result<std::vector<std::string>> StringArgs(std::string_view fn,
                                                  const std::vector<Value>& args, size_t from) {
  std::vector<std::string> out;
  for (size_t i = from; i < args.size(); ++i) {
    if (!args[i].is_string()) {
      return core::InvalidArgumentError(
          fmt::format("{}(): argument {} must be a string", fn, i + 1));
    }
    out.push_back(args[i].get<std::string>());
  }
  return out;
}

bool LooksLikeType(const std::string& s) {
  // "Microsoft.Foo/bar": a namespace with a dot, then a slash.
  size_t slash = s.find('/');
  return slash != std::string::npos && s.substr(0, slash).find('.') != std::string::npos;
}

void FlattenInto(const Value& resources, std::vector<const Value*>& out) {
  if (!resources.is_array()) return;
  for (const Value& r : resources) {
    if (!r.is_object()) continue;
    out.push_back(&r);
    if (auto it = r.find("resources"); it != r.end()) FlattenInto(*it, out);
  }
}

}  // namespace

core::Result<Value> LoadJsonFile(const std::filesystem::path& path) {
  ASSIGN_OR_RETURN(std::string text, core::ReadFile(path));
  try {
    return Value::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    return core::InvalidArgumentError(
        fmt::format("{}: byte {}: not valid JSON ({})", path.string(), e.byte, e.what()));
  }
}

core::Result<Value> ParameterValues(const Value& file) {
  if (!file.is_object()) {
    return core::InvalidArgumentError("parameters: expected a JSON object");
  }
  const Value* params = FindProperty(file, "parameters");
  if (params == nullptr || !params->is_object()) {
    return file;  // plain {"name": value}
  }
  Value out = Value::object();
  for (auto it = params->begin(); it != params->end(); ++it) {
    const Value* v = FindProperty(*it, "value");
    if (!it->is_object() || v == nullptr) {
      return core::InvalidArgumentError(
          fmt::format("parameters: '{}' has no \"value\" (Key Vault references are not "
                      "supported here)",
                      it.key()));
    }
    out[it.key()] = *v;
  }
  return out;
}

core::Result<std::string> BuildResourceId(std::string_view prefix, std::string_view type,
                                          const std::vector<std::string>& names) {
  std::vector<std::string> t = Segments(type);
  if (t.size() < 2 || names.size() != t.size() - 1) {
    return core::InvalidArgumentError(fmt::format("resource type {} needs {} name segments, got {}",
                                                  type, t.size() < 2 ? 1 : t.size() - 1,
                                                  names.size()));
  }
  std::string id = fmt::format("{}/providers/{}/{}/{}", prefix, t[0], t[1], names[0]);
  for (size_t i = 2; i < t.size(); ++i) id += fmt::format("/{}/{}", t[i], names[i - 1]);
  return id;
}

std::vector<const Value*> FlattenResources(const Value& template_json) {
  std::vector<const Value*> out;
  if (auto it = template_json.find("resources"); it != template_json.end()) FlattenInto(*it, out);
  return out;
}

TemplateScope::TemplateScope(const Value& template_json, Value values, DeploymentContext context)
    : template_(template_json), values_(std::move(values)), context_(std::move(context)) {}

std::string TemplateScope::ResourceGroupId() const {
  return fmt::format("/subscriptions/{}/resourceGroups/{}", context_.subscription_id,
                     context_.resource_group);
}

core::Result<Value> TemplateScope::Placeholder(std::string_view name,
                                               const Value& declaration) const {
  std::string type = core::ToLower(declaration.value("type", "string"));
  if (type == "int") return Value(0);
  if (type == "bool") return Value(false);
  if (type == "object" || type == "secureobject") return Value::object();
  if (type == "array") return Value::array();
  return Value(fmt::format("<{}>", name));
}

core::Result<Value> TemplateScope::Parameter(std::string_view name) {
  for (auto& [k, v] : parameter_cache_) {
    if (core::EqualsIgnoreCase(k, name)) return v;
  }
  const Value* decls = FindProperty(template_, "parameters");
  const Value* decl = decls ? FindProperty(*decls, name) : nullptr;
  if (decl == nullptr) {
    return core::InvalidArgumentError(fmt::format("parameters('{}'): not declared", name));
  }
  std::string key = "p:" + core::ToLower(name);
  if (evaluating_.contains(key)) {
    return core::InvalidArgumentError(fmt::format("parameters('{}'): refers to itself", name));
  }
  Value value;
  if (const Value* given = FindProperty(values_, name)) {
    value = *given;
  } else if (const Value* def = FindProperty(*decl, "defaultValue")) {
    evaluating_.insert(key);
    auto r = Resolve(*def);
    evaluating_.erase(key);
    if (!r.ok()) return r.status().WithContext(fmt::format("default of parameter '{}'", name));
    value = std::move(r).value();
  } else if (context_.placeholders_for_missing) {
    ASSIGN_OR_RETURN(value, Placeholder(name, *decl));
  } else {
    return core::InvalidArgumentError(
        fmt::format("parameter '{}' has no value and no default: give it in the parameters "
                    "file",
                    name));
  }
  if (const Value* allowed = FindProperty(*decl, "allowedValues");
      allowed != nullptr && allowed->is_array() && !context_.placeholders_for_missing) {
    bool ok = false;
    for (const Value& a : *allowed) ok = ok || a == value;
    if (!ok) {
      return core::InvalidArgumentError(
          fmt::format("parameter '{}': the value is not one of its allowedValues", name));
    }
  }
  parameter_cache_[std::string(name)] = value;
  return value;
}

core::Result<Value> TemplateScope::Variable(std::string_view name) {
  for (auto& [k, v] : variable_cache_) {
    if (core::EqualsIgnoreCase(k, name)) return v;
  }
  const Value* decls = FindProperty(template_, "variables");
  const Value* decl = decls ? FindProperty(*decls, name) : nullptr;
  if (decl == nullptr) {
    return core::InvalidArgumentError(fmt::format("variables('{}'): not declared", name));
  }
  std::string key = "v:" + core::ToLower(name);
  if (evaluating_.contains(key)) {
    return core::InvalidArgumentError(fmt::format("variables('{}'): refers to itself", name));
  }
  evaluating_.insert(key);
  auto r = Resolve(*decl);
  evaluating_.erase(key);
  if (!r.ok()) return r.status().WithContext(fmt::format("variable '{}'", name));
  variable_cache_[std::string(name)] = *r;
  return r;
}

core::Result<Value> TemplateScope::Resolve(const Value& v) {
  if (v.is_string()) return EvaluateArmString(v.get_ref<const std::string&>(), *this);
  if (v.is_array()) {
    Value out = Value::array();
    for (const Value& x : v) {
      ASSIGN_OR_RETURN(Value r, Resolve(x));
      out.push_back(std::move(r));
    }
    return out;
  }
  if (v.is_object()) {
    Value out = Value::object();
    for (auto it = v.begin(); it != v.end(); ++it) {
      ASSIGN_OR_RETURN(Value r, Resolve(*it));
      out[it.key()] = std::move(r);
    }
    return out;
  }
  return v;
}

core::Result<std::string> TemplateScope::ResourceIdOf(const Value& resource) {
  const Value* type = FindProperty(resource, "type");
  const Value* name = FindProperty(resource, "name");
  if (type == nullptr || name == nullptr || !type->is_string()) {
    return core::InvalidArgumentError("a resource without type or name");
  }
  ASSIGN_OR_RETURN(Value n, Resolve(*name));
  if (!n.is_string()) return core::InvalidArgumentError("a resource name is not a string");
  std::string prefix = ResourceGroupId();
  if (const Value* scope = FindProperty(resource, "scope")) {
    ASSIGN_OR_RETURN(Value s, Resolve(*scope));
    if (!s.is_string()) return core::InvalidArgumentError("a resource scope is not a string");
    std::string sv = s.get<std::string>();
    prefix = sv.starts_with("/") ? sv : fmt::format("{}/providers/{}", prefix, sv);
  }
  return BuildResourceId(prefix, type->get<std::string>(), Segments(n.get<std::string>()));
}

std::optional<core::Result<Value>> TemplateScope::Call(std::string_view name,
                                                       const std::vector<Value>& args) {
  std::string fn = core::ToLower(name);
  auto one_string = [&](std::string_view f) -> core::Result<std::string> {
    if (args.size() != 1 || !args[0].is_string()) {
      return core::InvalidArgumentError(fmt::format("{}(): takes one string", f));
    }
    return args[0].get<std::string>();
  };
  if (fn == "parameters") {
    auto n = one_string(name);
    if (!n.ok()) return n.status();
    return Parameter(*n);
  }
  if (fn == "variables") {
    auto n = one_string(name);
    if (!n.ok()) return n.status();
    return Variable(*n);
  }
  if (fn == "resourcegroup") {
    return Value{{"id", ResourceGroupId()},
                 {"name", context_.resource_group},
                 {"location", context_.location},
                 {"type", "Microsoft.Resources/resourceGroups"}};
  }
  if (fn == "subscription") {
    return Value{{"id", "/subscriptions/" + context_.subscription_id},
                 {"subscriptionId", context_.subscription_id},
                 {"tenantId", context_.tenant_id},
                 {"displayName", "vivasim"}};
  }
  if (fn == "deployment") {
    return Value{{"name", "vivalink-managed-app"}, {"properties", Value::object()}};
  }
  if (fn == "environment") {
    return Value{{"name", "AzureCloud"},
                 {"suffixes",
                  {{"storage", "core.windows.net"},
                   {"keyvaultDns", ".vault.azure.net"},
                   {"sqlServerHostname", ".database.windows.net"}}}};
  }
  if (fn == "resourceid" || fn == "subscriptionresourceid") {
    auto parts = StringArgs(name, args, 0);
    if (!parts.ok()) return parts.status();
    std::vector<std::string> a = std::move(parts).value();
    // An optional leading subscription id (and resource group) before the type.
    std::string sub = context_.subscription_id, group = context_.resource_group;
    size_t type_at = 0;
    while (type_at < a.size() && !LooksLikeType(a[type_at])) ++type_at;
    if (type_at == a.size()) {
      return core::InvalidArgumentError(fmt::format("{}(): no resource type", name));
    }
    if (fn == "resourceid") {
      if (type_at == 2) {
        sub = a[0];
        group = a[1];
      } else if (type_at == 1) {
        group = a[0];
      } else if (type_at != 0) {
        return core::InvalidArgumentError("resourceId(): too many arguments before the type");
      }
    } else if (type_at == 1) {
      sub = a[0];
    } else if (type_at != 0) {
      return core::InvalidArgumentError(
          "subscriptionResourceId(): too many arguments before the type");
    }
    std::string prefix = fn == "resourceid"
                             ? fmt::format("/subscriptions/{}/resourceGroups/{}", sub, group)
                             : fmt::format("/subscriptions/{}", sub);
    std::vector<std::string> names(a.begin() + static_cast<std::ptrdiff_t>(type_at) + 1, a.end());
    auto id = BuildResourceId(prefix, a[type_at], names);
    if (!id.ok()) return id.status().WithContext(std::string(name) + "()");
    return Value(*id);
  }
  if (fn == "extensionresourceid") {
    auto parts = StringArgs(name, args, 0);
    if (!parts.ok()) return parts.status();
    std::vector<std::string> a = std::move(parts).value();
    if (a.size() < 3) return core::InvalidArgumentError("extensionResourceId(): too few arguments");
    auto id = BuildResourceId(a[0], a[1], std::vector<std::string>(a.begin() + 2, a.end()));
    if (!id.ok()) return id.status();
    return Value(*id);
  }
  if (fn == "uniquestring") {
    if (args.empty()) return core::InvalidArgumentError("uniqueString(): needs an argument");
    return Value(UniqueString(args));
  }
  if (fn == "guid") {
    if (args.empty()) return core::InvalidArgumentError("guid(): needs an argument");
    return Value(Guid(args));
  }
  if (fn == "format") {
    auto s = Format(args);
    if (!s.ok()) return s.status();
    return Value(*s);
  }
  if (fn == "utcnow") {
    return Value(core::FormatIso8601(
        std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now())));
  }
  if (fn == "reference") {
    if (args.empty() || !args[0].is_string()) {
      return core::InvalidArgumentError("reference(): the first argument must be a resource id");
    }
    if (!context_.reference) {
      return core::FailedPreconditionError(
          "reference(): the state of deployed resources is not available here");
    }
    return context_.reference(args[0].get_ref<const std::string&>());
  }
  return std::nullopt;
}

}  // namespace vivalink::sim::arm

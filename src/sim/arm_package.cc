#include "sim/arm_package.h"

#include <fmt/format.h>

#include <functional>
#include <map>
#include <regex>
#include <set>

#include "core/strings.h"
#include "sim/arm_template.h"

namespace vivalink::sim::arm {
namespace {

struct Context {
  const Value& tmpl;
  std::vector<PackageFinding> findings;
  void Add(std::string check, std::string where, std::string message) {
    findings.push_back({std::move(check), std::move(where), std::move(message)});
  }
};

// Calls f(path, expression) for every ARM expression string below v.
void ForEachExpression(Context& c, const Value& v, const std::string& path,
                       const std::function<void(const std::string&, const Expr&)>& f) {
  if (v.is_string()) {
    ArmString s = ClassifyArmString(v.get_ref<const std::string&>());
    if (s.form != StringForm::kExpression) return;
    auto e = ParseExpression(s.body);
    if (!e.ok()) {
      c.Add("expression", path, e.status().message());
      return;
    }
    f(path, *e);
  } else if (v.is_array()) {
    for (size_t i = 0; i < v.size(); ++i) {
      ForEachExpression(c, v[i], fmt::format("{}[{}]", path, i), f);
    }
  } else if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) {
      ForEachExpression(c, *it, path.empty() ? it.key() : path + "." + it.key(), f);
    }
  }
}

// Names passed as a literal to fn ("parameters"/"variables") inside e.
std::set<std::string> NamesUsed(const Expr& e, std::string_view fn) {
  std::set<std::string> out;
  Walk(e, [&](const Expr& x) {
    if (x.kind == Expr::Kind::kCall && core::EqualsIgnoreCase(x.text, fn) && x.args.size() == 1 &&
        x.args[0].kind == Expr::Kind::kString) {
      out.insert(core::ToLower(x.args[0].text));
    }
  });
  return out;
}

std::map<std::string, std::string> Declared(const Value& tmpl, std::string_view section) {
  std::map<std::string, std::string> out;  // lower-case -> as written
  if (const Value* s = FindProperty(tmpl, section); s != nullptr && s->is_object()) {
    for (auto it = s->begin(); it != s->end(); ++it) out[core::ToLower(it.key())] = it.key();
  }
  return out;
}

void CheckDeclaredAndUsed(Context& c) {
  std::set<std::string> params_used, vars_used;
  // Uses anywhere but in a declaration's own name; a variable used only by an unused variable
  // still counts as used (ARM-TTK does the same).
  ForEachExpression(c, c.tmpl, "", [&](const std::string& path, const Expr& e) {
    for (const std::string& n : NamesUsed(e, "parameters")) {
      params_used.insert(n);
      if (!Declared(c.tmpl, "parameters").contains(n)) {
        c.Add("parameter-undeclared", path,
              fmt::format("parameters('{}') is not declared in \"parameters\"", n));
      }
    }
    for (const std::string& n : NamesUsed(e, "variables")) {
      vars_used.insert(n);
      if (!Declared(c.tmpl, "variables").contains(n)) {
        c.Add("variable-undeclared", path,
              fmt::format("variables('{}') is not declared in \"variables\"", n));
      }
    }
  });
  for (const auto& [lower, name] : Declared(c.tmpl, "parameters")) {
    if (!params_used.contains(lower)) {
      c.Add("parameter-unused", "parameters." + name,
            "declared but never used: remove it (and its UI output) or use it");
    }
  }
  for (const auto& [lower, name] : Declared(c.tmpl, "variables")) {
    if (!vars_used.contains(lower)) {
      c.Add("variable-unused", "variables." + name, "declared but never used: remove it");
    }
  }
}

void CheckDependsOn(Context& c) {
  DeploymentContext dc;
  dc.placeholders_for_missing = true;
  TemplateScope scope(c.tmpl, Value::object(), dc);
  std::vector<const Value*> resources = FlattenResources(c.tmpl);
  std::set<std::string> ids, names;
  for (const Value* r : resources) {
    auto id = scope.ResourceIdOf(*r);
    if (id.ok()) ids.insert(core::ToLower(*id));
    if (const Value* n = FindProperty(*r, "name")) {
      auto v = scope.Resolve(*n);
      if (v.ok() && v->is_string()) {
        std::string full = v->get<std::string>();
        names.insert(core::ToLower(full));
        size_t slash = full.rfind('/');
        names.insert(core::ToLower(slash == std::string::npos ? full : full.substr(slash + 1)));
      }
    }
  }
  for (size_t i = 0; i < resources.size(); ++i) {
    const Value* deps = FindProperty(*resources[i], "dependsOn");
    if (deps == nullptr) continue;
    if (!deps->is_array()) {
      c.Add("depends-on", fmt::format("resources[{}].dependsOn", i), "must be an array");
      continue;
    }
    for (size_t j = 0; j < deps->size(); ++j) {
      std::string where = fmt::format("resources[{}].dependsOn[{}]", i, j);
      auto v = scope.Resolve((*deps)[j]);
      if (!v.ok()) {
        c.Add("depends-on", where, v.status().message());
        continue;
      }
      if (!v->is_string()) {
        c.Add("depends-on", where, "must be a resource id or name");
        continue;
      }
      std::string target = core::ToLower(v->get<std::string>());
      if (!ids.contains(target) && !names.contains(target)) {
        c.Add("depends-on", where,
              fmt::format("{} is not a resource of this template", v->get<std::string>()));
      }
    }
  }
}

// The ARM type a UI element produces.
std::string ElementType(const Value& element) {
  std::string type = element.value("type", "");
  if (type == "Microsoft.Common.PasswordBox") return "securestring";
  if (type == "Microsoft.Common.CheckBox") return "bool";
  if (type == "Microsoft.Common.OptionsGroup" || type == "Microsoft.Common.DropDown") {
    const Value* c = FindProperty(element, "constraints");
    const Value* allowed = c ? FindProperty(*c, "allowedValues") : nullptr;
    if (allowed && allowed->is_array() && !allowed->empty()) {
      const Value* v = FindProperty(allowed->front(), "value");
      if (v && v->is_boolean()) return "bool";
      if (v && v->is_number_integer()) return "int";
    }
    return "string";
  }
  if (type == "Microsoft.Common.Slider") return "int";
  return "string";
}

void CollectElements(const Value& elements, std::map<std::string, const Value*>& out,
                     const std::string& prefix) {
  if (!elements.is_array()) return;
  for (const Value& e : elements) {
    if (!e.is_object()) continue;
    std::string name = core::ToLower(prefix + e.value("name", ""));
    out[name] = &e;
    if (const Value* nested = FindProperty(e, "elements")) {
      CollectElements(*nested, out, prefix + e.value("name", "") + ".");
    }
  }
}

void CheckUiOutputs(Context& c, const Value& ui) {
  const Value* params = FindProperty(ui, "parameters");
  const Value* outputs = params ? FindProperty(*params, "outputs") : nullptr;
  if (outputs == nullptr || !outputs->is_object()) {
    c.Add("ui-outputs", "parameters.outputs", "the UI definition has no outputs object");
    return;
  }
  // steps('s').x -> element; basics('x') -> basics element.
  std::map<std::string, const Value*> elements;
  if (const Value* basics = FindProperty(*params, "basics")) {
    CollectElements(*basics, elements, "basics.");
  }
  if (const Value* steps = FindProperty(*params, "steps"); steps && steps->is_array()) {
    for (const Value& s : *steps) {
      if (const Value* els = FindProperty(s, "elements")) {
        CollectElements(*els, elements, s.value("name", "") + ".");
      }
    }
  }
  const Value* decls = FindProperty(c.tmpl, "parameters");
  std::map<std::string, std::string> declared = Declared(c.tmpl, "parameters");
  for (auto it = outputs->begin(); it != outputs->end(); ++it) {
    std::string where = "outputs." + it.key();
    std::string lower = core::ToLower(it.key());
    if (!declared.contains(lower)) {
      c.Add("ui-outputs", where, "the template has no parameter of this name");
      continue;
    }
    std::string want = core::ToLower((*FindProperty(*decls, it.key())).value("type", ""));
    if (!it->is_string()) {
      c.Add("ui-outputs", where, "an output must be an expression string");
      continue;
    }
    ArmString s = ClassifyArmString(it->get<std::string>());
    std::string got = "string";
    if (s.form == StringForm::kExpression) {
      auto e = ParseExpression(s.body);
      if (!e.ok()) {
        c.Add("ui-outputs", where, e.status().message());
        continue;
      }
      // steps('name').element[.nested]: find the element for its type.
      std::vector<std::string> members;
      const Expr* x = &*e;
      while (x->kind == Expr::Kind::kMember) {
        members.insert(members.begin(), x->text);
        x = &x->args[0];
      }
      if (x->kind == Expr::Kind::kCall &&
          (core::EqualsIgnoreCase(x->text, "steps") || core::EqualsIgnoreCase(x->text, "basics"))) {
        std::string key;
        if (core::EqualsIgnoreCase(x->text, "basics")) {
          key = "basics.";
          if (x->args.size() == 1 && x->args[0].kind == Expr::Kind::kString) {
            members.insert(members.begin(), x->args[0].text);
          }
        } else if (x->args.size() == 1 && x->args[0].kind == Expr::Kind::kString) {
          key = x->args[0].text + ".";
        }
        // The longest element path that exists (a TextBox value has no members; a nested
        // section's element has one more level).
        const Value* element = nullptr;
        std::string path = key;
        for (const std::string& m : members) {
          path += (path == key ? "" : ".") + m;
          if (auto f = elements.find(core::ToLower(path)); f != elements.end()) {
            element = f->second;
          }
        }
        if (element == nullptr) {
          c.Add("ui-outputs", where,
                fmt::format("{} names no element of the UI definition", it->get<std::string>()));
          continue;
        }
        got = ElementType(*element);
      } else if (x->kind == Expr::Kind::kCall && core::EqualsIgnoreCase(x->text, "bool")) {
        got = "bool";
      } else if (x->kind == Expr::Kind::kCall && core::EqualsIgnoreCase(x->text, "int")) {
        got = "int";
      }
    }
    if (got != want) {
      c.Add("ui-outputs", where,
            fmt::format("the UI gives a {} but the template parameter is a {}", got, want));
    }
  }
  for (const auto& [lower, name] : declared) {
    bool found = false;
    for (auto it = outputs->begin(); it != outputs->end(); ++it) {
      found = found || core::ToLower(it.key()) == lower;
    }
    if (!found) {
      c.Add("ui-outputs", "parameters." + name, "the UI definition does not output this parameter");
    }
  }
}

bool IsSecureType(const Value& decl) {
  std::string t = core::ToLower(decl.value("type", ""));
  return t == "securestring" || t == "secureobject";
}

void CheckSecure(Context& c) {
  const Value* decls = FindProperty(c.tmpl, "parameters");
  if (decls == nullptr || !decls->is_object()) return;
  std::set<std::string> secure;
  for (auto it = decls->begin(); it != decls->end(); ++it) {
    if (!IsSecureType(*it)) continue;
    secure.insert(core::ToLower(it.key()));
    if (FindProperty(*it, "defaultValue") != nullptr) {
      c.Add("secure-default", "parameters." + it.key(),
            "a secure parameter must not have a defaultValue (it would ship in the package)");
    }
  }
  // Which parameters a variable reaches, transitively.
  const Value* vars = FindProperty(c.tmpl, "variables");
  std::map<std::string, std::set<std::string>> var_params, var_vars;
  if (vars != nullptr && vars->is_object()) {
    for (auto it = vars->begin(); it != vars->end(); ++it) {
      std::string v = core::ToLower(it.key());
      ForEachExpression(c, *it, "variables." + it.key(), [&](const std::string&, const Expr& e) {
        for (const std::string& p : NamesUsed(e, "parameters")) var_params[v].insert(p);
        for (const std::string& w : NamesUsed(e, "variables")) var_vars[v].insert(w);
      });
    }
  }
  std::function<bool(const std::string&, std::set<std::string>&)> var_is_secure =
      [&](const std::string& v, std::set<std::string>& seen) {
        if (!seen.insert(v).second) return false;
        for (const std::string& p : var_params[v]) {
          if (secure.contains(p)) return true;
        }
        for (const std::string& w : var_vars[v]) {
          if (var_is_secure(w, seen)) return true;
        }
        return false;
      };
  const Value* outputs = FindProperty(c.tmpl, "outputs");
  if (outputs == nullptr) return;
  // Parse errors here were reported by CheckDeclaredAndUsed already: collect them separately.
  Context scratch{c.tmpl, {}};
  ForEachExpression(scratch, *outputs, "outputs", [&](const std::string& path, const Expr& e) {
    for (const std::string& p : NamesUsed(e, "parameters")) {
      if (secure.contains(p)) {
        c.Add("secure-output", path, fmt::format("outputs the secure parameter '{}'", p));
      }
    }
    for (const std::string& v : NamesUsed(e, "variables")) {
      std::set<std::string> seen;
      if (var_is_secure(v, seen)) {
        c.Add("secure-output", path,
              fmt::format("variable '{}' carries a secure parameter into an output", v));
      }
    }
  });
}

void CheckApiVersions(Context& c) {
  static const std::regex kDate("^[0-9]{4}-[0-9]{2}-[0-9]{2}(-preview)?$");
  std::vector<const Value*> resources = FlattenResources(c.tmpl);
  for (size_t i = 0; i < resources.size(); ++i) {
    std::string where = fmt::format("resources[{}].apiVersion", i);
    const Value* v = FindProperty(*resources[i], "apiVersion");
    if (v == nullptr || !v->is_string()) {
      c.Add("api-version", where,
            "missing: give the literal API version the resource was written for");
    } else if (!std::regex_match(v->get<std::string>(), kDate)) {
      c.Add(
          "api-version", where,
          fmt::format("'{}' is not a literal date (YYYY-MM-DD[-preview])", v->get<std::string>()));
    }
    if (const Value* loc = FindProperty(*resources[i], "location"); loc && loc->is_string()) {
      ArmString s = ClassifyArmString(loc->get<std::string>());
      if (s.form == StringForm::kLiteral && !core::EqualsIgnoreCase(s.body, "global")) {
        c.Add("location", fmt::format("resources[{}].location", i),
              fmt::format("hard-coded location '{}': use parameters('location')", s.body));
      }
    }
  }
  Context scratch{c.tmpl, {}};
  ForEachExpression(scratch, c.tmpl, "", [&](const std::string& path, const Expr& e) {
    Walk(e, [&](const Expr& x) {
      if (x.kind != Expr::Kind::kCall || !core::EqualsIgnoreCase(x.text, "reference") ||
          x.args.size() < 2) {
        return;
      }
      if (x.args[1].kind != Expr::Kind::kString || !std::regex_match(x.args[1].text, kDate)) {
        c.Add("api-version", path, "reference() must be given a literal date as its apiVersion");
      }
    });
  });
}

}  // namespace

std::vector<PackageFinding> CheckPackage(const Value& main_template, const Value& ui_definition) {
  Context c{main_template, {}};
  if (!main_template.is_object()) {
    c.Add("expression", "", "mainTemplate.json is not a JSON object");
    return c.findings;
  }
  CheckDeclaredAndUsed(c);
  CheckDependsOn(c);
  CheckUiOutputs(c, ui_definition);
  CheckSecure(c);
  CheckApiVersions(c);
  return c.findings;
}

std::string FormatFindings(const std::vector<PackageFinding>& findings) {
  std::string out;
  for (const PackageFinding& f : findings) {
    out += fmt::format("{} at {}: {}\n", f.check, f.where, f.message);
  }
  return out;
}

}  // namespace vivalink::sim::arm

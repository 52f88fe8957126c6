// An ARM template deployment as far as vivasim needs one (PROTOCOL §10): the template's
// parameters (values given at install, else their defaults), its variables, and the deployment
// functions its expressions call — parameters(), variables(), resourceGroup(), subscription(),
// resourceId(), subscriptionResourceId(), extensionResourceId(), uniqueString(), guid(),
// format(), environment(), reference(), utcNow(), deployment().
//
// uniqueString() and guid() are deterministic (SHA-256 of their arguments) but are not Azure's
// hash: names differ from a real deployment, which nothing here compares against.
// reference() is answered by DeploymentContext::reference (vivasim's stand-ins for deployed
// resources); without one it fails with kFailedPrecondition.
// Thread-safety: a TemplateScope is used from one thread at a time.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "sim/arm_expression.h"

namespace vivalink::sim::arm {

struct DeploymentContext {
  std::string subscription_id = "00000000-0000-0000-0000-000000000001";
  std::string tenant_id = "00000000-0000-0000-0000-000000000002";
  std::string resource_group = "vivalink-managed";
  std::string location = "westeurope";
  // Runtime state of a deployed resource for reference(id); null = reference() is refused.
  std::function<core::Result<Value>(std::string_view resource_id)> reference;
  // Parameters without a value and without a default: false = kInvalidArgument naming them;
  // true = a placeholder of the declared type ("<name>", 0, false, {}, []) — for the package
  // checks, which evaluate names without an installation.
  bool placeholders_for_missing = false;
};

// Reads a JSON file. kNotFound when missing; kInvalidArgument "<path>: byte N: <reason>" when it
// is not JSON.
core::Result<Value> LoadJsonFile(const std::filesystem::path& path);

// Parameter values as an ARM parameters file has them ({"parameters": {"x": {"value": v}}}) or
// as a plain object ({"x": v}); kInvalidArgument otherwise.
core::Result<Value> ParameterValues(const Value& file);

class TemplateScope final : public FunctionScope {
 public:
  // template_json must outlive the scope. values: plain object name -> value.
  TemplateScope(const Value& template_json, Value values, DeploymentContext context);

  std::optional<core::Result<Value>> Call(std::string_view name,
                                          const std::vector<Value>& args) override;

  // The value of parameter / variable name (defaults evaluated, values checked against
  // allowedValues). kInvalidArgument for an undeclared name, a missing required value or a cycle.
  core::Result<Value> Parameter(std::string_view name);
  core::Result<Value> Variable(std::string_view name);

  // Evaluates every ARM expression inside v (strings, recursively); ADF strings stay as they are.
  core::Result<Value> Resolve(const Value& v);

  // The resource id of a template resource: "/subscriptions/S/resourceGroups/G/providers/" +
  // type and name segments interleaved; with a "scope" property the id is
  // "<scope id>/providers/<type>/<name>".
  core::Result<std::string> ResourceIdOf(const Value& resource);

  const DeploymentContext& context() const { return context_; }

 private:
  core::Result<Value> Placeholder(std::string_view name, const Value& declaration) const;
  std::string ResourceGroupId() const;

  const Value& template_;
  Value values_;
  DeploymentContext context_;
  std::map<std::string, Value> parameter_cache_;
  std::map<std::string, Value> variable_cache_;
  std::set<std::string> evaluating_;
};

// Builds "/subscriptions/.../providers/A/B/n1/C/n2" from a type "A/B/C" and names {n1, n2}.
// kInvalidArgument when the number of names does not match the type's segments.
core::Result<std::string> BuildResourceId(std::string_view prefix, std::string_view type,
                                          const std::vector<std::string>& names);

// Every resource of a template, nested "resources" arrays flattened (children first-level names
// are taken as given: a nested resource must carry its full name, as ours do).
std::vector<const Value*> FlattenResources(const Value& template_json);

}  // namespace vivalink::sim::arm

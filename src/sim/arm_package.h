// Checks on the Managed Application package (mainTemplate.json + createUiDefinition.json), the
// ones ARM-TTK is known for, so a broken package fails a unit test instead of a customer's
// install:
//   "expression"       every ARM expression string parses
//   "parameter-unused" / "parameter-undeclared"   every parameter declared is used and every
//                      parameters('x') names a declared one
//   "variable-unused" / "variable-undeclared"     the same for variables
//   "depends-on"       every dependsOn entry names a resource of the template (by resource id,
//                      evaluated, or by name)
//   "ui-outputs"       the UI definition's outputs are exactly the template's parameters, and
//                      each output's type (from the element that produces it) matches
//   "secure-default"   no securestring/secureObject parameter has a defaultValue
//   "secure-output"    no template output reaches a secure parameter (directly or through
//                      variables)
//   "api-version"      every resource's apiVersion, and every apiVersion given to reference(),
//                      is a literal date (YYYY-MM-DD[-preview])
//   "location"         no resource location is a hard-coded literal (except "global")
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include "sim/arm_expression.h"

namespace vivalink::sim::arm {

struct PackageFinding {
  std::string check;    // one of the names above
  std::string where;    // a JSON path, e.g. "resources[3].dependsOn[0]" or "outputs.x"
  std::string message;  // what is wrong and what to do
};

std::vector<PackageFinding> CheckPackage(const Value& main_template, const Value& ui_definition);

// "check at where: message", one a line.
std::string FormatFindings(const std::vector<PackageFinding>& findings);

}  // namespace vivalink::sim::arm

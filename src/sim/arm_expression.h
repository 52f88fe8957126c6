// The expression languages of the Managed Application package (PROTOCOL §10): Azure Resource
// Manager template expressions ("[concat(parameters('a'), '/b')]") and the Azure Data Factory
// expressions its pipeline carries ("@concat(pipeline().RunId, '/VivaInsights/', ...)",
// "x @{pipeline().RunId} y"). Both share one grammar:
//
//   expr    := primary ( '.' name | '?.' name | '[' expr ']' | '?[' expr ']' )*
//   primary := 'string' ('' escapes a quote) | integer | decimal | name '(' [expr (',' expr)*] ')'
//            | true | false | null
//
// and differ in the functions they offer, which the caller supplies as a FunctionScope (the ARM
// deployment: parameters(), variables(), resourceGroup(), ...; the ADF run: pipeline(),
// activity(), dataset(), trigger(), ...). Functions common to both (concat, if, equals,
// formatDateTime, addDays, split, ...) are built in. Values are JSON (nlohmann::json); property
// names are matched case-insensitively, as both services do.
//
// Parsing never throws and is bounded: nesting deeper than kMaxDepth or text longer than
// kMaxLength is refused with kInvalidArgument naming the offset.
// Thread-safety: everything here is a pure function of its arguments.
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace vivalink::sim::arm {

using Value = nlohmann::json;

inline constexpr int kMaxDepth = 64;
inline constexpr size_t kMaxLength = 64 * 1024;

struct Expr {
  enum class Kind { kString, kInteger, kDecimal, kBool, kNull, kCall, kMember, kIndex };
  Kind kind = Kind::kNull;
  std::string text;        // kString: the value; kCall: function name; kMember: property name
  int64_t integer = 0;     // kInteger
  double decimal = 0;      // kDecimal
  bool boolean = false;    // kBool
  bool safe = false;       // kMember/kIndex written with '?': null instead of an error
  std::vector<Expr> args;  // kCall: arguments; kMember: {object}; kIndex: {object, index}
};

// Parses one expression (without the surrounding "[...]" or the leading '@').
// kInvalidArgument: "offset N: <what was expected>".
core::Result<Expr> ParseExpression(std::string_view text);

// Calls f on e and every sub-expression, parents first.
void Walk(const Expr& e, const std::function<void(const Expr&)>& f);

// How a JSON string of a template is read.
enum class StringForm {
  kLiteral,      // plain text (ARM "[[x]" and ADF "@@x" escapes are literal too)
  kExpression,   // ARM "[...]" or ADF "@..."
  kInterpolated  // ADF text holding "@{...}"
};
// ARM: "[...]" is an expression, "[[..." the literal "[...". body = the text to parse or the
// literal value.
struct ArmString {
  StringForm form;
  std::string body;
};
ArmString ClassifyArmString(std::string_view s);

// The functions a caller adds. Return nullopt for a name it does not know (the built-ins are
// tried next); otherwise the value or an error.
class FunctionScope {
 public:
  virtual ~FunctionScope() = default;
  virtual std::optional<core::Result<Value>> Call(std::string_view name,
                                                  const std::vector<Value>& args) = 0;
};

// Evaluates e. Unknown functions, wrong argument counts or types, missing properties (without
// '?.') and out-of-range indexes are kInvalidArgument naming the function or property.
core::Result<Value> Evaluate(const Expr& e, FunctionScope& scope);

// Parses and evaluates an ARM template string: expressions are evaluated, literals returned as
// JSON strings.
core::Result<Value> EvaluateArmString(std::string_view s, FunctionScope& scope);

// Parses and evaluates an ADF string: "@expr" gives the expression's value, "a@{e}b" the text
// with each "@{e}" replaced by the value as text ("@@" and "@{{"... are not special beyond
// "@@" at the start meaning a literal "@"), anything else the literal.
core::Result<Value> EvaluateAdfString(std::string_view s, FunctionScope& scope);

// The text form ADF and ARM give a value in string contexts: strings as is, numbers and bools
// as JSON, null as "", objects and arrays as compact JSON.
std::string ValueToText(const Value& v);

// Case-insensitive property lookup; nullptr when absent or v is not an object.
const Value* FindProperty(const Value& v, std::string_view name);

}  // namespace vivalink::sim::arm

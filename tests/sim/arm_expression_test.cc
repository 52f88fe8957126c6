// The ARM / ADF expression language: parsing, the built-in functions, ARM deployment functions
// and ADF string forms.
#include "sim/arm_expression.h"

#include <gtest/gtest.h>

#include "sim/arm_template.h"

namespace vivalink::sim::arm {
namespace {

class NoFunctions final : public FunctionScope {
 public:
  std::optional<core::Result<Value>> Call(std::string_view, const std::vector<Value>&) override {
    return std::nullopt;
  }
};

// pipeline() and activity() as an ADF run offers them.
class RunScope final : public FunctionScope {
 public:
  std::optional<core::Result<Value>> Call(std::string_view name,
                                          const std::vector<Value>& args) override {
    if (name == "pipeline") {
      return Value{{"RunId", "run-1"}, {"parameters", {{"TenantId", "t1"}, {"Flag", true}}}};
    }
    if (name == "activity" && args.size() == 1 && args[0] == "Copy") {
      return Value{{"output", {{"filesWritten", 3}}}, {"ActivityRunId", "act-9"}};
    }
    return std::nullopt;
  }
};

Value Eval(std::string_view text, FunctionScope& scope) {
  auto e = ParseExpression(text);
  EXPECT_TRUE(e.ok()) << text << ": " << e.status().ToString();
  if (!e.ok()) return Value("<parse error>");
  auto v = Evaluate(*e, scope);
  EXPECT_TRUE(v.ok()) << text << ": " << v.status().ToString();
  return v.ok() ? *v : Value("<eval error>");
}

TEST(ArmExpression, ParsesCallsMembersIndexesAndEscapedQuotes) {
  NoFunctions none;
  EXPECT_EQ(Eval("concat('a', 'it''s', 'b')", none), "ait'sb");
  EXPECT_EQ(Eval("split('a/b/c', '/')[1]", none), "b");
  EXPECT_EQ(Eval("json('{\"x\":{\"Y\":5}}').x.y", none), 5);
  EXPECT_EQ(Eval("json('{}')?.missing", none), Value());
  EXPECT_EQ(Eval("if(equals(1, 1), true, false)", none), true);
  EXPECT_EQ(Eval("  concat( 'a' ,'b' )  ", none), "ab");
  EXPECT_EQ(Eval("-3", none), -3);
}

TEST(ArmExpression, MalformedTextNamesTheOffset) {
  for (const char* text : {"concat('a'", "concat('a' 'b')", "'open", "a.b", "f(1)).x", "f(1)?x",
                           "99999999999999999999", ""}) {
    auto e = ParseExpression(text);
    ASSERT_FALSE(e.ok()) << text;
    EXPECT_EQ(e.status().code(), core::StatusCode::kInvalidArgument);
    EXPECT_NE(e.status().message().find("offset"), std::string::npos) << e.status().message();
  }
}

TEST(ArmExpression, DeepNestingIsRefusedNotOverflowed) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += "concat(";
  auto e = ParseExpression(text);
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("deeper than"), std::string::npos);
}

TEST(ArmExpression, UnknownFunctionAndMissingPropertyAreErrors) {
  NoFunctions none;
  auto e = ParseExpression("nosuch(1)");
  ASSERT_TRUE(e.ok());
  auto v = Evaluate(*e, none);
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find("unknown function nosuch()"), std::string::npos);
  auto m = ParseExpression("json('{}').x");
  ASSERT_TRUE(m.ok());
  EXPECT_FALSE(Evaluate(*m, none).ok());
}

TEST(ArmExpression, FormatDateTimeAndAddDaysUseDotNetFormats) {
  NoFunctions none;
  EXPECT_EQ(Eval("formatDateTime('2026-12-06T02:00:00Z', 'yyyy-MM-dd')", none), "2026-12-06");
  EXPECT_EQ(
      Eval("formatDateTime(addDays('2026-12-06T02:00:00Z', -7), 'yyyy-MM-ddTHH:mm:ssZ')", none),
      "2026-11-29T02:00:00Z");
  EXPECT_EQ(Eval("addDays('2026-12-31T00:00:00Z', 1)", none), "2027-01-01T00:00:00.0000000Z");
  EXPECT_EQ(Eval("formatDateTime('2026-01-02T03:04:05.678Z', 'yy/M/d h:mm:ss.fff tt')", none),
            "26/1/2 3:04:05.678 AM");
}

TEST(ArmExpression, AdfStringsEvaluateWholeExpressionsAndInterpolations) {
  RunScope run;
  EXPECT_EQ(*EvaluateAdfString("@concat(pipeline().RunId, '/VivaInsights/', "
                               "pipeline().parameters.TenantId)",
                               run),
            "run-1/VivaInsights/t1");
  EXPECT_EQ(*EvaluateAdfString("@pipeline().parameters.Flag", run), true);
  EXPECT_EQ(*EvaluateAdfString("run @{pipeline().RunId} wrote @{activity('Copy').output."
                               "filesWritten} files",
                               run),
            "run run-1 wrote 3 files");
  EXPECT_EQ(*EvaluateAdfString("@activity('Copy').ActivityRunId", run), "act-9");
  EXPECT_EQ(*EvaluateAdfString("@@literal", run), "@literal");
  EXPECT_EQ(*EvaluateAdfString("plain text", run), "plain text");
  EXPECT_FALSE(EvaluateAdfString("x @{pipeline().RunId", run).ok());
}

TEST(ArmTemplate, ParametersDefaultsVariablesAndResourceIds) {
  Value tmpl = Value::parse(R"({
    "parameters": {
      "name": {"type": "string"},
      "location": {"type": "string", "defaultValue": "[resourceGroup().location]"},
      "size": {"type": "string", "defaultValue": "S", "allowedValues": ["S", "M"]}
    },
    "variables": {
      "full": "[concat(parameters('name'), '-', uniqueString(resourceGroup().id))]",
      "again": "[variables('full')]",
      "loop": "[variables('loop')]"
    }
  })");
  DeploymentContext ctx;
  ctx.location = "northeurope";
  TemplateScope scope(tmpl, Value{{"name", "app"}}, ctx);
  EXPECT_EQ(*scope.Parameter("location"), "northeurope");
  auto full = scope.Variable("again");
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  EXPECT_EQ(full->get<std::string>().size(), std::string("app-").size() + 13);
  EXPECT_EQ(*scope.Variable("full"), *full);  // deterministic
  auto loop = scope.Variable("loop");
  ASSERT_FALSE(loop.ok());
  EXPECT_NE(loop.status().message().find("refers to itself"), std::string::npos);
  auto id = EvaluateArmString(
      "[resourceId('Microsoft.Storage/storageAccounts/blobServices/containers', 'acct', "
      "'default', 'c')]",
      scope);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_EQ(*id, "/subscriptions/" + ctx.subscription_id + "/resourceGroups/" + ctx.resource_group +
                     "/providers/Microsoft.Storage/storageAccounts/acct/blobServices/default/"
                     "containers/c");
  auto rid = scope.ResourceIdOf(
      Value{{"type", "Microsoft.Storage/storageAccounts/blobServices/containers"},
            {"name", "acct/default/c"}});
  ASSERT_TRUE(rid.ok());
  EXPECT_EQ(*rid, *id);
}

TEST(ArmTemplate, MissingRequiredParameterAndDisallowedValueAreRefused) {
  Value tmpl = Value::parse(R"({"parameters": {
      "name": {"type": "string"},
      "size": {"type": "string", "allowedValues": ["S", "M"]}}})");
  TemplateScope missing(tmpl, Value::object(), DeploymentContext{});
  auto p = missing.Parameter("name");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("no value and no default"), std::string::npos);
  TemplateScope bad(tmpl, Value{{"size", "XL"}}, DeploymentContext{});
  auto s = bad.Parameter("size");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("allowedValues"), std::string::npos);
}

TEST(ArmTemplate, ParametersFileFormsAreBothRead) {
  auto a = ParameterValues(Value::parse(R"({"parameters": {"x": {"value": 1}}})"));
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*a, Value({{"x", 1}}));
  auto b = ParameterValues(Value::parse(R"({"x": 1})"));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(*b, Value({{"x", 1}}));
  EXPECT_FALSE(ParameterValues(Value::parse(R"({"parameters": {"x": {"reference": {}}}})")).ok());
}

}  // namespace
}  // namespace vivalink::sim::arm

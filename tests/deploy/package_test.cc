// The Managed Application package as shipped passes every check, and each check catches the
// defect it is for (planted into a copy of the shipped files).
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

#include "core/strings.h"
#include "sim/arm_expression.h"
#include "sim/arm_package.h"
#include "sim/arm_template.h"
#include "testutil.h"

namespace vivalink::sim::arm {
namespace {

std::filesystem::path PackageDir() { return testutil::SourceDir() / "deploy" / "managed-app"; }

Value Template() {
  auto v = LoadJsonFile(PackageDir() / "mainTemplate.json");
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *v : Value::object();
}

Value Ui() {
  auto v = LoadJsonFile(PackageDir() / "createUiDefinition.json");
  EXPECT_TRUE(v.ok()) << v.status().ToString();
  return v.ok() ? *v : Value::object();
}

// The findings of one check only.
std::vector<PackageFinding> Of(const std::vector<PackageFinding>& all, std::string_view check) {
  std::vector<PackageFinding> out;
  std::copy_if(all.begin(), all.end(), std::back_inserter(out),
               [&](const PackageFinding& f) { return f.check == check; });
  return out;
}

Value& ResourceNamed(Value& tmpl, std::string_view suffix) {
  for (Value& r : tmpl["resources"]) {
    if (r["name"].get<std::string>().ends_with(suffix)) return r;
  }
  ADD_FAILURE() << "no resource named *" << suffix;
  return tmpl["resources"][0];
}

TEST(DeployPackage, ShippedPackagePassesEveryCheck) {
  std::vector<PackageFinding> findings = CheckPackage(Template(), Ui());
  EXPECT_TRUE(findings.empty()) << FormatFindings(findings);
}

TEST(DeployPackage, InvalidJsonNamesTheFileAndByte) {
  testutil::TempDir dir;
  testutil::WriteFile(dir / "mainTemplate.json", "{\n  \"parameters\": {,}\n}\n");
  auto v = LoadJsonFile(dir / "mainTemplate.json");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), core::StatusCode::kInvalidArgument);
  EXPECT_NE(v.status().message().find("mainTemplate.json: byte 20"), std::string::npos)
      << v.status().message();
}

TEST(DeployPackage, UnusedParameterIsReported) {
  Value t = Template();
  t["parameters"]["leftOver"] = {{"type", "string"}, {"defaultValue", "x"}};
  auto f = Of(CheckPackage(t, Ui()), "parameter-unused");
  ASSERT_EQ(f.size(), 1u) << FormatFindings(f);
  EXPECT_EQ(f[0].where, "parameters.leftOver");
}

TEST(DeployPackage, UndeclaredParameterIsReported) {
  Value t = Template();
  ResourceNamed(t, "/KeyVault')]")["properties"]["description"] = "[parameters('nowhere')]";
  auto f = Of(CheckPackage(t, Ui()), "parameter-undeclared");
  ASSERT_EQ(f.size(), 1u) << FormatFindings(f);
  EXPECT_NE(f[0].message.find("nowhere"), std::string::npos);
}

TEST(DeployPackage, UnusedVariableIsReported) {
  Value t = Template();
  t["variables"]["spare"] = "x";
  auto f = Of(CheckPackage(t, Ui()), "variable-unused");
  ASSERT_EQ(f.size(), 1u) << FormatFindings(f);
  EXPECT_EQ(f[0].where, "variables.spare");
}

TEST(DeployPackage, UndeclaredVariableIsReported) {
  Value t = Template();
  t["outputs"]["extra"] = {{"type", "string"}, {"value", "[variables('ghost')]"}};
  auto f = Of(CheckPackage(t, Ui()), "variable-undeclared");
  ASSERT_EQ(f.size(), 1u) << FormatFindings(f);
  EXPECT_EQ(f[0].where, "outputs.extra.value");
}

TEST(DeployPackage, UnparseableExpressionIsReported) {
  Value t = Template();
  t["outputs"]["broken"] = {{"type", "string"}, {"value", "[concat('a', variables('suffix')]"}};
  auto f = Of(CheckPackage(t, Ui()), "expression");
  ASSERT_EQ(f.size(), 1u) << FormatFindings(f);
  EXPECT_NE(f[0].message.find("offset"), std::string::npos);
}

TEST(DeployPackage, DependsOnAResourceNotInTheTemplateIsReported) {
  Value t = Template();
  ResourceNamed(t, "/PartnerFiles')]")["dependsOn"][0] =
      "[resourceId('Microsoft.DataFactory/factories/linkedservices', variables('factoryName'), "
      "'Partnr')]";
  auto f = Of(CheckPackage(t, Ui()), "depends-on");
  ASSERT_EQ(f.size(), 1u) << FormatFindings(f);
  EXPECT_NE(f[0].message.find("linkedservices/Partnr"), std::string::npos) << f[0].message;
}

TEST(DeployPackage, DependsOnByPlainNameResolves) {
  Value t = Template();
  ResourceNamed(t, "/PartnerFiles')]")["dependsOn"][0] = "Partner";
  EXPECT_TRUE(Of(CheckPackage(t, Ui()), "depends-on").empty());
}

TEST(DeployPackage, ParameterMissingFromUiOutputsIsReported) {
  Value ui = Ui();
  ui["parameters"]["outputs"].erase("notificationUrl");
  auto f = Of(CheckPackage(Template(), ui), "ui-outputs");
  ASSERT_EQ(f.size(), 1u) << FormatFindings(f);
  EXPECT_EQ(f[0].where, "parameters.notificationUrl");
}

TEST(DeployPackage, UiOutputWithoutParameterIsReported) {
  Value ui = Ui();
  ui["parameters"]["outputs"]["partnerSasURI"] = "[steps('partner').sasUrl]";
  auto f = Of(CheckPackage(Template(), ui), "ui-outputs");
  ASSERT_EQ(f.size(), 1u) << FormatFindings(f);
  EXPECT_EQ(f[0].where, "outputs.partnerSasURI");
}

TEST(DeployPackage, UiOutputOfTheWrongTypeIsReported) {
  // A TextBox gives a string; the template's exportUsers is a bool.
  Value ui = Ui();
  for (Value& step : ui["parameters"]["steps"]) {
    for (Value& e : step["elements"]) {
      if (e["name"] == "exportUsers") e["type"] = "Microsoft.Common.TextBox";
    }
  }
  auto f = Of(CheckPackage(Template(), ui), "ui-outputs");
  ASSERT_EQ(f.size(), 1u) << FormatFindings(f);
  EXPECT_EQ(f[0].where, "outputs.exportUsers");
  EXPECT_NE(f[0].message.find("string but the template parameter is a bool"), std::string::npos);
}

TEST(DeployPackage, SasUrlFromATextBoxIsATypeMismatch) {
  // The SAS URL must come from a PasswordBox (securestring), never a visible text box.
  Value ui = Ui();
  ui["parameters"]["steps"][0]["elements"][0]["type"] = "Microsoft.Common.TextBox";
  auto f = Of(CheckPackage(Template(), ui), "ui-outputs");
  ASSERT_EQ(f.size(), 1u) << FormatFindings(f);
  EXPECT_EQ(f[0].where, "outputs.partnerSasUrl");
}

TEST(DeployPackage, UiOutputNamingNoElementIsReported) {
  Value ui = Ui();
  ui["parameters"]["outputs"]["partnerContainer"] = "[steps('partner').containerName]";
  auto f = Of(CheckPackage(Template(), ui), "ui-outputs");
  ASSERT_EQ(f.size(), 1u) << FormatFindings(f);
  EXPECT_NE(f[0].message.find("names no element"), std::string::npos);
}

TEST(DeployPackage, SecureParameterWithDefaultIsReported) {
  Value t = Template();
  t["parameters"]["partnerSasUrl"]["defaultValue"] = "https://example/c?sp=cw";
  auto f = Of(CheckPackage(t, Ui()), "secure-default");
  ASSERT_EQ(f.size(), 1u) << FormatFindings(f);
  EXPECT_EQ(f[0].where, "parameters.partnerSasUrl");
}

TEST(DeployPackage, SecureParameterInAnOutputIsReported) {
  Value t = Template();
  t["outputs"]["leak"] = {{"type", "string"}, {"value", "[parameters('partnerSasUrl')]"}};
  auto f = Of(CheckPackage(t, Ui()), "secure-output");
  ASSERT_EQ(f.size(), 1u) << FormatFindings(f);
  EXPECT_EQ(f[0].where, "outputs.leak.value");
}

TEST(DeployPackage, SecureParameterReachingAnOutputThroughVariablesIsReported) {
  Value t = Template();
  t["variables"]["inner"] = "[concat('x', parameters('mgdcAppSecret'))]";
  t["variables"]["outer"] = "[toUpper(variables('inner'))]";
  t["outputs"]["leak"] = {{"type", "string"}, {"value", "[variables('outer')]"}};
  auto f = Of(CheckPackage(t, Ui()), "secure-output");
  ASSERT_EQ(f.size(), 1u) << FormatFindings(f);
  EXPECT_NE(f[0].message.find("outer"), std::string::npos);
}

TEST(DeployPackage, ApiVersionThatIsAnExpressionIsReported) {
  Value t = Template();
  t["variables"]["kvApi"] = "2023-07-01";
  ResourceNamed(t, "/KeyVault')]")["apiVersion"] = "[variables('kvApi')]";
  auto f = Of(CheckPackage(t, Ui()), "api-version");
  ASSERT_EQ(f.size(), 1u) << FormatFindings(f);
  EXPECT_NE(f[0].message.find("not a literal date"), std::string::npos);
}

TEST(DeployPackage, ReferenceWithoutLiteralApiVersionIsReported) {
  Value t = Template();
  t["variables"]["v"] = "2018-06-01";
  t["outputs"]["dataFactoryPrincipalId"]["value"] =
      "[reference(resourceId('Microsoft.DataFactory/factories', variables('factoryName')), "
      "variables('v'), 'full').identity.principalId]";
  auto f = Of(CheckPackage(t, Ui()), "api-version");
  ASSERT_EQ(f.size(), 1u) << FormatFindings(f);
  EXPECT_EQ(f[0].where, "outputs.dataFactoryPrincipalId.value");
}

TEST(DeployPackage, HardCodedLocationIsReported) {
  Value t = Template();
  t["resources"][0]["location"] = "East US 2";
  auto f = Of(CheckPackage(t, Ui()), "location");
  ASSERT_EQ(f.size(), 1u) << FormatFindings(f);
  EXPECT_EQ(f[0].where, "resources[0].location");
}

// The pieces PROTOCOL §10 asks of the template, found where ADF looks for them.
TEST(DeployPackage, TemplateHasTheFactoryPipelineAndWeeklyTrigger) {
  Value t = Template();
  Value& factory = ResourceNamed(t, "factoryName')]");
  EXPECT_EQ(factory["identity"]["type"], "SystemAssigned");
  Value& trigger = ResourceNamed(t, "variables('triggerName'))]");
  EXPECT_EQ(trigger["properties"]["typeProperties"]["recurrence"]["frequency"], "Day");
  EXPECT_EQ(trigger["properties"]["typeProperties"]["recurrence"]["interval"], 7);
  Value& pipeline = ResourceNamed(t, "variables('pipelineName'))]");
  const Value& acts = pipeline["properties"]["activities"];
  auto find = [&](std::string_view name) -> const Value* {
    for (const Value& a : acts) {
      if (a["name"] == name) return &a;
    }
    return nullptr;
  };
  // metadata.json in a copy of its own, after the parts.
  const Value* meta = find("CopyMetadataToPartner");
  ASSERT_NE(meta, nullptr);
  EXPECT_EQ(meta->at("dependsOn")[0]["activity"], "CopyPartsToPartner");
  // The Web activity authenticates with the factory's managed identity.
  const Value* notify = find("NotifyPartner");
  ASSERT_NE(notify, nullptr);
  EXPECT_EQ(notify->at("typeProperties")["authentication"]["type"], "MSI");
  for (const char* field : {"TenantId", "RunId", "Container", "MetadataPath", "CopyActivityId"}) {
    EXPECT_TRUE(notify->at("typeProperties")["body"].contains(field)) << field;
  }
  // Staging is deleted whether the chain succeeded, failed or was skipped.
  const Value* del = find("DeleteStaging");
  ASSERT_NE(del, nullptr);
  EXPECT_EQ(del->at("dependsOn")[0]["dependencyConditions"], Value({"Completed", "Skipped"}));
  // The SAS URL reaches the factory only through Key Vault.
  Value& partner = ResourceNamed(t, "/Partner')]");
  EXPECT_EQ(partner["properties"]["typeProperties"]["sasUri"]["type"], "AzureKeyVaultSecret");
}

// The UI definition's SAS checks, run the way the portal runs them: the regexes as ECMAScript,
// the isValid expression with the UI functions it uses.
class UiScope final : public FunctionScope {
 public:
  UiScope(std::string sas, std::string now) : sas_(std::move(sas)), now_(std::move(now)) {}
  std::optional<core::Result<Value>> Call(std::string_view name,
                                          const std::vector<Value>& args) override {
    if (name == "steps") return Value{{"sasUrl", sas_}};
    if (name == "utcNow") return Value(now_);
    if (name == "greater")
      return Value(args.at(0).get<std::string>() > args.at(1).get<std::string>());
    return std::nullopt;
  }

 private:
  std::string sas_, now_;
};

// The message of the first failed validation of the SAS element, "" when it passes.
std::string SasVerdict(const std::string& sas,
                       const std::string& now = "2026-12-07T11:00:00.000Z") {
  Value ui = Ui();
  const Value& element = ui["parameters"]["steps"][0]["elements"][0];
  EXPECT_EQ(element["name"], "sasUrl");
  for (const Value& v : element["constraints"]["validations"]) {
    if (v.contains("regex")) {
      if (!std::regex_search(sas, std::regex(v["regex"].get<std::string>()))) {
        return v["message"].get<std::string>();
      }
    } else {
      UiScope scope(sas, now);
      auto ok = EvaluateArmString(v["isValid"].get<std::string>(), scope);
      EXPECT_TRUE(ok.ok()) << ok.status().ToString();
      if (!ok.ok() || !ok->get<bool>()) return v["message"].get<std::string>();
    }
  }
  return "";
}

constexpr char kGoodSas[] =
    "https://partner.blob.core.windows.net/t1?sv=2022-11-02&sp=cw&se=2027-03-01T00%3A00%3A00Z&"
    "sr=c&sig=abc%3D";

TEST(DeployPackageUi, SasWithCreateWriteAndFutureExpiryIsAccepted) {
  EXPECT_EQ(SasVerdict(kGoodSas), "");
}

TEST(DeployPackageUi, SasOverPlainHttpIsRefused) {
  std::string sas = kGoodSas;
  sas.replace(0, 5, "http");
  EXPECT_NE(SasVerdict(sas).find("https://"), std::string::npos);
}

TEST(DeployPackageUi, SasWithReadOrListIsRefused) {
  for (const char* sp : {"sp=rcw", "sp=cwl", "sp=w", "sp=cwd"}) {
    std::string sas = kGoodSas;
    sas.replace(sas.find("sp=cw"), 5, sp);
    EXPECT_NE(SasVerdict(sas).find("exactly create and write"), std::string::npos) << sp;
  }
}

TEST(DeployPackageUi, ExpiredSasIsRefused) {
  EXPECT_NE(SasVerdict(kGoodSas, "2027-03-01T00:00:01.000Z").find("expired"), std::string::npos);
}

TEST(DeployPackageUi, SasWithoutExpiryIsRefused) {
  std::string sas = kGoodSas;
  sas.erase(sas.find("&se="), std::string("&se=2027-03-01T00%3A00%3A00Z").size());
  EXPECT_NE(SasVerdict(sas).find("expiry"), std::string::npos);
}

TEST(DeployPackageScript, BuildsTheSameZipWithBothFilesAtItsRoot) {
  testutil::TempDir dir;
  std::string script = (testutil::SourceDir() / "scripts" / "package-managed-app.sh").string();
  auto a = testutil::RunProgram({"/bin/bash", script, (dir / "a.zip").string()});
  ASSERT_EQ(a.exit_code, 0) << a.err;
  auto b = testutil::RunProgram({"/bin/bash", script, (dir / "b.zip").string()});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  std::string zip_a = testutil::ReadFile(dir / "a.zip");
  EXPECT_EQ(zip_a, testutil::ReadFile(dir / "b.zip")) << "the package is not reproducible";
  auto list = testutil::RunProgram({"/usr/bin/unzip", "-Z1", (dir / "a.zip").string()});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out, "mainTemplate.json\ncreateUiDefinition.json\n");
  auto extracted =
      testutil::RunProgram({"/usr/bin/unzip", "-p", (dir / "a.zip").string(), "mainTemplate.json"});
  EXPECT_EQ(extracted.out, testutil::ReadFile(PackageDir() / "mainTemplate.json"));
}

}  // namespace
}  // namespace vivalink::sim::arm

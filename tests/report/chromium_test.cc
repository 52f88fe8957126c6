// Renders a report of the sample person query in headless Chromium: the page must load without
// console errors, produce a real screenshot, and its DOM must hold every section heading.
// The screenshot is copied to <build>/report-screenshot.png for people to look at.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "analysis/load_csv.h"
#include "report/report.h"
#include "testutil.h"

namespace vivalink::report {
namespace {

namespace fs = std::filesystem;

constexpr char kChromium[] = "/usr/bin/chromium";
constexpr char kTimeout[] = "/usr/bin/timeout";

std::vector<std::string> ChromiumArgs(const fs::path& profile) {
  // Kill the whole browser (its process group) if it hangs, well inside the test's budget.
  return {kTimeout,
          "-k",
          "5",
          "25",
          kChromium,
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--disable-quic",
          "--no-first-run",
          "--disable-background-networking",
          "--disable-component-update",
          "--disable-sync",
          "--user-data-dir=" + profile.string(),
          "--enable-logging=stderr",
          "--v=0"};
}

// Console messages that report script errors; Chromium logs them as "...:CONSOLE(n)] ...".
std::vector<std::string> ConsoleErrors(const std::string& log) {
  std::vector<std::string> errors;
  size_t start = 0;
  while (start < log.size()) {
    size_t end = log.find('\n', start);
    if (end == std::string::npos) end = log.size();
    const std::string line = log.substr(start, end - start);
    if (line.find("CONSOLE") != std::string::npos &&
        (line.find("Uncaught") != std::string::npos || line.find("Error") != std::string::npos)) {
      errors.push_back(line);
    }
    start = end + 1;
  }
  return errors;
}

uint32_t BigEndian32(const std::string& s, size_t at) {
  return (static_cast<uint32_t>(static_cast<unsigned char>(s[at])) << 24) |
         (static_cast<uint32_t>(static_cast<unsigned char>(s[at + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<unsigned char>(s[at + 2])) << 8) |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 3]));
}

TEST(Chromium, RendersSampleReportWithoutConsoleErrors) {
  ASSERT_TRUE(fs::exists(kChromium))
      << kChromium << " is missing: run scripts/setup.sh (it installs the Debian package "
      << "chromium) to run the report rendering test";
  ASSERT_TRUE(fs::exists(kTimeout)) << kTimeout << " (coreutils) is missing";

  auto frame = analysis::LoadCsvFrame(testutil::SharedData("pq_data.csv").string());
  ASSERT_TRUE(frame.ok()) << frame.status().ToString();
  ReportOptions options;
  options.outcomes = {"After_hours_collaboration_hours"};
  options.metrics = {"After_hours_collaboration_hours", "Collaboration_hours", "Meeting_hours",
                     "Email_hours"};
  options.group_by = {"Organization"};
  options.tenants = {"sample tenant (pq_data.csv)"};
  options.title = "vivalink report: sample person query";
  options.generated_at = "2024-10-01T09:00:00Z";
  auto input = BuildReportInput(*frame, options);
  ASSERT_TRUE(input.ok()) << input.status().ToString();
  input->provenance = {{"5c90e1aa-0d3b-4c1e-9a53-2f0e7d1c9b11", "contoso", "VivaInsights",
                        "imported", 6900, "2024-10-01T08:55:12Z", ""},
                       {"a17f3e20-7c4d-4a8e-8f0b-91e2b3c4d5e6", "contoso", "AADUser", "failed", -1,
                        "2024-10-01T08:56:40Z",
                        "metadata.json: NumberOfRowsExtracted is 1200 but the data files hold "
                        "1187 rows; the drop was not imported"}};
  input->join = JoinSummary{"CRM accounts", "email", 320, 291, 300, 276};

  testutil::TempDir dir;
  const fs::path report = dir / "report.html";
  ASSERT_TRUE(WriteReport(*input, report).ok());

  const fs::path shot = dir / "shot.png";
  std::vector<std::string> args = ChromiumArgs(dir / "profile-shot");
  args.push_back("--screenshot=" + shot.string());
  args.push_back("--window-size=1280,2400");
  args.push_back("file://" + report.string());
  const testutil::RunResult run = testutil::RunProgram(args);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(ConsoleErrors(run.err), std::vector<std::string>{}) << run.err;

  ASSERT_TRUE(fs::exists(shot)) << "no screenshot; chromium said:\n" << run.err;
  const std::string png = testutil::ReadFile(shot);
  ASSERT_GT(png.size(), 40u * 1024) << "the screenshot is suspiciously small (blank page?)";
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_EQ(png.substr(12, 4), "IHDR");
  EXPECT_EQ(BigEndian32(png, 16), 1280u);
  EXPECT_EQ(BigEndian32(png, 20), 2400u);
  std::error_code ec;
  fs::copy_file(shot, testutil::BuildDir() / "report-screenshot.png",
                fs::copy_options::overwrite_existing, ec);
  EXPECT_FALSE(ec) << ec.message();
  fs::copy_file(report, testutil::BuildDir() / "report-sample.html",
                fs::copy_options::overwrite_existing, ec);

  std::vector<std::string> dom_args = ChromiumArgs(dir / "profile-dom");
  dom_args.push_back("--dump-dom");
  dom_args.push_back("file://" + report.string());
  const testutil::RunResult dom = testutil::RunProgram(dom_args);
  ASSERT_EQ(dom.exit_code, 0) << dom.err;
  EXPECT_EQ(ConsoleErrors(dom.err), std::vector<std::string>{}) << dom.err;
  for (const char* heading : {"Summary", "Drivers of key metrics", "Group heatmap", "Weekly trends",
                              "Data hygiene", "Drop provenance", "Partner join"}) {
    EXPECT_NE(dom.out.find(std::string("<h2>") + heading + "</h2>"), std::string::npos)
        << heading << " missing from the rendered DOM";
  }
  // The browser parsed the inline SVG as SVG (charts present in the DOM).
  EXPECT_NE(dom.out.find("<svg"), std::string::npos);
  EXPECT_NE(dom.out.find("Finance"), std::string::npos);
}

}  // namespace
}  // namespace vivalink::report

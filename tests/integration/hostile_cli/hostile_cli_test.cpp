// Issue 13 at the command line: deep nesting is an error, not SIGSEGV (item
// 1); every --json command prints a JSON error object when it fails (item
// 19); a refused plugin fails `plugins list` (item 19); rows of a sector
// without a plugin are reported (item 21).
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/cli_run.hpp"

namespace {

namespace fs = std::filesystem;
using cli_test::run_clv;

std::string temp(const std::string& name) {
  return (fs::path(testing::TempDir()) / name).string();
}

std::string write(const std::string& name, const std::string& text) {
  const std::string path = temp(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

TEST(HostileCli, DeepScenarioIsAnErrorNotACrash) {
  const std::string json = write(
      "deep.json", "{\"scenario\":" + std::string(100000, '[') + std::string(100000, ']') + "}");
  auto r = run_clv("whatif " + json);
  EXPECT_EQ(r.exit_code, 2) << r.err;  // invalid argument, not 139 (SIGSEGV)
  EXPECT_NE(r.err.find("JSON nests deeper than 64 levels"), std::string::npos) << r.err;
  std::string header = "[run";
  for (int i = 0; i < 100000; ++i) header += ".x";
  const std::string toml = write("deep.toml", header + "]\n");
  r = run_clv("whatif " + toml);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("deep.toml:1: TOML nests deeper than 64 levels"), std::string::npos)
      << r.err;
}

TEST(HostileCli, FailedJsonCommandsPrintAJsonError) {
  const std::string db = temp("hostile_json.db");
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db + suffix);
  auto r = run_clv("import transactions " + temp("no_such_file.csv") + " --db " + db + " --json");
  EXPECT_NE(r.exit_code, 0);
  const auto out = nlohmann::json::parse(r.out);  // throws (fails the test) when not JSON
  EXPECT_EQ(out["error"]["code"], "not_found") << r.out;
  EXPECT_NE(out["error"]["message"].get<std::string>().find("no_such_file.csv"), std::string::npos);
  // An unknown option is a usage error, in JSON too.
  r = run_clv("plugins list --json --no-such-option");
  EXPECT_EQ(r.exit_code, 2);  // docs/cli.md: usage errors exit 2, not CLI11's own codes
  EXPECT_EQ(nlohmann::json::parse(r.out)["error"]["code"], "usage") << r.out;
  EXPECT_EQ(run_clv("--progress fancy plugins list").exit_code, 2);
  EXPECT_EQ(run_clv("import transactions x.csv --db " + db + " --max-rejects -1").exit_code, 2);
  EXPECT_EQ(run_clv("--help").exit_code, 0);
}

// A mistyped --db is "not found", and leaves no empty database behind.
TEST(HostileCli, ChurnAndServiceDoNotCreateAMistypedDatabase) {
  const std::string db = temp("hostile_no_such.db");
  fs::remove(db);
  auto r = run_clv("churn --db " + db + " --horizon 26");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("no database at"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(db));
  r = run_clv("service --db " + db + " --by location --horizon 26");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("no database at"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(db));
}

TEST(HostileCli, RefusedPluginsAreListedAndFail) {
  const fs::path dir = temp("hostile_plugins");
  fs::remove_all(dir);
  fs::create_directories(dir / "broken");
  std::ofstream(dir / "broken" / "manifest.json")
      << "{\"id\": \"broken\", \"abi_version\": \"99.0.0\"}";
  auto r = run_clv("plugins list --json --plugin-dir " + dir.string());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const auto out = nlohmann::json::parse(r.out);
  ASSERT_TRUE(out.contains("refused")) << r.out;
  ASSERT_EQ(out["refused"].size(), 1u) << r.out;
  EXPECT_NE(out["refused"][0]["message"].get<std::string>().find("broken"), std::string::npos);
  EXPECT_TRUE(out["plugins"].is_array());
}

TEST(HostileCli, RowsOfASectorWithoutPluginAreReportedOrRejected) {
  const std::string db = temp("hostile_sector.db");
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db + suffix);
  const std::string customers = write("hs_customers.csv", "customer_id,sector\nh1,spa\n");
  const std::string txns =
      write("hs_transactions.csv", "customer_id,timestamp,amount\nh1,2024-01-02,1.00\n");
  auto r = run_clv("import customers " + customers + " --db " + db);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = run_clv("import transactions " + txns + " --db " + db + " --json --require-plugins");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["rejected"], 1);
  EXPECT_EQ(out["inserted"], 0);
  // (A file without ids is matched by content: the same file again would be
  // "already imported", so the plain run reads another one.)
  const std::string txns2 =
      write("hs_transactions2.csv", "customer_id,timestamp,amount\nh1,2024-01-03,1.00\n");
  r = run_clv("import transactions " + txns2 + " --db " + db + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  out = nlohmann::json::parse(r.out);
  EXPECT_EQ(out["inserted"], 1);
  EXPECT_EQ(out["no_plugin_by_sector"]["spa"], 1) << r.out;
}

}  // namespace

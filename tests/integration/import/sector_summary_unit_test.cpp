// `clv summary` without --unit takes the time unit of the customers' sector
// plugin when they share one sector, says so, and refuses mixed sectors.
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;

const std::string kPluginDir = std::string(CLV_BINARY_DIR) + "/plugins";
const std::string kCli = CLV_CLI_PATH;

std::string temp(const std::string& name) {
  return (fs::path(testing::TempDir()) / name).string();
}

std::string run(const std::string& command, std::string* err, int* status) {
  const std::string err_path = temp("summary_unit_stderr.txt");
  std::FILE* pipe = popen((command + " 2>" + err_path).c_str(), "r");
  std::string out;
  char buffer[4096];
  size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, got);
  *status = WEXITSTATUS(pclose(pipe));
  std::ifstream in(err_path);
  err->assign(std::istreambuf_iterator<char>(in), {});
  return out;
}

std::string write(const std::string& name, const std::string& text) {
  const std::string path = temp(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string database_with(const std::string& name, const std::string& customers) {
  const std::string db = temp(name);
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db + suffix);
  const std::string c = write(name + ".customers.csv", "customer_id,sector\n" + customers);
  const std::string t = write(name + ".transactions.csv",
                              "customer_id,timestamp,amount\n"
                              "H1,2024-01-05,100.00\nH1,2024-03-05,80.00\nH2,2024-02-01,90.00\n");
  std::string err;
  int status = -1;
  run(kCli + " import customers " + c + " --db " + db, &err, &status);
  EXPECT_EQ(status, 0) << err;
  run(kCli + " import transactions " + t + " --db " + db + " --no-plugins", &err, &status);
  EXPECT_EQ(status, 0) << err;
  return db;
}

TEST(SectorSummaryUnit, OneSectorUsesItsPluginsTimeUnit) {
  const std::string db = database_with("one_sector.db", "H1,hospitality\nH2,hospitality\n");
  std::string err;
  int status = -1;
  const std::string out =
      run(kCli + " summary --db " + db + " --calibration-end 2024-06-30 --json --out " +
              temp("one_sector_summary.csv") + " --plugin-dir " + kPluginDir,
          &err, &status);
  ASSERT_EQ(status, 0) << err;
  const auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["time_unit"]["name"], "month");  // hospitality's unit (retail's would be week)
  EXPECT_NEAR(j["time_unit"]["days"].get<double>(), 30.4375, 1e-9);
  EXPECT_NE(j["time_unit"]["chosen"].get<std::string>().find("hospitality plugin"),
            std::string::npos);
  EXPECT_NE(err.find("time unit: month"), std::string::npos) << err;

  // --unit still wins.
  const std::string weekly =
      run(kCli + " summary --db " + db + " --calibration-end 2024-06-30 --json --unit week --out " +
              temp("one_sector_week.csv") + " --plugin-dir " + kPluginDir,
          &err, &status);
  ASSERT_EQ(status, 0) << err;
  EXPECT_EQ(nlohmann::json::parse(weekly)["time_unit"]["name"], "week");
}

TEST(SectorSummaryUnit, MixedSectorsNeedUnit) {
  const std::string db = database_with("mixed_sector.db", "H1,hospitality\nH2,retail\n");
  std::string err;
  int status = -1;
  run(kCli + " summary --db " + db + " --calibration-end 2024-06-30 --out " +
          temp("mixed_summary.csv") + " --plugin-dir " + kPluginDir,
      &err, &status);
  EXPECT_NE(status, 0);
  EXPECT_NE(err.find("2 sectors"), std::string::npos) << err;
  EXPECT_NE(err.find("hospitality (1 customers), retail (1 customers)"), std::string::npos) << err;
  EXPECT_NE(err.find("--unit"), std::string::npos) << err;
  run(kCli + " summary --db " + db + " --calibration-end 2024-06-30 --unit week --out " +
          temp("mixed_summary.csv") + " --plugin-dir " + kPluginDir,
      &err, &status);
  EXPECT_EQ(status, 0) << err;
}

TEST(SectorSummaryUnit, FileWithSectorOptionUsesThatPlugin) {
  const std::string file =
      write("healthcare_visits.csv", "customer_id,timestamp,amount\nP1,2024-01-05,60.00\n");
  std::string err;
  int status = -1;
  const std::string out = run(kCli + " summary --transactions " + file +
                                  " --sector healthcare --calibration-end 2024-06-30 --json "
                                  "--out " +
                                  temp("healthcare_summary.csv") + " --plugin-dir " + kPluginDir,
                              &err, &status);
  ASSERT_EQ(status, 0) << err;
  EXPECT_EQ(nlohmann::json::parse(out)["time_unit"]["name"], "month");
  // Without --sector a file names no sector: week, and the output says why.
  const std::string plain =
      run(kCli + " summary --transactions " + file + " --calibration-end 2024-06-30 --json --out " +
              temp("plain_summary.csv") + " --plugin-dir " + kPluginDir,
          &err, &status);
  ASSERT_EQ(status, 0) << err;
  EXPECT_EQ(nlohmann::json::parse(plain)["time_unit"]["name"], "week");
  EXPECT_NE(err.find("names no sector"), std::string::npos) << err;
}

}  // namespace

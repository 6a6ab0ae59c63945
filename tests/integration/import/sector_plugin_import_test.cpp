// `clv import transactions` routes each customer's rows to the plugin of the
// customer's sector (the first-party plugins, loaded from the build tree as
// a vendor's would be): retail folds order lines, nets returns and drops
// cancellations, hospitality merges a folio into one stay; customers of a
// sector without a plugin pass through unchanged and are counted.
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include <SQLiteCpp/Database.h>
#include <SQLiteCpp/Statement.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

namespace fs = std::filesystem;

const std::string kPluginDir = std::string(CLV_BINARY_DIR) + "/plugins";

std::string temp(const std::string& name) {
  return (fs::path(testing::TempDir()) / name).string();
}

std::string run(const std::string& command, std::string* err = nullptr, int* status = nullptr) {
  const std::string err_path = temp("sector_stderr.txt");
  std::FILE* pipe = popen((command + " 2>" + err_path).c_str(), "r");
  std::string out;
  char buffer[4096];
  size_t got;
  while ((got = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, got);
  const int rc = pclose(pipe);
  if (status != nullptr) *status = WEXITSTATUS(rc);
  if (err != nullptr) {
    std::ifstream in(err_path);
    err->assign(std::istreambuf_iterator<char>(in), {});
  }
  return out;
}

std::string write(const std::string& name, const std::string& text) {
  const std::string path = temp(name);
  std::ofstream(path, std::ios::binary) << text;
  return path;
}

std::string fresh_db(const std::string& name) {
  const std::string path = temp(name);
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(path + suffix);
  return path;
}

const char* kCustomers =
    "customer_id,sector\n"
    "C1,retail\n"
    "C2,hospitality\n"
    "C4,bakery\n"
    "C7,\n";

// Customers interleaved as in a time-ordered export. C6 is not in the
// customers file: the import creates it with --sector retail, and its return
// names its purchase only through the id convention (T11-R undoes T11).
const char* kTransactions =
    "transaction_id,customer_id,timestamp,amount,kind,reference,payer\n"
    "T1,C1,2024-01-05,50.00,purchase,O1,Card\n"
    "T6,C2,2024-01-05,100.00,purchase,F1,Booking.com\n"
    "T2,C1,2024-01-05,30.00,purchase,O1,Card\n"
    "T9,C4,2024-01-06,40.00,purchase,,\n"
    "T7,C2,2024-01-06,20.00,purchase,F1,Booking.com\n"
    "T11,C6,2024-01-07,25.00,purchase,,\n"
    "T3,C1,2024-01-08,20.00,return,O1,Card\n"
    "T8,C2,2024-01-06,50.00,purchase,F1,Booking.com\n"
    "T10,C4,2024-01-09,40.00,return,,\n"
    "T4,C1,2024-02-01,10.00,purchase,O2,Corporate account\n"
    "T11-R,C6,2024-01-10,25.00,return,,\n"
    "T5,C1,2024-02-03,0,cancellation,O3,Card\n"
    "T12,C7,2024-02-04,15.00,purchase,,\n";

std::map<std::string, int64_t> stored_amounts(const std::string& db_path) {
  SQLite::Database db(db_path, SQLite::OPEN_READONLY);
  SQLite::Statement q(db, "SELECT external_id, amount_minor FROM transactions");
  std::map<std::string, int64_t> out;
  while (q.executeStep()) out[q.getColumn(0).getString()] = q.getColumn(1).getInt64();
  return out;
}

class SectorImport : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kPluginDir + "/retail/manifest.json"))
        << "first-party plugins are not built in " << kPluginDir;
    db_ = fresh_db("sector_import.db");
    customers_ = write("sector_customers.csv", kCustomers);
    transactions_ = write("sector_transactions.csv", kTransactions);
    int status = -1;
    run(std::string(CLV_CLI_PATH) + " import customers " + customers_ + " --db " + db_, nullptr,
        &status);
    ASSERT_EQ(status, 0);
  }
  nlohmann::json import(const std::string& extra) {
    std::string err;
    int status = -1;
    const std::string out =
        run(std::string(CLV_CLI_PATH) + " import transactions " + transactions_ + " --db " + db_ +
                " --sector retail --json " + extra,
            &err, &status);
    EXPECT_EQ(status, 0) << err;
    return nlohmann::json::parse(out);
  }
  std::string db_, customers_, transactions_;
};

TEST_F(SectorImport, EachSectorsPluginNormalizesItsCustomersAndTheRestIsCounted) {
  const auto j = import("--plugin-dir " + kPluginDir);
  // retail: C1 (5 rows) and C6 (2 rows, created with --sector retail).
  const auto& retail = j["normalized"]["retail"];
  EXPECT_EQ(retail["plugin"], "retail");
  EXPECT_EQ(retail["rows"], 7);
  EXPECT_EQ(retail["kept"], 2);     // order O1 (lines folded, return netted), order O2
  EXPECT_EQ(retail["dropped"], 5);  // T2 merged, T3 netted, T5 cancelled, T11 + T11-R returned
  EXPECT_EQ(retail["merged"], 1);
  EXPECT_EQ(retail["netted"], 3);
  EXPECT_EQ(retail["cancelled"], 1);
  const auto& hotel = j["normalized"]["hospitality"];
  EXPECT_EQ(hotel["rows"], 3);
  EXPECT_EQ(hotel["kept"], 1);  // one stay
  EXPECT_EQ(hotel["merged"], 2);
  // bakery has no plugin, C7 no sector: stored unchanged, counted per sector.
  EXPECT_EQ(j["no_plugin"], 3);
  EXPECT_EQ(j["no_plugin_by_sector"]["bakery"], 2);
  EXPECT_EQ(j["no_plugin_by_sector"]["(no sector)"], 1);
  // Every row is accounted for exactly once.
  EXPECT_EQ(j["inserted"], 6);
  EXPECT_EQ(j["normalized_away"], 7);
  EXPECT_EQ(j["rejected"], 0);
  EXPECT_EQ(j["customers_created"], 1);

  const auto amounts = stored_amounts(db_);
  EXPECT_EQ(amounts, (std::map<std::string, int64_t>{{"T1", 6000},  // 50 + 30 - 20
                                                     {"T4", 1000},
                                                     {"T6", 17000},  // 100 + 20 + 50
                                                     {"T9", 4000},
                                                     {"T10", 4000},  // bakery: untouched
                                                     {"T12", 1500}}));

  // The dropped rows are listed with what happened to them and where to.
  const std::string log_path = j["normalized_file"];
  std::ifstream in(log_path);
  std::string log((std::istreambuf_iterator<char>(in)), {});
  EXPECT_NE(log.find(",4,retail,retail,merged,2,T2,C1,purchase,30.00"), std::string::npos) << log;
  EXPECT_NE(log.find(",8,retail,retail,netted,2,T3,C1,return,20.00"), std::string::npos) << log;
  EXPECT_NE(log.find(",13,retail,retail,cancelled,,T5,C1,cancellation,0.00"), std::string::npos)
      << log;
  EXPECT_NE(log.find(",6,hospitality,hospitality,merged,3,T7,C2,purchase,20.00"), std::string::npos)
      << log;
  EXPECT_NE(log.find(",12,retail,retail,netted,7,T11-R,C6,return,25.00"), std::string::npos) << log;

  // Re-importing adds nothing: the kept rows are duplicates, the rest is
  // normalized away again.
  const auto again = import("--plugin-dir " + kPluginDir);
  EXPECT_EQ(again["inserted"], 0);
  EXPECT_EQ(again["duplicates"], 6);
  EXPECT_EQ(again["normalized_away"], 7);
  EXPECT_EQ(stored_amounts(db_), amounts);
}

TEST_F(SectorImport, NoPluginsStoresEveryRowUnchanged) {
  const auto j = import("--no-plugins");
  EXPECT_EQ(j["inserted"], 13);
  EXPECT_EQ(j["normalized"].size(), 0u);
  EXPECT_EQ(j["normalized_away"], 0);
  EXPECT_EQ(stored_amounts(db_).at("T2"), 3000);
}

TEST_F(SectorImport, PlainOutputNamesThePluginsAndThePassThrough) {
  std::string err;
  int status = -1;
  const std::string out = run(std::string(CLV_CLI_PATH) + " import transactions " + transactions_ +
                                  " --db " + db_ + " --sector retail --plugin-dir " + kPluginDir,
                              &err, &status);
  ASSERT_EQ(status, 0) << err;
  EXPECT_NE(out.find("sector retail (plugin retail): 7 rows normalized, 2 kept, 5 dropped"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("sector bakery: 2 rows stored unchanged (no plugin loaded for it)"),
            std::string::npos)
      << out;
}

}  // namespace

// The written files: deterministic, and every row passes the import contract.
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "clv/error.hpp"
#include "clv/portfolio_generator.hpp"
#include "domain/calendar.hpp"
#include "ingest/csv_reader.hpp"

namespace clv {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::path(::testing::TempDir()) / ("clv_synth_" + name);
  fs::remove_all(dir);
  return dir;
}

GeneratorConfig small(Sector sector, uint64_t seed) {
  auto config = default_generator_config(sector);
  config.customers = 400;
  config.seed = seed;
  return config;
}

const char* const kFiles[] = {"customers.csv", "transactions.csv", "incidents.csv", "employees.csv",
                              "truth.json"};

TEST(GeneratorOutput, SameSeedGivesByteIdenticalFiles) {
  for (Sector sector : all_sectors()) {
    const auto a = fresh_dir("det_a"), b = fresh_dir("det_b"), c = fresh_dir("det_c");
    write_portfolio(small(sector, 9), a);
    write_portfolio(small(sector, 9), b);
    write_portfolio(small(sector, 10), c);
    for (const char* file : kFiles) {
      EXPECT_EQ(slurp(a / file), slurp(b / file)) << sector_name(sector) << " " << file;
    }
    EXPECT_NE(slurp(a / "transactions.csv"), slurp(c / "transactions.csv"));
    if (sector == Sector::kFinancial) {
      EXPECT_EQ(slurp(a / "renewals.csv"), slurp(b / "renewals.csv"));
    }
  }
}

// Reads a CSV, checks its header and hands each record (as a name -> text
// map) to `check`.
template <class Check>
size_t for_each_row(const fs::path& path, const std::vector<std::string>& header, Check check) {
  CsvReader reader(path.string());
  CsvRecord record;
  EXPECT_TRUE(reader.next(record));
  EXPECT_EQ(std::vector<std::string>(record.fields.begin(), record.fields.end()), header) << path;
  size_t rows = 0;
  while (reader.next(record)) {
    EXPECT_TRUE(record.error.empty()) << path << ":" << record.line << " " << record.error;
    EXPECT_EQ(record.fields.size(), header.size()) << path << ":" << record.line;
    if (record.fields.size() != header.size()) continue;
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < header.size(); ++i) row[header[i]] = std::string(record.fields[i]);
    check(row, record.line);
    ++rows;
  }
  return rows;
}

// digits, '.', then exactly `decimals` digits ("12.34" for 2, "7.5" for 1).
bool is_decimal(const std::string& text, size_t decimals) {
  const size_t dot = text.find('.');
  if (dot == std::string::npos || dot == 0 || text.size() - dot - 1 != decimals) return false;
  for (size_t i = 0; i < text.size(); ++i)
    if (i != dot && (text[i] < '0' || text[i] > '9')) return false;
  return true;
}

int64_t timestamp(const std::string& text, uint64_t line) {
  int64_t seconds = 0;
  EXPECT_TRUE(parse_timestamp(text, seconds)) << "line " << line << ": '" << text << "'";
  return seconds;
}

TEST(GeneratorOutput, EveryRowPassesTheImportContract) {
  for (Sector sector : all_sectors()) {
    SCOPED_TRACE(std::string(sector_name(sector)));
    const auto dir = fresh_dir(std::string(sector_name(sector)));
    const auto config = small(sector, 3);
    const auto counts = write_portfolio(config, dir);
    const int64_t window_start = config.start_day * kSecondsPerDay;
    const int64_t window_end =
        window_start + static_cast<int64_t>(config.years * 365.25 * kSecondsPerDay) + 1;

    std::set<std::string> employees;
    for_each_row(dir / "employees.csv",
                 {"employee_id", "role", "location", "trust", "tact", "empathy", "conformity",
                  "focus", "flexibility"},
                 [&](auto& row, uint64_t line) {
                   EXPECT_TRUE(employees.insert(row["employee_id"]).second) << line;
                   EXPECT_FALSE(row["role"].empty());
                   EXPECT_FALSE(row["location"].empty());
                   for (const char* trait :
                        {"trust", "tact", "empathy", "conformity", "focus", "flexibility"}) {
                     ASSERT_TRUE(is_decimal(row[trait], 1)) << line << " " << row[trait];
                     const double v = std::stod(row[trait]);
                     EXPECT_TRUE(v >= 0 && v <= 10) << line << " " << trait << "=" << v;
                   }
                 });

    std::map<std::string, int64_t> acquired;
    const size_t customers = for_each_row(
        dir / "customers.csv", {"customer_id", "sector", "segment", "region", "acquired_at"},
        [&](auto& row, uint64_t line) {
          const int64_t at = timestamp(row["acquired_at"], line);
          EXPECT_TRUE(at >= window_start && at < window_end) << line;
          EXPECT_TRUE(acquired.emplace(row["customer_id"], at).second)
              << "duplicate id, line " << line;
          EXPECT_EQ(row["sector"], sector_name(sector));
          EXPECT_FALSE(row["segment"].empty());
          EXPECT_FALSE(row["region"].empty());
        });
    EXPECT_EQ(static_cast<int64_t>(customers), config.customers);

    std::map<std::string, int64_t> purchases;  // id -> timestamp
    std::set<std::string> transaction_ids;
    const size_t transactions =
        for_each_row(dir / "transactions.csv",
                     {"transaction_id", "customer_id", "timestamp", "amount", "currency", "kind",
                      "quantity", "category", "channel", "location"},
                     [&](auto& row, uint64_t line) {
                       EXPECT_TRUE(transaction_ids.insert(row["transaction_id"]).second) << line;
                       ASSERT_TRUE(acquired.count(row["customer_id"])) << line;
                       const int64_t at = timestamp(row["timestamp"], line);
                       EXPECT_GE(at, acquired[row["customer_id"]]) << line;
                       EXPECT_LT(at, window_end) << line;
                       EXPECT_TRUE(is_decimal(row["amount"], 2)) << line << " " << row["amount"];
                       EXPECT_GT(std::stod(row["amount"]), 0) << line;
                       EXPECT_TRUE(row["currency"] == "EUR" || row["currency"] == "USD") << line;
                       const auto& kind = row["kind"];
                       EXPECT_TRUE(kind == "purchase" || kind == "return" || kind == "refund" ||
                                   kind == "cancellation")
                           << line;
                       EXPECT_GE(std::stoll(row["quantity"]), 1) << line;
                       EXPECT_FALSE(row["category"].empty());
                       EXPECT_FALSE(row["channel"].empty());
                       EXPECT_FALSE(row["location"].empty());
                       if (kind == "purchase") {
                         purchases[row["transaction_id"]] = at;
                       } else {
                         // -R/-X/-F undo the purchase whose id precedes the suffix.
                         const auto& id = row["transaction_id"];
                         const auto original = purchases.find(id.substr(0, id.size() - 2));
                         ASSERT_NE(original, purchases.end()) << line << " " << id;
                         EXPECT_GT(at, original->second) << line;
                       }
                     });
    EXPECT_EQ(static_cast<int64_t>(transactions), counts.transactions);
    EXPECT_GT(transactions, customers);

    const std::set<std::string> outcomes{"resolved", "unresolved", "open"};
    const size_t incidents = for_each_row(
        dir / "incidents.csv",
        {"incident_id", "customer_id", "opened_at", "resolved_at", "severity", "category",
         "channel", "outcome", "satisfaction", "employee_id", "compensation"},
        [&](auto& row, uint64_t line) {
          ASSERT_TRUE(acquired.count(row["customer_id"])) << line;
          EXPECT_TRUE(employees.count(row["employee_id"])) << line;
          const int64_t opened = timestamp(row["opened_at"], line);
          EXPECT_GE(opened, acquired[row["customer_id"]]) << line;
          EXPECT_LT(opened, window_end) << line;
          EXPECT_TRUE(outcomes.count(row["outcome"])) << line;
          EXPECT_EQ(row["outcome"] == "resolved", !row["resolved_at"].empty()) << line;
          if (!row["resolved_at"].empty()) {
            const int64_t resolved = timestamp(row["resolved_at"], line);
            EXPECT_GE(resolved, opened) << line;
            EXPECT_LT(resolved, window_end) << line;
          }
          const int severity = std::stoi(row["severity"]);
          EXPECT_TRUE(severity >= 1 && severity <= 5) << line;
          if (!row["satisfaction"].empty()) {
            const int s = std::stoi(row["satisfaction"]);
            EXPECT_TRUE(s >= 1 && s <= 5) << line;
          }
          if (row["outcome"] == "open") {
            EXPECT_TRUE(row["satisfaction"].empty()) << line;
          }
          EXPECT_TRUE(is_decimal(row["compensation"], 2)) << line;
          EXPECT_FALSE(row["category"].empty());
        });
    EXPECT_EQ(static_cast<int64_t>(incidents), counts.incidents);
    EXPECT_GT(incidents, 0u);

    const auto truth = nlohmann::json::parse(slurp(dir / "truth.json"));
    EXPECT_EQ(truth["sector"], sector_name(sector));
    EXPECT_EQ(truth["seed"], config.seed);
    EXPECT_DOUBLE_EQ(truth["pareto_nbd"]["r"].get<double>(), config.process.r);
    EXPECT_DOUBLE_EQ(truth["covariates"]["dropout_gamma"]["unresolved_incidents"].get<double>(),
                     config.dropout_effects.unresolved_incidents);
    EXPECT_EQ(truth["counts"]["transactions"], counts.transactions);
  }
}

TEST(GeneratorOutput, FinancialRenewalCohortsOnlyShrink) {
  const auto dir = fresh_dir("renewals");
  auto config = small(Sector::kFinancial, 4);
  config.customers = 2000;
  write_portfolio(config, dir);
  std::map<std::string, std::vector<int64_t>> cohorts;
  for_each_row(dir / "renewals.csv", {"cohort", "period", "active"}, [&](auto& row, uint64_t line) {
    auto& active = cohorts[row["cohort"]];
    EXPECT_EQ(std::stoul(row["period"]), active.size()) << line;
    active.push_back(std::stoll(row["active"]));
  });
  ASSERT_GE(cohorts.size(), 12u);
  int64_t first_period = 0, lost = 0;
  for (const auto& [cohort, active] : cohorts) {
    ASSERT_FALSE(active.empty());
    first_period += active.front();
    for (size_t k = 1; k < active.size(); ++k) EXPECT_LE(active[k], active[k - 1]) << cohort;
    lost += active.front() - active.back();
  }
  EXPECT_GT(first_period, 1000);
  EXPECT_GT(lost, 0);
}

TEST(GeneratorOutput, BadConfigurationIsRejectedWithAClearError) {
  auto config = default_generator_config(Sector::kRetail);
  config.customers = 0;
  try {
    write_portfolio(config, fresh_dir("bad"));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(e.what()).find("customers"), std::string::npos);
  }
  config = default_generator_config(Sector::kRetail);
  config.process.s = -1;
  EXPECT_THROW(write_portfolio(config, fresh_dir("bad")), Error);
  EXPECT_THROW(sector_from_name("casino"), Error);
  EXPECT_EQ(sector_from_name("travel"), Sector::kTravel);
}

}  // namespace
}  // namespace clv

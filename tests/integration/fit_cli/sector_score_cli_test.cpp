// `clv score` values customers with their sector's economics (margin,
// discount rate, cost to serve from the sector plugin) when the options do
// not set them: checked against the CLV formula on CDNOW with a sector column.
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "support/cli_run.hpp"

namespace {

using cli_test::CliRun;
using cli_test::slurp;
constexpr auto clv = cli_test::run_clv;

const std::string kData = std::string(CLV_SHARED_DATA_DIR) + "/cdnow/";
const std::string kPluginDir = std::string(CLV_BINARY_DIR) + "/plugins";

// customer_id,p_alive,expected_purchases,expected_spend,clv rows (header dropped).
std::vector<std::vector<double>> read_scores(const std::string& text) {
  std::vector<std::vector<double>> rows;
  std::stringstream lines(text);
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    std::vector<double> fields;
    std::stringstream cells(line);
    std::string cell;
    while (std::getline(cells, cell, ',')) fields.push_back(std::strtod(cell.c_str(), nullptr));
    rows.push_back(fields);
  }
  return rows;
}

const char* sector_of(size_t row) {
  static const char* kSectors[] = {"retail", "hospitality", "bakery"};
  return kSectors[row % 3];
}

TEST(SectorScore, ClvUsesEachCustomersSectorEconomics) {
  ASSERT_TRUE(std::ifstream(kPluginDir + "/retail/manifest.json").good())
      << "first-party plugins are not built in " << kPluginDir;
  const std::string dir = testing::TempDir();
  const std::string fh = kData + "cdnow_customers_summary_with_transactions.csv";
  const std::string bg = dir + "/sector_bg.json", gg = dir + "/sector_gg.json";
  ASSERT_EQ(clv("fit --model bgnbd --summary " + fh + " --out " + bg).exit_code, 0);
  ASSERT_EQ(clv("fit --model gg --summary " + fh + " --out " + gg).exit_code, 0);

  // The same summary with a sector column: retail, hospitality, bakery (no plugin).
  const std::string with_sector = dir + "/sector_summary.csv";
  {
    std::stringstream in(slurp(fh));
    std::ofstream out(with_sector);
    std::string line;
    auto next_line = [&] {
      if (!std::getline(in, line)) return false;
      if (!line.empty() && line.back() == '\r') line.pop_back();  // the file has CRLF ends
      return true;
    };
    next_line();
    out << line << ",sector\n";
    for (size_t row = 0; next_line(); ++row) out << line << "," << sector_of(row) << "\n";
  }
  const double horizon = 39;
  const std::string common = "score --params " + bg + " --spend-params " + gg + " --horizon 39 ";
  const CliRun sector = clv(common + "--summary " + with_sector + " --plugin-dir " + kPluginDir);
  ASSERT_EQ(sector.exit_code, 0) << sector.err;
  EXPECT_NE(sector.err.find("sector retail: 786 customers, margin 0.3, discount 0.1/year"),
            std::string::npos)
      << sector.err;
  EXPECT_NE(sector.err.find("sector bakery: 785 customers, margin 1, discount 0/year"),
            std::string::npos)
      << sector.err;

  // Reference: margin 1 and each sector's discount rate, no cost to serve, no
  // referrals.
  const CliRun at_10 = clv(common + "--summary " + fh +
                           " --margin 1 --discount-rate 0.1 --cost-to-serve 0 --referral-value 0");
  const CliRun plain = clv(common + "--summary " + fh +
                           " --margin 1 --discount-rate 0 "
                           "--cost-to-serve 0 --referral-value 0");
  ASSERT_EQ(at_10.exit_code, 0) << at_10.err;
  ASSERT_EQ(plain.exit_code, 0) << plain.err;
  const auto got = read_scores(sector.out), base10 = read_scores(at_10.out),
             base0 = read_scores(plain.out);
  ASSERT_EQ(got.size(), 2357u);
  ASSERT_EQ(base10.size(), got.size());
  // Retail: margin 0.30, 10%/year, 0.40 per week, referrals 12; hospitality:
  // 0.35, 10%/year, 1.50 per month of 30.4375 days in the model's weeks,
  // referrals 80 (plugins/*/README.md). Referrals count for a customer who
  // stays: referral value x P(alive).
  const double delta = std::log(1.1) * 7 / 365.25;
  const double annuity = (1 - std::exp(-delta * horizon)) / delta;
  for (size_t i = 0; i < got.size(); ++i) {
    const std::string sector_name = sector_of(i);
    const double p_alive = got[i][1];
    double expected = base0[i][4];
    if (sector_name == "retail")
      expected = 0.30 * base10[i][4] - 0.40 * p_alive * annuity + 12 * p_alive;
    if (sector_name == "hospitality") {
      expected = 0.35 * base10[i][4] - 1.50 * 7 / 30.4375 * p_alive * annuity + 80 * p_alive;
    }
    ASSERT_NEAR(got[i][4], expected, 1e-6 * (1 + std::abs(expected)))
        << "row " << i << " " << sector_name;
    ASSERT_DOUBLE_EQ(got[i][1], base0[i][1]);  // P(alive) does not depend on economics
  }

  // --sector applies one sector to a summary without a sector column; an
  // explicit --margin still wins over the plugin's.
  const CliRun one =
      clv(common + "--summary " + fh + " --sector retail --margin 0.5 --plugin-dir " + kPluginDir);
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.err.find("sector retail: 2357 customers, margin 0.5, discount 0.1/year"),
            std::string::npos)
      << one.err;
  const auto one_rows = read_scores(one.out);
  const double p0 = one_rows[0][1];
  EXPECT_NEAR(one_rows[0][4], 0.5 * base10[0][4] - 0.40 * p0 * annuity + 12 * p0, 1e-6);

  // A summary without sectors and no --sector: the output says the defaults
  // were used and how to apply a sector plugin's economics.
  const CliRun none = clv(common + "--summary " + fh + " --plugin-dir " + kPluginDir);
  ASSERT_EQ(none.exit_code, 0) << none.err;
  EXPECT_NE(none.err.find("sector (none): 2357 customers, margin 1, discount 0/year"),
            std::string::npos)
      << none.err;
  EXPECT_NE(none.err.find("2357 customers have no sector"), std::string::npos) << none.err;
  EXPECT_NE(none.err.find("pass --sector NAME"), std::string::npos) << none.err;
  EXPECT_EQ(none.out, plain.out);  // margin 1, no discount, no costs, no referrals

  // --sector hospitality: every customer valued with the hospitality plugin's
  // economics (margin 0.35, 10%/year, 1.50 per month to serve, referrals 80).
  const CliRun hosp =
      clv(common + "--summary " + fh + " --sector hospitality --plugin-dir " + kPluginDir);
  ASSERT_EQ(hosp.exit_code, 0) << hosp.err;
  EXPECT_NE(hosp.err.find("sector hospitality: 2357 customers, margin 0.35, discount 0.1/year"),
            std::string::npos)
      << hosp.err;
  EXPECT_NE(hosp.err.find("(plugin hospitality"), std::string::npos) << hosp.err;
  EXPECT_EQ(hosp.err.find("have no sector"), std::string::npos) << hosp.err;
  const auto hosp_rows = read_scores(hosp.out);
  ASSERT_EQ(hosp_rows.size(), base10.size());
  for (size_t i = 0; i < hosp_rows.size(); ++i) {
    const double p = hosp_rows[i][1];
    const double expected = 0.35 * base10[i][4] - 1.50 * 7 / 30.4375 * p * annuity + 80 * p;
    ASSERT_NEAR(hosp_rows[i][4], expected, 1e-6 * (1 + std::abs(expected))) << "row " << i;
  }

  // A --sector no plugin serves is refused, naming the sectors loaded.
  const CliRun unknown =
      clv(common + "--summary " + fh + " --sector bakery --plugin-dir " + kPluginDir);
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("--sector bakery"), std::string::npos) << unknown.err;
  EXPECT_NE(unknown.err.find("retail"), std::string::npos) << unknown.err;
  EXPECT_TRUE(unknown.out.empty());
  // ... unless every economics option is given: then no plugin is needed.
  const CliRun given = clv(common + "--summary " + fh +
                           " --sector bakery --margin 1 --discount-rate 0 --cost-to-serve 0 "
                           "--referral-value 0");
  ASSERT_EQ(given.exit_code, 0) << given.err;
  EXPECT_EQ(given.out, plain.out);
}

}  // namespace

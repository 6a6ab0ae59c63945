// Units travel with the data: `clv summary` records its unit in a "# clv:"
// first line; fit adopts it, and fit/score/report refuse a different unit with
// a message naming both.
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/cli_run.hpp"

namespace {

using cli_test::CliRun;
using cli_test::slurp;
constexpr auto clv = cli_test::run_clv;

const std::string kTransactions = std::string(CLV_SHARED_DATA_DIR) + "/cdnow/clvtools_cdnow.csv";

// A month summary of CDNOW written by `clv summary` (computed once).
const std::string& month_summary() {
  static const std::string path = [] {
    const std::string out = testing::TempDir() + "/units_month_summary.csv";
    const CliRun r = clv("summary --transactions " + kTransactions +
                         " --map customer_id=Id --map timestamp=Date --map amount=Price "
                         "--calibration-end 1997-09-30 --unit month --out " +
                         out);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return out;
  }();
  return path;
}

TEST(TimeUnitCli, SummaryRecordsItsUnitAndFitAdoptsIt) {
  std::ifstream in(month_summary());
  std::string first, header;
  std::getline(in, first);
  std::getline(in, header);
  EXPECT_EQ(first, "# clv: unit=month days=30.4375 calibration_end=1997-09-30");
  EXPECT_EQ(header.rfind("customer_id,frequency,recency,T", 0), 0u) << header;
  const CliRun fit = clv("fit --model bgnbd --summary " + month_summary() + " --json");
  ASSERT_EQ(fit.exit_code, 0) << fit.err;
  EXPECT_EQ(nlohmann::json::parse(fit.out)["time_unit"], "month");
}

TEST(TimeUnitCli, MonthSummaryToAWeekFitIsRefused) {
  const CliRun r = clv("fit --model pnbd --summary " + month_summary() + " --unit week");
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("month (30.4375 days)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("week (7 days)"), std::string::npos) << r.err;
}

TEST(TimeUnitCli, WeekFitScoredWithAMonthHorizonOrMonthSummaryIsRefused) {
  const std::string params = testing::TempDir() + "/units_week_fit.json";
  const std::string week_summary =
      std::string(CLV_SHARED_DATA_DIR) + "/cdnow/cdnow_customers_summary.csv";
  ASSERT_EQ(clv("fit --model bgnbd --summary " + week_summary + " --out " + params).exit_code, 0);
  const CliRun month_horizon =
      clv("score --params " + params + " --summary " + week_summary + " --horizon 12 --unit month");
  EXPECT_NE(month_horizon.exit_code, 0);
  EXPECT_NE(month_horizon.err.find("week (7 days)"), std::string::npos) << month_horizon.err;
  EXPECT_NE(month_horizon.err.find("month (30.4375 days)"), std::string::npos) << month_horizon.err;

  const CliRun month_data =
      clv("score --params " + params + " --summary " + month_summary() + " --horizon 52");
  EXPECT_NE(month_data.exit_code, 0);
  EXPECT_NE(month_data.err.find("the summary"), std::string::npos) << month_data.err;
  EXPECT_NE(month_data.err.find("month (30.4375 days)"), std::string::npos) << month_data.err;

  // The same unit spelled differently is fine.
  const CliRun same =
      clv("score --params " + params + " --summary " + week_summary + " --horizon 52 --unit 7d");
  EXPECT_EQ(same.exit_code, 0) << same.err;
}

}  // namespace

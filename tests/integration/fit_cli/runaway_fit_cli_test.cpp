// Issue 13, item 14: a plain Pareto/NBD fit on CLVTools' apparel data whose
// optimiser pushes beta toward infinity ran past 200 s with no output. Every
// fit ends in bounded time, with a result or a "did not converge" naming the
// parameter that ran away.
#include <chrono>
#include <cmath>
#include <regex>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "support/cli_run.hpp"

namespace {

using cli_test::CliRun;
constexpr auto clv = cli_test::run_clv;
const std::string kShared = std::string(CLV_SHARED_DATA_DIR);

TEST(RunawayFitCli, ApparelParetoNbdEndsInBoundedTimeNamingTheRunawayParameter) {
  const std::string summary = testing::TempDir() + "/runaway_apparel_summary.csv";
  const CliRun s = clv("summary --transactions " + kShared +
                       "/apparel/apparelTrans.csv --map customer_id=Id --map timestamp=Date "
                       "--map amount=Price --calibration-end 2005-10-09 --unit week --out " +
                       summary);
  ASSERT_EQ(s.exit_code, 0) << s.err;
  const auto start = std::chrono::steady_clock::now();
  const CliRun r = clv("fit --model pnbd --summary " + summary + " --json");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  // 1 s on a quiet machine (BENCHMARKS.md); the bound leaves room for a
  // loaded CI runner while a hang (the bug: > 200 s) still fails.
  EXPECT_LT(seconds, 60.0);
  if (r.exit_code == 0) {
    // A result is allowed if it is a real one: finite parameters, converged.
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["converged"], true) << r.out;
    for (const auto& [name, v] : j["params"].items()) {
      EXPECT_TRUE(v.is_number() && std::isfinite(v.get<double>())) << name;
    }
    return;
  }
  // Otherwise: the optimiser's verdict, not an internal error, with the parameter named.
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["error"]["code"], "not_converged") << r.out;
  const std::string message = j["error"]["message"];
  EXPECT_NE(message.find("did not converge"), std::string::npos) << message;
  EXPECT_TRUE(std::regex_search(message, std::regex("parameter (r|alpha|s|beta) ran off to "
                                                    "(infinity|0)")))
      << message;
  EXPECT_EQ(message.find("log_hyp2f1"), std::string::npos) << message;
}

}  // namespace

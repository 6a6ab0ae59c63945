// clv::predict against independent reference values: the BG/NBD and MBG/NBD
// P(X(t)=x) of Fader, Hardie & Lee (2005, eq. 8, with the finite NBD sum
// instead of the incomplete beta the library uses) on the CDNOW parameters,
// the BG/BB P(X(n)=x) of Fader, Hardie & Shang (2010, eq. 8) on the donations
// data against its observed counts, simulations of each model, sums to 1,
// means equal to E[X(t)], and CLV with a fixed spend equal to spend x DERT.
#include <cmath>
#include <fstream>
#include <map>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "clv/error.hpp"
#include "clv/predict.hpp"
#include "models/bg_bb.hpp"
#include "models/bg_nbd.hpp"
#include "models/pareto_nbd.hpp"

namespace clv {
namespace {

using nlohmann::json;

PredictRequest request_for(const std::string& model, json params, double t, int to) {
  PredictRequest r;
  r.fit = predict_fit_from_json_text(json({{"model", model}, {"params", params}}).dump());
  r.t = t;
  r.pmf_from = 0;
  r.pmf_to = to;
  return r;
}

const json kCdnowBgNbd = {{"r", 0.243}, {"alpha", 4.414}, {"a", 0.793}, {"b", 2.426}};
// Fader, Hardie & Lee (2005), "A Note on Deriving the Pareto/NBD Model":
// CDNOW estimates.
const json kCdnowPnbd = {{"r", 0.5533}, {"alpha", 10.5776}, {"s", 0.6061}, {"beta", 11.6650}};
const json kDonations = {{"alpha", 1.204}, {"beta", 0.750}, {"gamma", 0.657}, {"delta", 2.783}};

double mean_of(const PredictResponse& r) {
  double m = 0;
  for (size_t i = 0; i < r.pmf.size(); ++i) m += r.pmf_k[i] * r.pmf[i];
  return m;
}

// Reference values: FHL (2005) eq. 8 evaluated in Python with the finite sum
// 1 - sum_{j<x} NBD(j) for the "died after x purchases" term.
TEST(Predict, BgNbdPmfMatchesFaderHardieLeeOnCdnow) {
  const double ref39[] = {0.573786352096009,  0.199395280835911,  0.0854297595390607,
                          0.0458603538479997, 0.0276714493357822, 0.017965493866579};
  const double ref78[] = {0.491027725058527, 0.210494262150158,  0.0967542948960417,
                          0.055046615521459, 0.0350357022776351, 0.0239402366344377};
  const PredictResponse a = predict(request_for("bgnbd", kCdnowBgNbd, 39, 5));
  const PredictResponse b = predict(request_for("bgnbd", kCdnowBgNbd, 78, 5));
  ASSERT_EQ(a.pmf.size(), 6u);
  for (int k = 0; k < 6; ++k) {
    EXPECT_NEAR(a.pmf[k], ref39[k], 1e-12) << k;
    EXPECT_NEAR(b.pmf[k], ref78[k], 1e-12) << k;
  }
}

TEST(Predict, MbgNbdPmfMatchesClosedForm) {
  // MBG/NBD (Batislam et al. 2007): dropout also at time 0, hence the extra
  // a/(a+b) at x = 0 and the shifted beta functions. Python reference.
  const double ref[] = {0.678783998193513, 0.13703024082634, 0.0642804195500958,
                        0.0365581305483645};
  const PredictResponse r = predict(request_for("mbgnbd", kCdnowBgNbd, 39, 3));
  for (int k = 0; k < 4; ++k) EXPECT_NEAR(r.pmf[k], ref[k], 1e-12) << k;
}

// For every count model: the pmf sums to 1 and its mean is E[X(t)], which
// the library computes by an independent closed form (2F1 or a sum).
TEST(Predict, EveryModelsPmfSumsToOneWithMeanEqualToExpectedPurchases) {
  struct Case {
    const char* model;
    json params;
    double t;
    int to;
  };
  const Case cases[] = {{"bgnbd", kCdnowBgNbd, 39, 400},
                        {"mbgnbd", kCdnowBgNbd, 52, 400},
                        {"pnbd", kCdnowPnbd, 39, 300},
                        {"bgbb", kDonations, 6, 6},
                        {"bgbb", kDonations, 11, 11}};
  for (const Case& c : cases) {
    const PredictResponse r = predict(request_for(c.model, c.params, c.t, c.to));
    EXPECT_NEAR(r.pmf_mass, 1.0, 1e-8) << c.model << " t=" << c.t;
    EXPECT_NEAR(mean_of(r), r.expected_purchases_new, 1e-6 * (1 + r.expected_purchases_new))
        << c.model << " t=" << c.t;
    EXPECT_GT(r.expected_purchases_new, 0) << c.model;
  }
}

// FHS (2010) Figure 3: model vs actual number of donors with x donations in
// the 6 opportunities 1996-2001, on the published estimates. Expected counts
// from eq. 8 evaluated in Python; actual counts from donations.csv.
TEST(Predict, BgBbDistributionInSixPeriodsMatchesDonationsData) {
  const PredictResponse r = predict(request_for("bgbb", kDonations, 6, 6));
  const double expected_count[] = {3455.76182120179, 1888.90120022594, 1348.91962486734,
                                   1113.32162923542, 1017.79101243033, 1026.91066634032,
                                   1252.39404569882};
  std::map<int, double> actual;
  std::ifstream in(std::string(CLV_SHARED_DATA_DIR) + "/donations/donations.csv");
  ASSERT_TRUE(in.good()) << "donations.csv not found under " << CLV_SHARED_DATA_DIR;
  std::string line;
  std::getline(in, line);
  double donors = 0;
  while (std::getline(in, line)) {
    int x = 0, t_x = 0, n = 0, w = 0;
    ASSERT_EQ(std::sscanf(line.c_str(), "%d,%d,%d,%d", &x, &t_x, &n, &w), 4) << line;
    actual[x] += w;
    donors += w;
  }
  ASSERT_EQ(donors, 11104);
  for (int x = 0; x <= 6; ++x) {
    EXPECT_NEAR(r.pmf[x] * donors, expected_count[x], 1e-6) << x;
    // The published fit tracks the data within 6% in every cell.
    EXPECT_NEAR(r.pmf[x] * donors, actual[x], 0.06 * actual[x]) << x;
  }
  EXPECT_NEAR(r.expected_purchases_new, 2.2196313934873, 1e-9);
}

// Simulated customers of each model: the share with k purchases in (0, t]
// agrees with P(X(t)=k) within 4.5 standard errors.
TEST(Predict, PmfAgreesWithSimulation) {
  const int n = 100000;
  {
    const BgNbdParams p{0.243, 4.414, 0.793, 2.426};
    const PredictResponse r = predict(request_for("bgnbd", kCdnowBgNbd, 39, 4));
    // Customers acquired at 0 (T = 0), followed for 39 more weeks.
    const SimulatedRfm hold =
        simulate_bgnbd(p, BgNbdVariant::kBgNbd, std::vector<double>(n, 0.0), 5, 0.0, 39.0);
    std::vector<double> share(5, 0.0);
    for (double x : hold.x_holdout) {
      if (x < 5) share[static_cast<size_t>(x)] += 1.0 / n;
    }
    for (int k = 0; k < 5; ++k) {
      const double se = std::sqrt(r.pmf[k] * (1 - r.pmf[k]) / n);
      EXPECT_NEAR(share[k], r.pmf[k], 4.5 * se) << "bgnbd k=" << k;
    }
  }
  {
    const BgBbParams p{1.204, 0.750, 0.657, 2.783};
    const auto sim = simulate_bgbb(p, std::vector<int>(n, 6), 9);
    const PredictResponse r = predict(request_for("bgbb", kDonations, 6, 6));
    std::vector<double> share(7, 0.0);
    for (const auto& row : sim) share[static_cast<size_t>(row.x)] += row.weight / n;
    for (int k = 0; k <= 6; ++k) {
      const double se = std::sqrt(r.pmf[k] * (1 - r.pmf[k]) / n);
      EXPECT_NEAR(share[k], r.pmf[k], 4.5 * se) << "bgbb k=" << k;
    }
  }
}

// CLV with a fixed spend = margin x spend x DERT, DERT from pnbd_dert
// (discounted expected residual transactions over the horizon).
TEST(Predict, FixedSpendClvIsMarginTimesSpendTimesDert) {
  PredictRequest r = request_for("pnbd", kCdnowPnbd, 52, -1);
  r.customers = {{"a", 2, 30.43, 38.86}, {"b", 0, 0, 38.86}, {"c", 7, 35.0, 36.0}};
  r.spend_per_purchase = 25.0;
  r.margin = 0.4;
  r.annual_discount_rate = 0.1;
  const PredictResponse out = predict(r);
  const ParetoNbdParams p{0.5533, 10.5776, 0.6061, 11.6650};
  const double delta = std::log1p(0.1) * 7.0 / 365.25;  // per week
  ASSERT_EQ(out.scores.clv.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    const auto& c = r.customers[i];
    const double dert = pnbd_dert(p, c.x, c.t_x, c.T, 52, delta);
    EXPECT_NEAR(out.scores.clv[i], 0.4 * 25.0 * dert, 1e-9) << c.id;
    EXPECT_NEAR(out.scores.expected_purchases[i], pnbd_conditional_expected(p, c.x, c.t_x, c.T, 52),
                1e-9)
        << c.id;
    EXPECT_EQ(out.scores.expected_spend[i], 25.0);
  }
  EXPECT_TRUE(out.pmf.empty());
}

TEST(Predict, JsonRoundTripAndErrors) {
  const std::string response = predict_json(R"({"fit": {"model": "bgbb", "params":
      {"alpha": 1.204, "beta": 0.75, "gamma": 0.657, "delta": 2.783}}, "t": 6,
      "pmf": {"from": 2, "to": 3}, "customers": [{"id": "d1", "x": 6, "t_x": 6, "T": 6}],
      "spend_per_purchase": 50})");
  const json j = json::parse(response);
  EXPECT_EQ(j["model"], "bgbb");
  EXPECT_EQ(j["time_unit"], "period");
  ASSERT_EQ(j["pmf"].size(), 2u);
  EXPECT_EQ(j["pmf"][0]["k"], 2);
  EXPECT_NEAR(j["pmf"][0]["probability"].get<double>(), 1348.91962486734 / 11104, 1e-12);
  EXPECT_EQ(j["customers"][0]["id"], "d1");
  EXPECT_GT(j["customers"][0]["clv"].get<double>(), 0);

  auto code_of = [](const std::string& text) {
    try {
      predict_json(text);
    } catch (const Error& e) {
      return std::string(error_code_name(e.code())) + ": " + e.what();
    }
    return std::string("no error");
  };
  const std::string bgnbd = R"("fit": {"model": "bgnbd", "params": {"r": 0.243, "alpha": 4.414,
      "a": 0.793, "b": 2.426}})";
  EXPECT_NE(code_of("{" + bgnbd + "}").find("\"t\" must be a number"), std::string::npos);
  EXPECT_NE(code_of("{" + bgnbd + R"(, "t": 0})").find("must be > 0"), std::string::npos);
  EXPECT_NE(code_of("{" + bgnbd + R"(, "t": 5, "horizon": 3})").find("unknown field \"horizon\""),
            std::string::npos);
  EXPECT_NE(code_of("{" + bgnbd + R"(, "t": 5, "pmf": {"from": 0, "to": 2000000}})").find("pmf"),
            std::string::npos);
  EXPECT_NE(code_of("{" + bgnbd + R"(, "t": 5, "spend_per_purchase": 3})").find("customers"),
            std::string::npos);
  EXPECT_NE(
      code_of("{" + bgnbd + R"(, "t": 5, "customers": [{"x": 1, "t_x": 2}]})").find("customers[0]"),
      std::string::npos);
  EXPECT_NE(code_of(R"({"fit": {"model": "gg", "params": {"p": 6, "q": 4, "gamma": 16}},
                       "t": 5})")
                .find("not a purchase-count model"),
            std::string::npos);
  EXPECT_NE(code_of(R"({"fit": {"model": "bgnbd", "converged": false, "params": {"r": 0.243,
      "alpha": 4.414, "a": 0.793, "b": 2.426}}, "t": 5})")
                .find("not_converged"),
            std::string::npos);
  EXPECT_NE(code_of("not json").find("not valid JSON"), std::string::npos);
}

}  // namespace
}  // namespace clv
